"""The web widget's socket.io sessions on the real Rasa server (bot/channels/webchat.py): bound to the socket
that opened them by a server-signed token; knowing a session's id gives neither its replies nor its voice."""

from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest

from tests.bot.conftest import Stack, rasa_side_report

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SESSION_ID, TOKEN = re.compile(r"[0-9a-f]{64}"), re.compile(r"[A-Za-z0-9_-]{43}")


def user_texts(stack: Stack, sender: str) -> list[str]:
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,))
        return [json.loads(data)["text"] for (data,) in rows.fetchall()]


@pytest.fixture(scope="module")
def report(stack: Stack) -> dict:
    return rasa_side_report("webchat_check.py", "sessions", stack.rasa)


def test_the_server_issues_the_session_and_its_token(report: dict) -> None:
    """A socket asking for a new session gets a 64-hex id and a 43-character token, and its replies."""
    victim = report["victim"]
    assert SESSION_ID.fullmatch(victim["session_id"]) and TOKEN.fullmatch(victim["session_token"])
    assert report["first"] and report["second"]


def test_an_attacker_knowing_the_id_gets_neither_the_session_nor_its_replies(report: dict) -> None:
    """Claiming the victim's id without its token (none, made up, one character off, another session's, or with
    a malformed id) gives a new, empty session each time; the attacker's socket receives none of the victim's
    replies (before: it joined the victim's room and got them live)."""
    victim = report["victim"]["session_id"]
    ids = [c["session_id"] for c in report["refused"]]
    assert len(ids) == 6 and victim not in ids and len(set(ids)) == 6
    assert all(SESSION_ID.fullmatch(i) for i in ids)
    assert report["attacker_replies"] == []


def test_an_attacker_cannot_speak_in_the_victims_conversation(report: dict, stack: Stack) -> None:
    """Messages naming the victim's session from a socket that did not join it (before any session, or from
    its own) reach no conversation: the victim's holds only what the victim said (before: stored as theirs)."""
    victim = report["victim"]["session_id"]
    assert user_texts(stack, victim) == ["Bonjour", "Merci beaucoup", "Je cherche un financement pour mon application"]
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        assert db.execute("SELECT count(*) FROM events WHERE data LIKE '%ATTACK-%'").fetchone() == (0,)


def test_the_token_resumes_the_session_on_a_new_socket(report: dict) -> None:
    """A reconnecting socket that shows the session's token is confirmed in the same session and answered."""
    assert report["resumed"] == report["victim"]
    assert report["third"]


def test_the_rest_channel_cannot_write_in_a_widget_session(report: dict, stack: Stack) -> None:
    """A REST message whose sender is a widget session's id (or a Slack or Teams conversation's) is a 403 and
    reaches no conversation."""
    victim = report["victim"]["session_id"]
    before = user_texts(stack, victim)
    for sender in (victim, "slack:T1:C1:-:U1", "teams:" + "0" * 40):
        r = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": "Bonjour"}, timeout=30)
        assert r.status_code == 403, (sender, r.status_code, r.text[:300])
    assert user_texts(stack, victim) == before
