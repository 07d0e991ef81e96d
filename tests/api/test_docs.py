"""The API's description and its page (api/routes/docs.py): /docs loads nothing from another site, and in
production the staff routes are described only to the holders of a staff key."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.keys import create_key
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


def _client(data: Path, environment: str) -> TestClient:
    build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], data / "index", None)
    settings = Settings(knowledge_dir=FIXTURE, data_dir=data, embedding_model="none", environment=environment)
    return TestClient(create_app(settings))


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> Iterator[tuple[TestClient, str]]:
    with _client(tmp_path_factory.mktemp("production"), "production") as client:
        with client.app.state.sessions() as s:
            key = create_key(s, "read", "reader")
        yield client, key


def _staff_paths(spec: dict) -> list[str]:
    return [p for p in spec["paths"] if p.startswith("/staff")]


def test_docs_page_loads_only_its_own_assets(production) -> None:
    """Every script, stylesheet and icon of /docs is a path of the API, served from the installed package; the
    page's policy allows no other origin, and its one inline script by its hash."""
    client, _ = production
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert sorted(urls) == ["/docs/favicon-32x32.png", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"]
    assert "url: '/openapi.json'" in r.text and "http" not in r.text
    for url, kind in zip(sorted(urls), ("image/png", "text/javascript", "text/css"), strict=True):
        asset = client.get(url)
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind) and len(asset.content) > 500
    policy = r.headers["content-security-policy"]
    assert "http" not in policy and "default-src 'none'" in policy and "unsafe-inline" not in policy
    (inline,) = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy


def test_docs_serve_no_other_file_and_no_cdn_page(production) -> None:
    """Only the page's three assets are served under /docs/; ReDoc (a CDN script) is not offered."""
    client, _ = production
    assert client.get("/docs/index.html").status_code == 404
    assert client.get("/docs/..%2F..%2Fpyproject.toml").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_production_describes_the_staff_routes_to_staff_only(production) -> None:
    """In production /openapi.json has no staff route; /staff/openapi.json needs a key and has them all."""
    client, key = production
    public = client.get("/openapi.json").json()
    assert public["paths"] and not _staff_paths(public) and "/search" in public["paths"]
    assert "HandoffDetail" not in public["components"]["schemas"]  # nor their bodies
    assert client.get("/staff/openapi.json").status_code == 401
    full = client.get("/staff/openapi.json", headers={"Authorization": f"Bearer {key}"}).json()
    assert "/staff/conversations" in full["paths"] and set(public["paths"]) < set(full["paths"])
    assert client.app.openapi() == public


def test_development_describes_everything(tmp_path) -> None:
    """In development (the default, `make run`) /openapi.json describes the staff routes too."""
    with _client(tmp_path, "development") as client:
        spec = client.get("/openapi.json").json()
        assert "/staff/conversations" in spec["paths"] and "/search" in spec["paths"]


def test_environment_is_checked() -> None:
    """A mistyped environment is refused at start, not read as development."""
    with pytest.raises(ValueError, match="environment"):
        Settings(environment="prod")
