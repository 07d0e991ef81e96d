"""The staff API over a real conversation: Rasa records it, the API lists, reads and erases it."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
import uuid

import httpx
import pytest

from tests.bot.conftest import ROOT, Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _admin_key(stack: Stack) -> str:
    """A key made with the CLI on the stack API's own database (same GUICHET_DATA_DIR)."""
    env = {**os.environ, "GUICHET_DATA_DIR": str(stack.tmp / "data")}
    res = subprocess.run(
        [str(ROOT / ".venv/bin/guichet"), "keys", "create", "--scope", "admin", "--name", "e2e"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return res.stdout.strip().splitlines()[-1]


def _wait_for_model(stack: Stack, timeout: float = 600) -> None:
    """Rasa answers on / before its model is loaded (and meanwhile replies nothing): wait for its readiness route."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{stack.rasa}/webhooks/ready/", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise AssertionError(f"Rasa's model not loaded after {timeout}s")


def _events(stack: Stack, sender: str) -> int:
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0]


def test_conversation_listed_read_and_erased(stack: Stack) -> None:
    """A played conversation appears in the staff list with its levers, reads back, and erasure empties Rasa's store."""
    who = f"staff-e2e-{uuid.uuid4().hex}"
    first = "Nous avons un prototype de logiciel et cherchons un financement pour le développer"
    _wait_for_model(stack)
    out = stack.say(who, first)
    if any(b.get("payload") == "/affirm" for m in out for b in m.get("buttons", [])):
        out = stack.say(who, "/affirm")
    assert out and _events(stack, who) > 0
    headers = {"Authorization": f"Bearer {_admin_key(stack)}"}
    with httpx.Client(base_url=stack.api, headers=headers, timeout=30) as api:
        listed = api.get("/staff/conversations", params={"limit": 500}).json()
        assert listed["tracker"] == "ok"
        mine = next(c for c in listed["conversations"] if c["id"] == who)
        assert mine["turns"] >= 1 and mine["lang"] == "fr" and mine["profile"]["needs"]
        detail = api.get(f"/staff/conversations/{who}").json()
        assert detail["transcript"][0] == {**detail["transcript"][0], "role": "founder", "text": first}
        assert any(t["role"] == "assistant" for t in detail["transcript"])
        assert api.get("/staff/analytics").json()["conversations"]["total"] >= 1
        erased = api.delete(f"/staff/conversations/{who}")
        assert erased.status_code == 200 and erased.json()["deleted"]["events"] > 0
        assert api.get(f"/staff/conversations/{who}").status_code == 404
    assert _events(stack, who) == 0
