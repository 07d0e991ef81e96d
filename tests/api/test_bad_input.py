"""Hand-made bad input on every public route: a 4xx (never a 5xx), and nothing stored half-way.

test_conformance.py draws schema-shaped values (no 5xx is one of its checks) and test_security.py checks the size
and rate limits with small settings; these are the bodies a schema never produces: empty, broken or non-UTF-8 bytes,
wrong media types, deep nesting, wrong JSON types field by field, and hostile but valid strings (control characters,
script tags, SQL), the latter stored verbatim when the route stores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from guichet_contract import unsafe_character
from sqlalchemy import func, select

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.main import create_app
from api.models import Feedback, Handoff
from api.settings import Settings
from retrieval.index import build_index
from tests.api.service_support import SERVICE, SERVICE_DIGEST, at_consent
from tests.api.tracker_support import Talk, create_tracker_db, write

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
HANDOFF = {"conversation_id": "c-bad", "name": "Ana Lopez", "email": "ana@example.com", "consent": True}
VALID: dict[str, dict] = {
    "/search": {"query": "formation", "k": 3},
    "/route": {"text": "un financement pour notre logiciel"},
    "/ask": {"question": "quel budget pour la formation ?"},
    "/roadmap": {"text": "un financement pour notre logiciel"},
    "/feedback": {"conversation_id": "c-bad", "rating": "up", "comment": "clair"},
    "/handoffs": {**HANDOFF, "project_text": "un financement"},
}
POSTS = list(VALID)
JSON = {"content-type": "application/json"}
RAW: dict[str, tuple[bytes, dict[str, str]]] = {
    "empty body": (b"", JSON),
    "null": (b"null", JSON),
    "a list": (b"[1, 2, 3]", JSON),
    "a string": (b'"formation"', JSON),
    "truncated JSON": (b'{"query": "forma', JSON),
    "non-UTF-8 bytes": (b'{"query": "\xff\xfe\xc3\x28", "question": "\xff", "text": "\xff"}', JSON),
    "lone surrogates": (b'{"query": "\\ud800", "question": "\\udfff", "text": "\\ud800", "rating": "\\ud800"}', JSON),
    "NaN": (b'{"query": NaN, "k": NaN, "rating": NaN}', JSON),
    "deep nesting": (b"[" * 50_000 + b"]" * 50_000, JSON),
    "1 MB body": (json.dumps({"query": "x" * 1_000_000}).encode(), JSON),
    "text/plain": (b'{"query": "formation"}', {"content-type": "text/plain"}),
    "form-encoded": (b"query=formation&question=budget", {"content-type": "application/x-www-form-urlencoded"}),
}
WRONG_TYPES = [12345, 1.5, True, ["x"], {"a": "b"}]
HOSTILE = [
    "\u0000\u0001\u0007\u001b[2J\u202e",
    "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>",
    "'; DROP TABLE feedback; --",
    "\" OR 1=1 -- ' UNION SELECT digest FROM api_keys --",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    data = tmp_path_factory.mktemp("bad-input")
    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, data / "index", None)
    tracker = create_tracker_db(data / "rasa.db")  # "c-bad" at the hand-off's consent question
    write(tracker, at_consent(Talk("c-bad", 1772442000.0).session()))
    settings = Settings(knowledge_dir=FIXTURE, data_dir=data, embedding_model="none", rate_limit="",
                        tracker_db_url=f"sqlite:///{tracker}", service_key_sha256=SERVICE_DIGEST,
                        handoffs_per_conversation=100)
    with TestClient(create_app(settings), raise_server_exceptions=False, headers=SERVICE) as c:
        yield c


def rows(client: TestClient) -> tuple[int, int]:
    with client.app.state.sessions() as s:
        return s.scalar(select(func.count(Feedback.id))) or 0, s.scalar(select(func.count(Handoff.id))) or 0


@pytest.mark.parametrize("route", POSTS)
@pytest.mark.parametrize("case", list(RAW))
def test_broken_bodies_are_4xx_and_store_nothing(client: TestClient, route: str, case: str) -> None:
    """Bodies no schema describes are refused with a JSON 4xx, and no feedback or hand-off row appears."""
    body, headers = RAW[case]
    before = rows(client)
    r = client.post(route, content=body, headers=headers)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    assert "detail" in r.json() and rows(client) == before


@pytest.mark.parametrize("route", POSTS)
def test_each_field_wrongly_typed_is_4xx_and_stores_nothing(client: TestClient, route: str) -> None:
    """Every field of a valid body, swapped for a number, a boolean, a list or an object, gives a 4xx."""
    before = rows(client)
    for field, value in VALID[route].items():
        for wrong in WRONG_TYPES:
            if wrong is value:  # the right value after all (consent: true)
                continue
            r = client.post(route, json={**VALID[route], field: wrong})
            assert 400 <= r.status_code < 500, (field, wrong, r.status_code, r.text[:200])
    r = client.post(route, json={**VALID[route], "unexpected": "field"})
    assert r.status_code == 422 and rows(client) == before


@pytest.mark.parametrize("route", ["/search", "/route", "/ask", "/roadmap"])
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_served_or_refused_never_a_5xx(client: TestClient, route: str, hostile: str) -> None:
    """Control characters, script tags and SQL in the text fields are searched or refused, never a 5xx."""
    field = {"/search": "query", "/ask": "question"}.get(route, "text")
    r = client.post(route, json={**VALID[route], field: hostile})
    assert r.status_code < 500, (r.status_code, r.text[:200])
    if r.status_code == 200 and r.headers["content-type"].startswith("application/json"):
        assert "<script>" not in json.dumps(r.json().get("levers", []))  # not echoed into lever cards


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_stored_verbatim_once(client: TestClient, hostile: str) -> None:
    """Feedback and hand-offs carrying hostile strings in free text are stored once, as sent, and nothing else
    changes; as a name or a conversation id, control and bidi characters are a 422 (issue 19, item 7)."""
    fb0, ho0 = rows(client)
    if unsafe_character(hostile):
        bad_id = client.post("/feedback", json={**VALID["/feedback"], "conversation_id": hostile[:100]})
        bad_name = client.post("/handoffs", json={**VALID["/handoffs"], "name": hostile[:100]})
        assert (bad_id.status_code, bad_name.status_code) == (422, 422) and rows(client) == (fb0, ho0)
    r = client.post("/feedback", json={**VALID["/feedback"], "comment": hostile})
    assert r.status_code == 201
    name = hostile[:100] if not unsafe_character(hostile) else "Ana Lopez"
    h = client.post("/handoffs", json={**VALID["/handoffs"], "project_text": hostile, "name": name})
    assert h.status_code == 201, h.text[:200]
    assert rows(client) == (fb0 + 1, ho0 + 1)
    with client.app.state.sessions() as s:
        stored = s.get(Feedback, r.json()["id"])
        assert stored is not None and stored.comment == hostile
        case = s.scalar(select(Handoff).where(Handoff.reference == h.json()["reference"]))
        assert case is not None and case.project_text == hostile and case.name == name


@pytest.mark.parametrize(
    "path",
    [
        "/levers?lang=xx",
        "/levers?lang=%3Cscript%3E",
        "/levers?lang=fr&lang=%00",
        "/vocabularies?lang=' OR 1=1 --",
        "/vocabularies?lang=%FF%FE",
        "/levers/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/levers/' OR '1'='1",
        "/levers/%00",
        "/levers/%FF%FE",
        "/levers/" + "x" * 5000,
        "/levers/..%2F..%2Fsettings.py",
        "/?lang=de",
    ],
)
def test_bad_get_parameters_are_4xx(client: TestClient, path: str) -> None:
    """Unknown languages, hostile ids, NUL and non-UTF-8 escapes in GET routes give a 4xx, never a 5xx."""
    r = client.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
    assert "<script>" not in r.text  # a refused id is not echoed back as markup


def test_health_and_ready_ignore_a_body_and_junk_parameters(client: TestClient) -> None:
    """GET /health and /ready with a body and junk query parameters still answer 200 about themselves."""
    for path in ("/health?x=%00&y=<script>", "/ready?x=' OR 1=1"):
        r = client.request("GET", path, content=b"\xff\xfe junk", headers=JSON)
        assert r.status_code == 200, (path, r.status_code)


@pytest.mark.parametrize("route", ["/route", "/roadmap"])
@pytest.mark.parametrize(
    "profile",
    [{"ai": 0}, {"medical_device": 1}, {"ce_marked": "yes"}, {"needs": "funding"}, {"stage": 3}, {"needs": [1]}],
)
def test_profile_values_of_the_wrong_json_type_are_422(client: TestClient, route: str, profile: dict) -> None:
    """A profile's flags are JSON booleans and its codes strings: 0, 1, "yes" or a bare string are refused, as
    the description says, not read as false, true or a list of letters."""
    r = client.post(route, json={"text": "un financement pour notre logiciel", "profile": profile})
    assert r.status_code == 422, (profile, r.status_code)


@pytest.mark.parametrize("body", [{}, {"text": "   \n\t"}, {"text": None, "profile": None}, {"lang": "fr"}])
def test_route_without_text_or_profile_is_422(client: TestClient, body: dict) -> None:
    """A text that says nothing and no profile is refused as the description's anyOf says, with the usual list."""
    r = client.post("/route", json=body)
    assert r.status_code == 422 and r.json()["detail"][0]["msg"].endswith("give a text, a profile or both")
