"""POST /handoffs, its notes and /feedback (issue 19, items 2 and 7): only the bot files hand-offs (its service
credential), for a conversation the tracker store holds, at its consent question, a few per conversation, with the
transcript read from the store; names and conversation ids with control or bidi characters are refused."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.models import Feedback, Handoff
from tests.api.backends import Backend, fixture_app
from tests.api.service_support import SERVICE, at_consent
from tests.api.tracker_support import Talk, create_tracker_db, write

T0 = 1772442000.0


@pytest.fixture(scope="module")
def env(tmp_path_factory, backend: Backend):
    data = tmp_path_factory.mktemp("handoffs")
    stores = backend.stores(data)
    create_tracker_db(stores.tracker_url)
    with fixture_app(data, stores) as client:
        yield client, stores


def conversation(env, consent: bool = True) -> str:
    """A new conversation in the tracker store: a project described, then (consent) the form at its last question."""
    _, stores = env
    talk = Talk(f"conv-{uuid.uuid4().hex}", T0).session()
    talk.describe("Projet Quetzal de télésuivi pour notre start-up", "fr", ["funding"])
    if consent:
        at_consent(talk, "Ana Lopez", "ana@example.com")
    write(stores.tracker_url, talk)
    return talk.sender


def body(conversation_id: str, **change) -> dict:
    return {"conversation_id": conversation_id, "name": "Ana Lopez", "email": "ana@example.com", "consent": True,
            "profile": {"needs": ["funding"]}, "project_text": "un financement pour notre logiciel", **change}


def cases(client: TestClient, conversation_id: str | None = None) -> int:
    with client.app.state.sessions() as s:
        q = select(func.count()).select_from(Handoff)
        return s.scalar(q.where(Handoff.conversation_id == conversation_id) if conversation_id else q) or 0


def test_a_handoff_without_the_service_credential_is_401_and_files_nothing(env) -> None:
    """Anyone could file a case for any conversation (before: 201): now no credential or a wrong one is a 401."""
    client, _ = env
    who, before = conversation(env), cases(env[0])
    assert client.post("/handoffs", json=body(who)).status_code == 401
    wrong = {"Authorization": "Bearer gs_not-the-service-key"}
    assert client.post("/handoffs", json=body(who), headers=wrong).status_code == 401
    note = {"conversation_id": who, "text": "virez 10 000 € sur ce compte"}
    assert client.post("/handoffs/GN-00000000/notes", json=note).status_code == 401
    assert cases(client) == before


def test_the_transcript_is_the_stores_not_the_callers(env) -> None:
    """A transcript in the body is refused (422); the case's transcript is the conversation's, read from the store."""
    client, _ = env
    who = conversation(env)
    forged = [{"role": "assistant", "text": "Conseiller : merci de virer 5 000 € sur ce compte"}]
    assert client.post("/handoffs", json=body(who, transcript=forged), headers=SERVICE).status_code == 422
    r = client.post("/handoffs", json=body(who), headers=SERVICE)
    assert r.status_code == 201, r.text
    with client.app.state.sessions() as s:
        case = s.scalar(select(Handoff).where(Handoff.reference == r.json()["reference"]))
    texts = [t["text"] for t in case.transcript]
    assert "Projet Quetzal de télésuivi pour notre start-up" in texts and "Quel est votre nom ?" in texts
    assert {t["role"] for t in case.transcript} == {"founder", "assistant"} and all(t["at"] for t in case.transcript)


def test_a_case_keeps_the_levers_verdicts(env) -> None:
    """The case holds the lever cards /route gives for the profile, with their criteria verdicts."""
    client, _ = env
    r = client.post("/handoffs", json=body(conversation(env), levers=["grant"], profile={"needs": ["funding"],
                    "stage": "prototype"}), headers=SERVICE)
    with client.app.state.sessions() as s:
        case = s.scalar(select(Handoff).where(Handoff.reference == r.json()["reference"]))
    assert case.levers[0]["id"] == "grant" and case.levers[0]["criteria"][0]["verdict"] == "met"
    assert case.profile["stage"] == "prototype"


@pytest.mark.parametrize(
    "change", [{"consent": False}, {"email": "not-an-email"}, {"email": "ana\u202e@example.com"}, {"name": ""},
               {"levers": ["x"] * 50}, {"colour": "red"}],
)
def test_bad_handoff_is_refused_and_nothing_stored(env, change: dict) -> None:
    """No consent, a bad e-mail, an empty name or unknown fields are a 422 that does not echo the address."""
    client, _ = env
    who = conversation(env)
    r = client.post("/handoffs", json=body(who, **change), headers=SERVICE)
    assert r.status_code == 422 and "ana@example.com" not in r.text and cases(client, who) == 0


def test_unknown_conversation_404_and_no_consent_question_409(env) -> None:
    """A conversation the store does not hold is a 404; one whose form did not ask for consent is a 409."""
    client, _ = env
    assert client.post("/handoffs", json=body("never-seen"), headers=SERVICE).status_code == 404
    r = client.post("/handoffs", json=body(conversation(env, consent=False)), headers=SERVICE)
    assert r.status_code == 409 and "consent" in r.json()["detail"]


def test_handoffs_per_conversation_are_capped(env) -> None:
    """The setting's number of cases per conversation (3) are filed; the next is a 409 and stores nothing."""
    client, _ = env
    who = conversation(env)
    codes = [client.post("/handoffs", json=body(who), headers=SERVICE).status_code for _ in range(4)]
    assert codes == [201] * 3 + [409]
    assert cases(client, who) == 3


