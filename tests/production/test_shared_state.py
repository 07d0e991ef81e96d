"""Two Rasa servers on one PostgreSQL tracker store and one Redis lock store behave as one bot."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.bot.test_conversations import lever_ids, texts
from tests.production.conftest import ProdStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
VAGUE = "Bonjour, j'ai un projet en santé numérique et je voudrais être accompagné"
ANSWERS = ('/inform{"need":"clinical-evidence"}', "c'est une application mobile", '/inform{"stage":"prototype"}')


def sender(tag: str) -> str:
    return f"prod-{tag}-{uuid.uuid4().hex}"


def asks_to_confirm(out: list[dict]) -> bool:
    return any(b.get("payload") == "/affirm" for m in out for b in m.get("buttons", []))


def qualified(out: list[dict]) -> bool:
    """The form is over: the profile to confirm, or (after the form's questions) the levers at once."""
    return asks_to_confirm(out) or bool(lever_ids(out))


def levers(prod: ProdStack, rasa: str, who: str, out: list[dict]) -> list[str]:
    """The lever cards that end the qualification: those shown, else the ones a "yes" to the summary shows."""
    return lever_ids(out) or lever_ids(prod.say(rasa, who, "/affirm"))


def play_form(prod: ProdStack, who: str, servers: list[str]) -> tuple[list[str], list[dict]]:
    """The vague founder's form, each turn on the next server of the cycle; (questions asked, its end)."""
    out = prod.say(servers[0], who, VAGUE)
    asked = [texts(out)]
    for i, reply in enumerate(ANSWERS, start=1):
        if qualified(out):
            break
        out = prod.say(servers[i % len(servers)], who, reply)
        asked.append(texts(out))
    return asked, out


def slots(prod: ProdStack, who: str) -> dict[str, object]:
    """The last value of each slot in Rasa's store, as any instance would rebuild it."""
    import json

    import sqlalchemy as sa

    q = sa.text("SELECT action_name, data FROM events WHERE sender_id = :s AND type_name = 'slot' ORDER BY id")
    with prod.tracker_engine.connect() as conn:
        return {name: json.loads(data).get("value") for name, data in conn.execute(q, {"s": who})}


def test_alternating_turns_keep_one_state(prod: ProdStack) -> None:
    """Turns alternating between the two servers fill the form once, in order, and end on the same levers."""
    who = sender("alt")
    asked, end = play_form(prod, who, [prod.rasa_a, prod.rasa_b])
    assert qualified(end), asked
    assert len(set(asked)) == len(asked), "a server asked again a question the other had already had answered"
    state = slots(prod, who)
    assert state.get("stage") == "prototype" and "clinical-evidence" in (state.get("needs") or [])
    assert state.get("requested_slot") is None  # the form completed on the shared tracker
    assert levers(prod, prod.rasa_b if len(asked) % 2 else prod.rasa_a, who, end)[0] == "clinical-evaluation"
    assert slots(prod, who).get("recommended", [None])[0] == "clinical-evaluation"


def test_concurrent_turns_for_one_sender_lose_no_event(prod: ProdStack) -> None:
    """Messages of one sender sent to both servers at once are all recorded, one whole turn after another."""
    who = sender("race")
    prod.say(prod.rasa_a, who, "Bonjour")
    rounds, sent = 12, 1
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for n in range(rounds):
            futures = [pool.submit(prod.say, url, who, f"Bonjour ({n}-{i})") for i, url in enumerate(prod.url_pair)]
            replies = [f.result(timeout=120) for f in futures]
            assert all(replies), replies  # each turn was answered
            sent += 2
    elapsed = time.monotonic() - started
    events = prod.events(who)
    users = [i for i, e in enumerate(events) if e[0] == "user"]
    assert len(users) == sent, events
    for i in users:  # every message came while the bot listened: no turn started inside another one
        assert events[i - 1] == ("action", "action_listen"), events[max(0, i - 4) : i + 1]
    bots = sum(1 for e in events if e[0] == "bot")
    assert bots >= sent and events[-1] == ("action", "action_listen")
    print(f"\n{rounds} rounds of 2 concurrent turns for one sender: {elapsed:.2f}s")


def test_staff_api_lists_and_reads_the_conversation(prod: ProdStack) -> None:
    """A conversation played across both servers is listed and read back whole by the staff API on PostgreSQL."""
    who = sender("staff")
    asked, end = play_form(prod, who, [prod.rasa_a, prod.rasa_b])
    confirmed = 0 if lever_ids(end) else 1  # a "yes" to the summary, when the levers did not come at once
    levers(prod, prod.rasa_a, who, end)
    headers = {"Authorization": f"Bearer {prod.key('read')}"}
    with httpx.Client(base_url=prod.api, headers=headers, timeout=30) as api:
        listed = api.get("/staff/conversations", params={"limit": 500, "lever": "clinical-evaluation"})
        assert listed.status_code == 200 and listed.json()["tracker"] == "ok"
        mine = next(c for c in listed.json()["conversations"] if c["id"] == who)
        assert mine["turns"] >= len(asked) and mine["lang"] == "fr"
        detail = api.get(f"/staff/conversations/{who}").json()
        founder = [t["text"] for t in detail["transcript"] if t["role"] == "founder"]
        assert founder[0] == VAGUE and len(founder) == len(asked) + confirmed
        assert any(t["role"] == "assistant" for t in detail["transcript"])
        assert api.delete(f"/staff/conversations/{who}").status_code == 403  # a read key cannot erase
