"""The HTTP API over the tiny knowledge base: contract shapes and clean 4xx errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index
from tests.api.backends import Backend, fixture_api
from tests.api.service_support import SERVICE

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    data = tmp_path_factory.mktemp("data")
    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, data / "index", None)
    settings = Settings(knowledge_dir=FIXTURE, data_dir=data, embedding_model="none")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def store_client(tmp_path_factory, backend: Backend) -> TestClient:
    """The same API with its database on SQLite or PostgreSQL (the backend fixture), for the tests that store."""
    data = tmp_path_factory.mktemp("store-data")
    with fixture_api(data, backend) as c:
        yield c


def test_health_says_degraded_mode(client: TestClient) -> None:
    """Without an embedding model the service is up, lexical, and says why."""
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["mode"] == "lexical"
    assert any("Dense search is OFF" in note for note in body["degraded"])


def test_route_contract_shape(client: TestClient) -> None:
    """/route answers with levers carrying reasons, criteria verdicts with evidence, and next steps."""
    body = client.post("/route", json={"text": "Notre start-up cherche un financement pour son logiciel"}).json()
    assert body["in_scope"] is True and body["levers"][0]["id"] == "grant"
    lever = body["levers"][0]
    assert {"id", "name", "score", "reasons", "criteria", "next_steps"} <= set(lever)
    assert lever["criteria"][0]["verdict"] in {"met", "not_met", "unknown"}
    assert {"text", "source"} == set(lever["criteria"][0]["evidence"])
    assert {"excluded", "profile", "missing"} <= set(body)


def test_route_gives_a_lever_asked_about_with_its_verdicts(client: TestClient) -> None:
    """`about`: the levers a founder asks about, recommended or not, with their criteria's verdicts; ids only."""
    body = client.post("/route", json={"text": "Notre start-up cherche un financement pour son logiciel",
                                       "about": ["trial"]}).json()
    (asked,) = body["asked"]
    assert asked["id"] == "trial" and asked["recommended"] is False and asked["criteria"][0]["slot"]
    assert client.post("/route", json={"text": "financement", "about": ["Trial!"]}).status_code == 422
    assert client.post("/route", json={"text": "financement", "about": ["a"] * 6}).status_code == 422


def test_route_with_profile_only(client: TestClient) -> None:
    """A profile without text is routed on its needs."""
    body = client.post("/route", json={"profile": {"needs": ["evidence"], "medical_device": True}}).json()
    assert body["levers"][0]["id"] == "trial"


def test_search_and_ask(client: TestClient) -> None:
    """/search returns contract items; /ask returns an answer with citations."""
    res = client.post("/search", json={"query": "budget formation", "k": 3}).json()["results"]
    assert res and {"text", "score", "doc_id", "title", "lever_id"} <= set(res[0])
    ans = client.post("/ask", json={"question": "Quel budget pour la formation ?"}).json()
    assert "81" in ans["answer"] and ans["citations"]
    # the fiche the last answer came from may come with the next question; an id no fiche has is no error
    same = client.post("/ask", json={"question": "Quel budget pour la formation ?", "topic": "no-such-fiche"}).json()
    assert same["answer"] == ans["answer"]


def test_levers_catalogue(client: TestClient) -> None:
    """The catalogue lists every lever; one lever reads in full; an unknown id is a JSON 404."""
    assert [lv["id"] for lv in client.get("/levers").json()["levers"]] == ["desk", "grant", "trial"]
    assert client.get("/levers/grant").json()["amounts"][0]["value_eur"] == 50000000
    r = client.get("/levers/nope")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/search", {}),
        ("/search", {"query": ""}),
        ("/search", {"query": "x", "k": 0}),
        ("/search", {"query": "Jeanne Martin diabète", "lang": "Jeanne Martin"}),
        ("/route", {}),
        ("/route", {"text": ["Jeanne Martin"]}),
        ("/route", {"profile": {"stage": "x", "colour": "Jeanne Martin"}}),
        ("/ask", {"question": "Jeanne Martin " * 300}),
        ("/ask", {"question": "et quelle classe ?", "topic": "Jeanne Martin"}),
    ],
)
def test_bad_input_is_a_clean_4xx(client: TestClient, path: str, body: dict) -> None:
    """Bad bodies get a JSON 4xx that does not echo the client's input back."""
    r = client.post(path, json=body)
    assert 400 <= r.status_code < 500
    assert "detail" in r.json() and "Jeanne" not in r.text


