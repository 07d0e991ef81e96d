"""Rate limits at the Rasa server's edge (bot/channels/limits.py, gate.py), on the real server: per conversation
on every channel, per client address on REST and socket.io (read from X-Forwarded-For only behind a trusted
proxy), one ceiling for all of Slack's or Teams' conversations; a message over a limit is answered so, in the
founder's language, and reaches neither the actions nor the tracker store.

The default limits are checked on the shared stack; the per-address and platform limits on a second Rasa
server of the same stack (same API and action server, its own tracker file and Slack and Teams fakes), started
with small limits behind a "proxy" on loopback.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from scripts.stack import free_port, wait_for
from tests.bot.conftest import MODEL, RASA_VENV, ROOT, Stack, rasa_side_report
from tests.bot.fakes.botframework import FakeBotFramework
from tests.bot.fakes.clients import TEAM, SlackUser, TeamsUser, slack_sender, teams_sender, user_turns
from tests.bot.fakes.slack import FakeSlack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SLOW_FR, SLOW_EN = "plus vite que je ne peux répondre", "faster than I can answer"
ADDRESS_LIMIT, PLATFORM_LIMIT, SENDER_LIMIT = 40, 30, 20


def post(rasa: str, sender: str, message: str, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return httpx.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                      headers=headers, timeout=120)


def at_once(calls: list) -> list:
    """The calls made together (one thread each), their results in order."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def user_texts(db: Path, sender: str) -> list[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        rows = conn.execute("SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,))
        return [json.loads(data)["text"] for (data,) in rows.fetchall()]


