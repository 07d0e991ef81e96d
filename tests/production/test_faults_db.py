"""PostgreSQL cut off (a proxy cut, never the shared server stopped): clear 503s, no acknowledged write lost.

The writes are made as the real callers make them (issue 19, item 2): hand-offs by the bot, with its service
credential, for conversations the tracker store holds at the consent question; feedback as the widget gives it,
without a credential, for a conversation the tracker store holds.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from tests.api.service_support import at_consent
from tests.api.tracker_support import Talk, write
from tests.bot.conftest import SERVICE_KEY
from tests.production.conftest import ProdStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def wait_status(url: str, status: int, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            r = httpx.get(url, timeout=10)
            if r.status_code == status or time.monotonic() > deadline:
                return r
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


SERVICE = {"Authorization": f"Bearer {SERVICE_KEY}"}


def conversations(prod: ProdStack, tag: str, n: int) -> list[str]:
    """n conversations written to Rasa's PostgreSQL store as Rasa keeps them, each at the hand-off's consent
    question (the API's tracker store is not the database cut here)."""
    talks = [at_consent(Talk(f"{tag}-{i}", time.time()).session().describe("un financement pour un logiciel",
                                                                          "fr", ["funding"])) for i in range(n)]
    write(prod.rasa_db_url, *talks)
    return [t.sender for t in talks]


class Writer(threading.Thread):
    """Files feedback and hand-offs in a loop (one conversation each), remembering what was acknowledged."""

    def __init__(self, api: str, ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.api, self.ids, self.stop = api, ids, threading.Event()
        self.feedback: list[str] = []  # conversation ids acknowledged
        self.handoffs: list[str] = []  # references acknowledged
        self.statuses: list[int] = []

    def run(self) -> None:
        with httpx.Client(base_url=self.api, timeout=15) as c:
            for cid in self.ids:
                if self.stop.is_set():
                    return
                r = c.post("/feedback", json={"conversation_id": cid, "rating": "up", "comment": "utile"})
                self.statuses.append(r.status_code)
                if r.status_code < 300:
                    self.feedback.append(cid)
                body = {"conversation_id": cid, "name": "Ana Lopez", "email": "ana@example.com", "consent": True}
                h = c.post("/handoffs", json={**body, "project_text": "un financement pour un logiciel"},
                           headers=SERVICE)
                self.statuses.append(h.status_code)
                if h.status_code < 300:
                    self.handoffs.append(h.json()["reference"])
                time.sleep(0.05)


def test_database_cut_gives_503s_keeps_search_and_loses_no_acknowledged_write(prod: ProdStack) -> None:
    """Cut from its database, the API answers 503 where it needs it, serves search and routing, and loses nothing."""
    key = prod.key("read")
    tag = f"dbcut-{uuid.uuid4().hex[:8]}"
    ids = conversations(prod, tag, 401)
    writer = Writer(prod.api, ids[1:])
    writer.start()
    try:
        time.sleep(2)
        prod.api_db_proxy.cut()
        time.sleep(1)
        ready = httpx.get(f"{prod.api}/ready", timeout=15)
        assert ready.status_code == 503 and ready.json()["checks"]["database"].startswith("down")
        assert httpx.post(f"{prod.api}/search", json={"query": "formation"}, timeout=15).json()["results"]
        assert httpx.post(f"{prod.api}/route", json={"text": "un financement"}, timeout=15).status_code == 200
        fb = httpx.post(f"{prod.api}/feedback", json={"conversation_id": ids[0], "rating": "down"}, timeout=15)
        assert fb.status_code == 503 and "database" in fb.json()["detail"]
        staff = httpx.get(f"{prod.api}/staff/handoffs", headers={"Authorization": f"Bearer {key}"}, timeout=15)
        assert staff.status_code == 503 and "database" in staff.json()["detail"]
        time.sleep(2)
    finally:
        prod.api_db_proxy.restore()
    assert wait_status(f"{prod.api}/ready", 200).status_code == 200
    time.sleep(2)
    writer.stop.set()
    writer.join(60)
    codes = set(writer.statuses)
    assert len(writer.statuses) < 2 * len(writer.ids)  # stopped by the test, not by running out of conversations
    assert 503 in codes and codes <= {201, 503}, codes  # the cut was felt, and only as 503s
    with prod.api_engine.connect() as conn:
        fb_rows = [
            r[0]
            for r in conn.execute(
                sa.text("SELECT conversation_id FROM feedback WHERE conversation_id LIKE :t"), {"t": f"{tag}-%"}
            )
        ]
        refs = {
            r[0]
            for r in conn.execute(
                sa.text("SELECT reference FROM handoffs WHERE conversation_id LIKE :t"), {"t": f"{tag}-%"}
            )
        }
    assert sorted(fb_rows) == sorted(set(fb_rows)) and set(writer.feedback) <= set(fb_rows)  # once, none lost
    assert set(writer.handoffs) <= refs
    listed = httpx.get(f"{prod.api}/staff/handoffs", params={"limit": 500}, headers={"Authorization": f"Bearer {key}"})
    assert set(writer.handoffs) <= {h["reference"] for h in listed.json()["handoffs"]}
    extra = len(fb_rows) - len(writer.feedback)
    print(f"\nacknowledged: {len(writer.feedback)} feedback, {len(writer.handoffs)} hand-offs; "
          f"refused with 503: {writer.statuses.count(503)}; stored though refused: {extra}")  # fmt: skip


def test_nul_characters_are_refused_by_postgresql_with_a_4xx(prod: ProdStack) -> None:
    """PostgreSQL refuses NUL in text (SQLite takes it): the client gets a 4xx and nothing is stored, for the
    bot (its credential) as for the widget (a conversation of the tracker store)."""
    [cid] = conversations(prod, f"nul-{uuid.uuid4().hex[:8]}", 1)
    for body, headers in (
        ({"conversation_id": cid, "rating": "up", "comment": "a\u0000b"}, SERVICE),
        ({"conversation_id": cid, "rating": "up", "comment": "a\u0000b"}, {}),
        ({"conversation_id": cid + "\u0000", "rating": "up"}, SERVICE),
    ):
        r = httpx.post(f"{prod.api}/feedback", json=body, headers=headers, timeout=15)
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    with prod.api_engine.connect() as conn:
        n = conn.execute(sa.text("SELECT COUNT(*) FROM feedback WHERE conversation_id LIKE :t"), {"t": f"{cid}%"})
        assert n.scalar() == 0


def test_tracker_store_cut_is_reported_by_rasa_readiness(prod: ProdStack) -> None:
    """With its tracker store cut off, Rasa B's readiness route says so (A, connected directly, stays ready)."""
    prod.tracker_proxy.cut()
    try:
        r = wait_status(f"{prod.rasa_b}/webhooks/ready/", 503, timeout=15)
        assert r.status_code == 503 and r.json()["ready"] is False and r.json()["problem"], r.text
        assert httpx.get(f"{prod.rasa_a}/webhooks/ready/", timeout=15).status_code == 200
    finally:
        prod.tracker_proxy.restore()
    assert wait_status(f"{prod.rasa_b}/webhooks/ready/", 200, timeout=30).status_code == 200
