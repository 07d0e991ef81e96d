"""Staff routes: API keys with scopes, hand-offs listed, assigned and closed (on SQLite and PostgreSQL)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from api.keys import check_key, create_key, revoke
from tests.api.backends import Backend, fixture_api
from tests.api.service_support import SERVICE, at_consent
from tests.api.tracker_support import Talk, create_tracker_db, write

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


@pytest.fixture(scope="module")
def client(tmp_path_factory, backend: Backend) -> TestClient:
    """The API on the tiny knowledge base, its stores on SQLite or PostgreSQL (the backend fixture)."""
    data = tmp_path_factory.mktemp("staff-data")
    with fixture_api(data, backend) as c:
        yield c


@pytest.fixture(scope="module")
def keys(client: TestClient) -> dict[str, str]:
    with client.app.state.sessions() as s:
        return {"read": create_key(s, "read", "reader"), "admin": create_key(s, "admin", "boss")}


def _file(client: TestClient) -> str:
    """A case filed as the bot files it: a conversation at the consent question in the tracker store, then
    POST /handoffs with the service credential (tests/api/test_handoffs.py)."""
    url = client.app.state.settings.resolved_tracker_db_url()
    if not sa.inspect(client.app.state.tracker).has_table("events"):
        create_tracker_db(url)
    talk = at_consent(Talk(f"c1-{secrets.token_hex(4)}", 1772442000.0).session())
    write(url, talk)
    body = {
        "conversation_id": talk.sender,
        "name": "Ana Lopez",
        "email": "ana@example.com",
        "consent": True,
        "profile": {"needs": ["funding"]},
        "project_text": "un financement pour notre logiciel de santé",
    }
    return client.post("/handoffs", json=body, headers=SERVICE).json()["reference"]


def test_keys_are_stored_hashed_and_revocable(client: TestClient) -> None:
    """Only a digest is stored; a revoked key no longer checks out."""
    with client.app.state.sessions() as s:
        key = create_key(s, "read", "temp")
        record = check_key(s, key)
        assert record is not None and key not in record.digest and record.scope == "read"
        assert revoke(s, record.prefix) and check_key(s, key) is None
        assert check_key(s, key[:-1] + "x") is None and check_key(s, "nonsense") is None


def test_no_key_401_wrong_scope_403(client: TestClient, keys: dict[str, str]) -> None:
    """Staff routes refuse a missing or bad key with 401 and a read key on an admin route with 403."""
    ref = _file(client)
    assert client.get("/staff/handoffs").status_code == 401
    assert client.get("/staff/handoffs", headers={"Authorization": "Bearer gk_nope_nope"}).status_code == 401
    r = client.post(f"/staff/handoffs/{ref}/close", headers={"Authorization": f"Bearer {keys['read']}"})
    assert r.status_code == 403 and "admin" in r.json()["detail"]


def test_handoff_lifecycle(client: TestClient, keys: dict[str, str]) -> None:
    """A filed case is listed open, read in full, assigned, then closed."""
    ref = _file(client)
    read = {"Authorization": f"Bearer {keys['read']}"}
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    assert ref in [h["reference"] for h in client.get("/staff/handoffs?status=open", headers=read).json()["handoffs"]]
    case = client.get(f"/staff/handoffs/{ref}", headers=read).json()
    assert case["email"] == "ana@example.com" and case["lever_cards"][0]["id"] == "grant"
    r = client.post(f"/staff/handoffs/{ref}/assign", json={"assignee": "Marc"}, headers=admin).json()
    assert r["status"] == "assigned" and r["assignee"] == "Marc"
    assert client.post(f"/staff/handoffs/{ref}/close", headers=admin).json()["status"] == "closed"
    assert client.post(f"/staff/handoffs/{ref}/assign", json={"assignee": "X"}, headers=admin).status_code == 409
    assert client.get("/staff/handoffs/GN-NOPE", headers=read).status_code == 404


def test_staff_figures_are_computed_in_the_background_at_start(tmp_path, backend: Backend) -> None:
    """A fresh API computes the staff page's default figures (all time) in the background: the page's first
    request reads them from the memo, and gets what a computation would give."""
    import time

    with fixture_api(tmp_path, backend) as fresh:
        memo = fresh.app.state.figures.memo
        deadline = time.monotonic() + 20
        while not memo.items and time.monotonic() < deadline:
            time.sleep(0.05)
        (key,) = memo.items
        assert key[1:] == (None, None)
        with fresh.app.state.sessions() as s:
            key_read = create_key(s, "read", "warm")
        headers = {"Authorization": f"Bearer {key_read}"}
        warm = fresh.get("/staff/analytics", headers=headers).json()  # a new API key changed no figure
        memo.clear()
        assert fresh.get("/staff/analytics", headers=headers).json() == warm


def test_lapsed_knowledge_is_listed_as_guichet_check_lists_it(client: TestClient, keys: dict[str, str]) -> None:
    """The staff page's list of lapsed records: key required, the same entries and counts as the CLI's check."""
    assert client.get("/staff/knowledge/lapsed").status_code == 401
    read = {"Authorization": f"Bearer {keys['read']}"}
    now = client.get("/staff/knowledge/lapsed?today=2026-12-06", headers=read).json()
    assert now["today"] == "2026-12-06" and now["wrong"] == 0 and now["on_purpose"] == 2
    assert {x["record"] for x in now["lapses"]} == {"fiche:remote-monitoring"}  # its "d'ici 2025", said in the past
    later = client.get("/staff/knowledge/lapsed?today=2028-01-01", headers=read).json()
    assert later["wrong"] > 0 and later["lapses"][0]["on_purpose"] is False  # what is wrong comes first
    assert {"lever:desk", "lever:grant", "document:fr/strategie.md"} <= {x["record"] for x in later["lapses"]}
