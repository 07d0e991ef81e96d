"""The typed responses (api/responses.py) send the JSON the domain returns: every key kept, none added, the
values unchanged, for answers of every kind (the bot's actions, the channels and the widget read these)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.core.profile import Profile
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
ROUTES = [
    {"text": "Notre start-up cherche un financement et une étude clinique pour son logiciel"},
    {"text": "Our start-up needs funding for its software", "lang": "en"},
    {"text": "quel temps fera-t-il demain à Lyon ?"},  # out of scope
    {"profile": {"needs": ["evidence"], "medical_device": True}},  # a profile alone
    {"text": "un logiciel", "profile": {"stage": "prototype", "needs": ["funding"], "ai": False}},
]
QUESTIONS = [
    {"question": "Quel budget pour la formation ?"},  # a passage answers
    {"question": "How much is the national envelope for the grant?", "lang": "en"},
    {"question": "et on peut toucher combien ?", "levers": ["grant"]},  # read with the levers just shown
    {"question": "j'ai mal au genou depuis hier, que prendre ?"},  # someone's own health
    {"question": "quelle est la capitale de l'Australie ?"},  # off topic
    {"question": "quel sera le budget de la formation en 2031 ?"},  # the future: unknown
]


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> TestClient:
    data = tmp_path_factory.mktemp("responses")
    build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], data / "index", None)
    settings = Settings(knowledge_dir=FIXTURE, data_dir=data, embedding_model="none", rate_limit="")
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.mark.parametrize("body", ROUTES, ids=lambda b: str(b)[:40])
def test_route_sends_the_domains_result(client: TestClient, body: dict) -> None:
    """POST /route's JSON is brain.route's result, key for key (cards, criteria, amounts, topics, profile)."""
    brain = client.app.state.brain
    profile = Profile(**body["profile"]) if "profile" in body else None
    expected = jsonable_encoder(brain.route(body.get("text"), profile, body.get("lang")))
    assert client.post("/route", json=body).json() == expected


@pytest.mark.parametrize("body", QUESTIONS, ids=lambda b: b["question"][:30])
def test_ask_sends_the_domains_result(client: TestClient, body: dict) -> None:
    """POST /ask's JSON is brain.ask's result, key for key: `patient` only where the domain says it."""
    brain = client.app.state.brain
    expected = jsonable_encoder(brain.ask(body["question"], body.get("lang"), context=body.get("levers", [])))
    assert client.post("/ask", json=body).json() == expected


def test_search_and_levers_send_what_they_sent(client: TestClient) -> None:
    """/search gives each hit's to_dict() and the mode; /levers/{id} the record less its example phrasings."""
    brain = client.app.state.brain
    hits = brain.search("budget formation", k=5, lang=None)
    assert client.post("/search", json={"query": "budget formation"}).json() == {
        "results": [h.to_dict() for h in hits],
        "mode": brain.mode,
    }
    for lever in brain.catalogue.levers:
        expected = lever.model_dump(mode="json", exclude={"examples"})
        assert client.get(f"/levers/{lever.id}").json() == expected
        assert "examples" not in client.get(f"/levers/{lever.id}").json()
