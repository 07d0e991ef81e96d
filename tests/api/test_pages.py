"""The demo page at /: one script tag embedding the widget, a strict CSP, both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.main import create_app
from api.routes.pages import page_csp
from api.settings import Settings
from retrieval.index import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    data = tmp_path_factory.mktemp("data")
    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, data / "index", None)
    settings = Settings(
        knowledge_dir=FIXTURE, data_dir=data, embedding_model="none", rasa_public_url="https://rasa.example.org"
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_demo_page_embeds_the_widget_pointing_at_rasa(client: TestClient) -> None:
    """The French page loads /static/widget.js with the configured Rasa URL, the API and the language."""
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert '<html lang="fr">' in html
    assert '<script src="/static/widget.js" data-server="https://rasa.example.org"' in html
    assert 'data-lang="fr"' in html and "donnée de patient" in html
    # The embedding snippet shown on the page is escaped, not a second live script tag.
    assert html.count("<script") == 1 and "&lt;script src=" in html


def test_demo_page_in_english(client: TestClient) -> None:
    """?lang=en gives the English page and an English widget."""
    html = client.get("/?lang=en").text
    assert '<html lang="en">' in html and 'data-lang="en"' in html and "patient data" in html


def test_demo_page_policy_allows_only_itself_and_rasa(client: TestClient) -> None:
    """The CSP allows the page's own script and style and connections to Rasa (https and wss), nothing inline."""
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert csp == page_csp("https://rasa.example.org")
    assert "connect-src 'self' https://rasa.example.org wss://rasa.example.org;" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_unknown_language_is_a_clean_422(client: TestClient) -> None:
    """A language other than fr or en is refused with a JSON error that does not echo it."""
    r = client.get("/?lang=<b>de</b>")
    assert r.status_code == 422 and "<b>" not in r.text


def test_rasa_url_must_be_an_origin() -> None:
    """A Rasa URL that is not a plain http(s) origin is refused at start-up, not served into the page."""
    with pytest.raises(ValueError):
        Settings(rasa_public_url='javascript:alert(1)"')


def test_demo_stylesheet_is_served(client: TestClient) -> None:
    """The demo page's own stylesheet comes from /static (no inline style under the CSP)."""
    r = client.get("/static/demo.css")
    assert r.status_code == 200 and "demo-main" in r.text