def settle(count: Callable[[], int], timeout: float = 120, quiet: float = 4.0) -> int:
    """Waits until `count()` stops changing for `quiet` seconds; its last value."""
    deadline, last, since = time.monotonic() + timeout, count(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = count()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return last


def test_a_flood_from_one_sender_is_told_to_slow_down_and_others_are_not(stack: Stack) -> None:
    """Default limits: 30 messages sent at once by one REST sender: 20 answered, 10 refused with 429, Retry-After
    and the "slow down" reply in the founder's language; none of the 10 is stored; another sender, from the same
    address, is answered as usual (before: all 30 answered and stored)."""
    loud, other = f"flood-{uuid.uuid4().hex}", f"calm-{uuid.uuid4().hex}"
    replies = at_once([lambda n=n: post(stack.rasa, loud, f"Bonjour, nous cherchons un financement ({n})")
                       for n in range(30)])
    refused = [r for r in replies if r.status_code == 429]
    assert sorted(r.status_code for r in replies) == [200] * SENDER_LIMIT + [429] * 10
    for r in refused:
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        [said] = r.json()
        assert said["recipient_id"] == loud and SLOW_FR in said["text"], said
    assert len(user_texts(stack.tmp / "rasa.db", loud)) == SENDER_LIMIT
    calm = post(stack.rasa, other, "Bonjour")
    assert calm.status_code == 200 and calm.json() and SLOW_FR not in calm.text


def test_the_slow_down_reply_is_in_english_for_an_english_founder(stack: Stack) -> None:
    """The refusal speaks the founder's language: English for English messages."""
    loud = f"flood-en-{uuid.uuid4().hex}"
    replies = at_once([lambda n=n: post(stack.rasa, loud, f"Hello, we are looking for funding ({n})")
                       for n in range(SENDER_LIMIT + 2)])
    refused = [r.json()[0]["text"] for r in replies if r.status_code == 429]
    assert len(refused) == 2 and all(SLOW_EN in text for text in refused), refused


@dataclass
class Edge:
    rasa: str
    db: Path
    slack: SlackUser
    teams: TeamsUser


@pytest.fixture(scope="module")
def edge(stack: Stack) -> Iterator[Edge]:
    """A second Rasa server on the stack with small limits, trusting X-Forwarded-For from loopback."""
    if not (RASA_VENV / "bin" / "rasa").exists() or not MODEL.exists():
        pytest.skip("the dialogue server is not set up")
    slack_secret = secrets.token_hex(16)
    fake_slack = FakeSlack(f"xoxb-edge-{secrets.token_hex(8)}").start()
    fake_bf = FakeBotFramework(str(uuid.uuid4()), secrets.token_urlsafe(16)).start()
    fake_bf.reachable.set()
    port, db = free_port(), stack.tmp / "edge-rasa.db"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GUICHET_", "SLACK_", "TEAMS_", "RASA_"))},
        "GUICHET_ACTIONS_URL": f"{stack.actions}/webhook",
        "RASA_SQLITE_PATH": str(db),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "GUICHET_CHAT_LIMIT_ADDRESS": f"{ADDRESS_LIMIT}/minute",
        "GUICHET_CHAT_LIMIT_PLATFORM": f"{PLATFORM_LIMIT}/minute",
        "GUICHET_CHAT_LIMIT_EXEMPT": "",
        "GUICHET_CHAT_TRUSTED_PROXIES": "127.0.0.1",
        "SLACK_BOT_TOKEN": fake_slack.token, "SLACK_SIGNING_SECRET": slack_secret,
        "SLACK_API_URL": fake_slack.api_url, "SLACK_CHANNEL": "C0GUICHET",
        "TEAMS_APP_ID": fake_bf.app_id, "TEAMS_APP_PASSWORD": fake_bf.password,
        "TEAMS_TOKEN_URL": fake_bf.token_url, "TEAMS_OPENID_URL": fake_bf.openid_url,
        "TEAMS_ALLOWED_SERVICE_HOSTS": fake_bf.url.removeprefix("http://"),
    }
    log = stack.tmp / "edge-rasa.log"
    proc = subprocess.Popen(
        [str(RASA_VENV / "bin/rasa"), "run", "--model", str(MODEL), "--endpoints", "endpoints.yml",
         "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
        cwd=ROOT / "bot", env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/webhooks/ready/", proc, 240, log)
        yield Edge(url, db, SlackUser(url, db, fake_slack, slack_secret), TeamsUser(url, db, fake_bf))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        fake_slack.stop()
        fake_bf.stop()


def test_one_address_is_limited_whatever_senders_it_uses(edge: Edge) -> None:
    """45 messages from 45 senders behind one address: 40 answered, 5 refused; a forged X-Forwarded-For entry
    written by the client before the proxy's does not escape the limit; another address is answered."""
    address = "203.0.113.20"
    replies = at_once([lambda n=n: post(edge.rasa, f"addr-{n}-{uuid.uuid4().hex[:8]}", "Bonjour", address)
                       for n in range(ADDRESS_LIMIT + 5)])
    assert sorted(r.status_code for r in replies) == [200] * ADDRESS_LIMIT + [429] * 5
    spoofed = post(edge.rasa, f"spoof-{uuid.uuid4().hex}", "Bonjour", f"198.51.100.7, {address}")
    assert spoofed.status_code == 429 and SLOW_FR in spoofed.json()[0]["text"]
    assert post(edge.rasa, f"next-door-{uuid.uuid4().hex}", "Bonjour", "203.0.113.21").status_code == 200


def test_a_widget_flood_gets_one_slow_down_and_the_same_address_still_talks(edge: Edge) -> None:
    """30 socket.io messages at once from one session (in English): 20 reach the conversation, the founder is
    told once, in English; a second session from the same address is answered."""
    report = rasa_side_report("webchat_check.py", "flood", edge.rasa, "203.0.113.30", "30")
    slow = [t for t in report["replies"] if SLOW_EN in t]
    assert len(slow) == 1, report["replies"]
    assert len(user_texts(edge.db, report["session"])) == SENDER_LIMIT
    assert report["calm_replies"] and not any(SLOW_FR in t or SLOW_EN in t for t in report["calm_replies"])


def test_a_slack_flood_is_answered_twenty_times_and_told_once(edge: Edge) -> None:
    """25 Slack messages at once from one person in one thread: 20 turns, one "slow down" post in the thread."""
    user, thread = f"U{uuid.uuid4().hex[:10].upper()}", f"{time.time():.6f}"
    key = slack_sender(TEAM, "C0GUICHET", thread, user)
    events = [edge.slack.event(user, f"Bonjour, nous cherchons un financement ({n})", None if n == 0 else thread,
                               thread if n == 0 else f"{time.time():.6f}{n}") for n in range(25)]
    assert edge.slack.send_event(events[0]).status_code == 200
    assert all(r.status_code == 200 for r in at_once([lambda e=e: edge.slack.send_event(e) for e in events[1:]]))
    assert settle(lambda: user_turns(edge.db, key)) == SENDER_LIMIT
    posts = edge.slack.fake.posts_in("C0GUICHET", thread)
    assert sum(SLOW_FR in p["text"] for p in posts) == 1


def test_teams_conversations_share_one_ceiling(edge: Edge) -> None:
    """35 people writing at once on Teams: 30 conversations get their turn, the other 5 are told to wait."""
    chats = [(f"a:{uuid.uuid4().hex}", str(uuid.uuid4())) for _ in range(PLATFORM_LIMIT + 5)]
    sent = at_once([lambda c=c: edge.teams.post(edge.teams.activity(c[0], c[1], "Bonjour")) for c in chats])
    assert all(r.status_code == 202 for r in sent)
    turns = settle(lambda: sum(user_turns(edge.db, teams_sender(*c)) for c in chats))
    assert turns == PLATFORM_LIMIT
    told = [c for c in chats if any(SLOW_FR in json.dumps(a, ensure_ascii=False)
                                    for a in edge.teams.fake.replies_in(c[0]))]
    assert len(told) == 5 and all(user_turns(edge.db, teams_sender(*c)) == 0 for c in told)