def test_search_k_is_a_json_integer(client: TestClient) -> None:
    """k is an integer as JSON Schema has it: 3 and 3.0 are taken, true, "3" and 3.5 are not."""
    assert len(client.post("/search", json={"query": "formation", "k": 3.0}).json()["results"]) <= 3
    for k in (True, "3", 3.5):
        assert client.post("/search", json={"query": "formation", "k": k}).status_code == 422


def test_non_json_body_is_a_4xx(client: TestClient) -> None:
    """A body that is not JSON, or not UTF-8, is refused with a 4xx."""
    r = client.post("/search", content=b"\xff\xfe not json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500


def test_vocabularies_in_both_languages(client: TestClient) -> None:
    """/vocabularies gives code -> label tables in the language asked for."""
    fr = client.get("/vocabularies", params={"lang": "fr"}).json()
    en = client.get("/vocabularies", params={"lang": "en"}).json()
    assert fr["needs"]["funding"] == "Financement" and en["needs"]["funding"] == "Funding"


def test_feedback_recorded_and_validated(store_client: TestClient) -> None:
    """Feedback with a rating and reason codes is stored; an unknown rating or reason is a 422."""
    r = store_client.post(  # the bot's credential: no conversation needed (tests/api/test_handoffs.py)
        "/feedback",
        json={"conversation_id": "c9", "rating": "down", "reasons": ["incorrect"], "comment": "le chiffre est daté"},
        headers=SERVICE,
    )
    assert r.status_code == 201 and r.json()["status"] == "recorded"
    assert store_client.post("/feedback", json={"conversation_id": "c9", "rating": "meh"}).status_code == 422
    unknown_reason = {"conversation_id": "c9", "rating": "up", "reasons": ["nice"]}
    assert store_client.post("/feedback", json=unknown_reason).status_code == 422


def test_ready_lists_checks(store_client: TestClient) -> None:
    """/ready is 200 with the database and index checks and the degraded modes."""
    body = store_client.get("/ready").json()
    assert body["status"] == "ready" and body["checks"]["database"] == "ok" and body["degraded"]


def test_roadmap_is_a_markdown_document_of_the_routed_levers(client: TestClient) -> None:
    """/roadmap gives the levers in route order with verdicts, dated figures and sources, as Markdown."""
    text = "Notre start-up cherche un financement et une étude clinique pour son logiciel"
    routed = client.post("/route", json={"text": text}).json()
    r = client.post("/roadmap", json={"text": text})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    doc = r.text
    names = [lv["name"] for lv in routed["levers"]]
    assert doc.index(f"## 1. {names[0]}") < doc.index(f"## 2. {names[1]}")
    assert "### Critères" in doc and "— à vérifier (" in doc and "### Sources" in doc
    assert "Enveloppe nationale : 50 M€ (chiffre d’octobre 2021" in doc  # never a bare "Montant"


def test_roadmap_in_english_and_inert_markup(client: TestClient) -> None:
    """English founders get English headings; markup in the founder's words is escaped, never rendered."""
    r = client.post("/roadmap", json={"text": "Our start-up needs funding for its software", "lang": "en"})
    assert "Your roadmap" in r.text and "### Criteria" in r.text
    from api.core.roadmap import md

    assert md("<img src=x onerror=alert(1)> [x](javascript:y)") == r"\<img src=x onerror=alert(1)\> \[x\](javascript:y)"


def test_roadmap_needs_text_or_profile(client: TestClient) -> None:
    """An empty roadmap request is a clear 422, not a 500."""
    assert client.post("/roadmap", json={}).status_code == 422
