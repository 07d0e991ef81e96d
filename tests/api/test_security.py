"""Edge protections: body size limit, rate limit, CORS allow-list and security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, tmp_path / "index", None)
    settings = Settings(
        knowledge_dir=FIXTURE,
        data_dir=tmp_path,
        embedding_model="none",
        max_body_bytes=4096,
        rate_limit="5/minute",
        cors_origins=["https://www.example.org"],
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_oversized_body_is_413(client: TestClient) -> None:
    """A body over the limit is refused with a JSON 413, announced or streamed."""
    r = client.post(
        "/ask", content=b'{"question": "' + b"x" * 10000 + b'"}', headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and "bytes" in r.json()["detail"]

    def chunks():
        yield b'{"question": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    r = client.post("/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_rate_limit_is_429(client: TestClient) -> None:
    """Past the per-client rate the API answers 429 with a JSON detail."""
    codes = [client.post("/search", json={"query": "formation"}).status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[-1] == 429


def test_cors_allow_list_and_headers(client: TestClient) -> None:
    """Only allowed origins get CORS headers; every answer carries the security headers."""
    ok = client.options(
        "/search", headers={"Origin": "https://www.example.org", "Access-Control-Request-Method": "POST"}
    )
    assert ok.headers.get("access-control-allow-origin") == "https://www.example.org"
    bad = client.options("/search", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in bad.headers
    r = client.get("/levers")
    assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"


def test_trusted_clients_are_addresses_or_networks() -> None:
    """The rate limit trusts listed addresses and whole networks (action-server replicas), nothing else."""
    from pydantic import ValidationError

    from api.security import RateLimit

    limiter = RateLimit(None, "5/minute", ("127.0.0.1", "10.0.5.0/24"))  # type: ignore[arg-type]
    assert limiter._trusted("127.0.0.1") and limiter._trusted("10.0.5.77")
    assert not limiter._trusted("10.0.6.1") and not limiter._trusted("testclient")
    with pytest.raises(ValidationError, match="rate_limit_trusted"):
        Settings(rate_limit_trusted=["not-an-address"])