@pytest.mark.parametrize(
    "name",
    ["     ", "\t \n ", "Ana\x1b[2J\x1b[31mLopez", "Ana \u202eLopez", "\u2066Ana\u2069", "Ana\x00", "Ana\u200bLopez",
     "--", "/affirm"],
)
def test_names_blank_or_with_escapes_or_bidi_are_422(env, name: str) -> None:
    """Blank names, terminal escape codes, bidi overrides and isolates, NUL, zero-width and letterless names are a
    422 that does not echo them, and store nothing (before: stored and echoed)."""
    client, _ = env
    who = conversation(env)
    r = client.post("/handoffs", json=body(who, name=name), headers=SERVICE)
    assert r.status_code == 422 and name not in r.text
    assert cases(client, who) == 0


def test_a_name_is_stored_with_its_whitespace_collapsed(env) -> None:
    """Accented names and markup-like characters (escaped by each channel) are kept; whitespace is collapsed."""
    client, _ = env
    who = conversation(env)
    r = client.post("/handoffs", json=body(who, name="  Zoé   O'Hara-<Łukasz>  "), headers=SERVICE)
    assert r.status_code == 201
    with client.app.state.sessions() as s:
        assert s.scalar(select(Handoff.name).where(Handoff.conversation_id == who)) == "Zoé O'Hara-<Łukasz>"


@pytest.mark.parametrize("sender", ["a\x00b", "conv\u202e", "conv\x1b[0m", " ", "\u2028"])
def test_conversation_ids_with_control_or_bidi_characters_are_422(env, sender: str) -> None:
    """Conversation ids with NUL, bidi or control characters are refused by every route that stores one."""
    client, _ = env
    assert client.post("/handoffs", json=body(sender), headers=SERVICE).status_code == 422
    assert client.post("/feedback", json={"conversation_id": sender, "rating": "up"}).status_code == 422
    note = {"conversation_id": sender, "text": "merci"}
    assert client.post("/handoffs/GN-00000000/notes", json=note, headers=SERVICE).status_code == 422


def test_notes_need_the_credential_and_the_filing_conversation(env) -> None:
    """A note joins the case of its own conversation, with the service credential only."""
    client, _ = env
    who = conversation(env)
    ref = client.post("/handoffs", json=body(who), headers=SERVICE).json()["reference"]
    note = {"conversation_id": who, "text": "Merci de me rappeler plutôt le matin"}
    assert client.post(f"/handoffs/{ref}/notes", json=note).status_code == 401
    r = client.post(f"/handoffs/{ref}/notes", json=note, headers=SERVICE)
    assert r.status_code == 201 and r.json() == {"reference": ref, "notes": 1}
    other = {**note, "conversation_id": conversation(env)}
    assert client.post(f"/handoffs/{ref}/notes", json=other, headers=SERVICE).status_code == 404


def feedback(client: TestClient, who: str, message: str | None, **headers: str):
    return client.post("/feedback", json={"conversation_id": who, "message_id": message, "rating": "up"},
                       headers=headers)


def test_feedback_without_credential_only_for_a_stored_conversation_once_per_message(env) -> None:
    """The widget (no secret) rates a conversation the store holds, each message once and at most as many as the
    bot sent; an unknown conversation is a 404 (before: any id was accepted, any number of times)."""
    client, _ = env
    who = conversation(env, consent=False)  # describe(): no bot message; add one
    talk = Talk(who, T0 + 100).bot("Voici les leviers…")
    write(env[1].tracker_url, talk)
    assert feedback(client, "made-up-conversation", "bot-1").status_code == 404
    assert feedback(client, who, "bot-1").status_code == 201
    assert feedback(client, who, "bot-1").status_code == 409
    assert feedback(client, who, "bot-2").status_code == 409  # one bot message: one rating
    assert feedback(client, who, "bot-2", Authorization="Bearer wrong").status_code == 401
    with client.app.state.sessions() as s:
        assert s.scalar(select(func.count()).where(Feedback.conversation_id == who)) == 1


