"""Staff conversations and analytics over Rasa's tracker store, through the HTTP API (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.keys import create_key
from tests.api.backends import Backend, fixture_app, traces
from tests.api.service_support import SERVICE, at_consent
from tests.api.tracker_support import Talk, create_tracker_db, small_dataset, write


@pytest.fixture(scope="module")
def env(tmp_path_factory, backend: Backend):
    """An API whose tracker store holds the five known conversations, with read and admin keys."""
    data = tmp_path_factory.mktemp("conv-data")
    stores = backend.stores(data)
    small_dataset(create_tracker_db(stores.tracker_url))
    with fixture_app(data, stores) as client:
        with client.app.state.sessions() as s:
            keys = {"read": create_key(s, "read", "reader"), "admin": create_key(s, "admin", "boss")}
        client.post("/feedback", json={"conversation_id": "conv-en", "rating": "up", "reasons": ["clear"]})
        yield client, keys, stores


def _h(keys: dict, scope: str) -> dict:
    return {"Authorization": f"Bearer {keys[scope]}"}


def test_auth(env) -> None:
    """No key 401, an unknown key 401, a read key on erasure 403."""
    client, keys, _ = env
    assert client.get("/staff/conversations").status_code == 401
    assert client.get("/staff/analytics", headers={"Authorization": "Bearer gk_x_y"}).status_code == 401
    r = client.delete("/staff/conversations/conv-en", headers=_h(keys, "read"))
    assert r.status_code == 403 and "admin" in r.json()["detail"]


def test_list_filter_and_read(env) -> None:
    """The list pages and filters; one conversation reads back with its transcript and feedback."""
    client, keys, _ = env
    body = client.get("/staff/conversations?limit=2", headers=_h(keys, "read")).json()
    assert body["total"] == 5 and body["tracker"] == "ok" and len(body["conversations"]) == 2
    en = client.get("/staff/conversations?lang=en", headers=_h(keys, "read")).json()["conversations"]
    assert [c["id"] for c in en] == ["conv-en"] and en[0]["levers"] == ["grant"]
    r = client.get("/staff/conversations?since=2026-03-03&until=2026-03-04", headers=_h(keys, "read")).json()
    assert [c["id"] for c in r["conversations"]] == ["conv-fr-dropped"]
    assert client.get("/staff/conversations?lever=trial", headers=_h(keys, "read")).json()["total"] == 1
    one = client.get("/staff/conversations/conv-en", headers=_h(keys, "read")).json()
    assert one["transcript"][0]["text"].startswith("Our startup") and one["feedback"][0]["reasons"] == ["clear"]
    assert one["profile"]["needs"] == ["funding"] and one["handoffs"] == []
    assert client.get("/staff/conversations/nobody", headers=_h(keys, "read")).status_code == 404


def test_bad_queries_are_4xx(env) -> None:
    """Malformed filters are refused with a 422 that does not echo them."""
    client, keys, _ = env
    for q in ("since=2026-13-01", "lang=de", "lever=DROP%20TABLE", "limit=0", "since=2026-03-05&until=2026-03-01"):
        r = client.get(f"/staff/conversations?{q}", headers=_h(keys, "read"))
        assert r.status_code == 422, q
    assert "DROP" not in client.get("/staff/conversations?lever=DROP", headers=_h(keys, "read")).text


def test_analytics_route(env) -> None:
    """/staff/analytics answers the figures of the dataset, and a range narrows them."""
    client, keys, _ = env
    a = client.get("/staff/analytics", headers=_h(keys, "read")).json()
    assert a["tracker"] == "ok" and a["conversations"]["total"] == 5
    assert a["funnel"] == {"started": 4, "qualified": 2, "levers_shown": 2, "handoff": 0}
    assert a["unanswered"]["total"] == 4 and a["feedback"]["reasons"]["clear"] == 1
    later = client.get("/staff/analytics?since=2026-03-05", headers=_h(keys, "read")).json()
    assert later["conversations"]["total"] == 2 and later["funnel"]["started"] == 1
    client.post("/feedback", json={"conversation_id": "conv-fr-full", "rating": "up", "reasons": ["complete"]})
    again = client.get("/staff/analytics", headers=_h(keys, "read")).json()  # figures follow the stores
    assert again["feedback"]["reasons"]["complete"] == a["feedback"]["reasons"]["complete"] + 1


def test_erasure_leaves_no_trace(env) -> None:
    """After DELETE, no table of Rasa's store or of the API's database mentions the conversation."""
    client, keys, stores = env
    talk = Talk("erase-me-7f3a", 1772442000.0 + 5 * 86400).session()
    talk.describe("Projet Zyxwv de télésuivi pour Mme Durandeau", "fr", ["funding"]).recommend(["grant"], "fr")
    at_consent(talk, "Mme Durandeau", "durandeau@example.org")
    write(stores.tracker_url, talk)
    handoff = {
        "conversation_id": "erase-me-7f3a",
        "name": "Mme Durandeau",
        "email": "durandeau@example.org",
        "consent": True,
        "project_text": "Projet Zyxwv de télésuivi",
    }
    assert client.post("/handoffs", json=handoff, headers=SERVICE).status_code == 201
    client.post("/feedback", json={"conversation_id": "erase-me-7f3a", "rating": "down", "comment": "Zyxwv"})
    needles = ("erase-me-7f3a", "Zyxwv", "Durandeau")
    assert traces(stores.tracker_url, needles) and traces(stores.database_url, needles)
    r = client.delete("/staff/conversations/erase-me-7f3a", headers=_h(keys, "admin"))
    assert r.status_code == 200
    assert r.json()["deleted"] == {"events": len(talk.events), "feedback": 1, "handoffs": 1}
    assert traces(stores.tracker_url, needles) == [] and traces(stores.database_url, needles) == []
    assert client.delete("/staff/conversations/erase-me-7f3a", headers=_h(keys, "admin")).status_code == 404
    assert client.get("/staff/conversations", headers=_h(keys, "read")).json()["total"] == 5


def test_absent_tracker_store(tmp_path: Path, backend: Backend) -> None:
    """Before Rasa has ever started: empty lists, zero figures, readiness says the store is absent."""
    stores = backend.stores(tmp_path, tracker_file="never.db")
    with fixture_app(tmp_path, stores) as client:
        with client.app.state.sessions() as s:
            key = {"Authorization": f"Bearer {create_key(s, 'admin', 'x')}"}
        body = client.get("/staff/conversations", headers=key).json()
        assert body == {"total": 0, "limit": 50, "offset": 0, "tracker": "absent", "conversations": []}
        assert client.get("/staff/analytics", headers=key).json()["conversations"]["total"] == 0
        assert client.get("/staff/conversations/x", headers=key).status_code == 404
        ready = client.get("/ready").json()
        assert ready["status"] == "ready" and ready["checks"]["conversations"] == "absent"
    assert not stores.tracker_exists()  # the API created nothing in Rasa's store


def test_staff_page_served_with_strict_csp(env) -> None:
    """/staff is a static page with no inline script, under a CSP that allows only its own files."""
    client, _, _ = env
    r = client.get("/staff")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "script-src 'self'" in r.headers["content-security-policy"] and r.headers["x-frame-options"] == "DENY"
    assert '<script src="/static/staff.js"' in r.text and "<script>" not in r.text
    assert client.get("/static/staff.css").status_code == 200