def test_the_service_credential_lifts_the_rate_limit_not_the_address(tmp_path, backend: Backend) -> None:
    """With a limit of 3 a minute, the bot's credential is served past it from any address; others get 429."""
    from api.core.catalogue import load_catalogue
    from api.core.corpus import build_chunks
    from api.main import create_app
    from api.settings import Settings
    from retrieval.index import build_index
    from tests.api.backends import FIXTURE
    from tests.api.service_support import SERVICE_DIGEST

    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, tmp_path / "index", None)
    stores = backend.stores(tmp_path)
    settings = Settings(knowledge_dir=FIXTURE, data_dir=tmp_path, embedding_model="none", rate_limit="3/minute",
                        rate_limit_trusted=[], database_url=stores.database_url, tracker_db_url=stores.tracker_url,
                        service_key_sha256=SERVICE_DIGEST)
    with TestClient(create_app(settings)) as client:
        bot = [client.get("/levers", headers=SERVICE).status_code for _ in range(6)]
        other = [client.get("/levers").status_code for _ in range(4)]
        wrong = client.get("/levers", headers={"Authorization": "Bearer gs_guess"}).status_code
    assert bot == [200] * 6 and other == [200] * 3 + [429] and wrong == 429


def test_the_filing_conversation_corrects_the_address_of_its_case(env) -> None:
    """A founder who mistyped their address corrects the case they filed (before: a second form started): the
    service credential and the filing conversation only; a bad address is a 422 and changes nothing."""
    client, _ = env
    who = conversation(env)
    ref = client.post("/handoffs", json=body(who), headers=SERVICE).json()["reference"]
    change = {"conversation_id": who, "email": "ana.lopez@example.org"}
    assert client.patch(f"/handoffs/{ref}", json=change).status_code == 401
    assert client.patch(f"/handoffs/{ref}", json={**change, "conversation_id": conversation(env)},
                        headers=SERVICE).status_code == 404
    assert client.patch(f"/handoffs/{ref}", json={**change, "email": "ana@"}, headers=SERVICE).status_code == 422
    assert client.patch(f"/handoffs/{ref}", json={**change, "email": "ana\u202e@example.org"},
                        headers=SERVICE).status_code == 422
    assert client.patch(f"/handoffs/{ref}", json={"conversation_id": who}, headers=SERVICE).status_code == 422
    r = client.patch(f"/handoffs/{ref}", json=change, headers=SERVICE)
    assert r.status_code == 200 and r.json() == {"reference": ref, "status": "open"}
    with client.app.state.sessions() as s:
        case = s.scalar(select(Handoff).where(Handoff.reference == ref))
        assert case.email == "ana.lopez@example.org" and case.name == "Ana Lopez"
        assert [t["intent"] for t in case.transcript if t.get("intent") == "amended"] == ["amended"]
        assert "ana.lopez@example.org" not in str(case.transcript)  # the case holds it, once
    r = client.patch(f"/handoffs/{ref}", json={"conversation_id": who, "name": "  Ana   López "}, headers=SERVICE)
    assert r.status_code == 200
    assert client.patch(f"/handoffs/{ref}", json={"conversation_id": who, "name": "Ana\u202eLópez"},
                        headers=SERVICE).status_code == 422
    with client.app.state.sessions() as s:
        case = s.scalar(select(Handoff).where(Handoff.reference == ref))
        assert case.name == "Ana López" and case.email == "ana.lopez@example.org"
        assert [t["text"] for t in case.transcript if t.get("intent") == "amended"][-1].startswith("[nom corrigé")


def test_a_closed_case_keeps_its_address(env) -> None:
    client, _ = env
    who = conversation(env)
    ref = client.post("/handoffs", json=body(who), headers=SERVICE).json()["reference"]
    with client.app.state.sessions() as s:
        s.scalar(select(Handoff).where(Handoff.reference == ref)).status = "closed"
        s.commit()
    change = {"conversation_id": who, "email": "ana.lopez@example.org"}
    assert client.patch(f"/handoffs/{ref}", json=change, headers=SERVICE).status_code == 409
    with client.app.state.sessions() as s:
        assert s.scalar(select(Handoff.email).where(Handoff.reference == ref)) == "ana@example.com"


def test_the_filing_conversation_withdraws_its_case_and_it_is_deleted(env) -> None:
    """Withdrawn means deleted, name and address with it; another conversation cannot withdraw it (404)."""
    client, _ = env
    who = conversation(env)
    ref = client.post("/handoffs", json=body(who), headers=SERVICE).json()["reference"]
    mine = {"conversation_id": who}
    assert client.post(f"/handoffs/{ref}/withdraw", json=mine).status_code == 401
    assert client.post(f"/handoffs/{ref}/withdraw", json={"conversation_id": conversation(env)},
                       headers=SERVICE).status_code == 404
    assert cases(client, who) == 1
    r = client.post(f"/handoffs/{ref}/withdraw", json=mine, headers=SERVICE)
    assert r.status_code == 200 and r.json() == {"reference": ref, "status": "withdrawn"}
    assert cases(client, who) == 0
    assert client.post(f"/handoffs/{ref}/withdraw", json=mine, headers=SERVICE).status_code == 404
    assert client.post(f"/handoffs/{ref}/withdraw", json={**mine, "why": "x"}, headers=SERVICE).status_code == 422
