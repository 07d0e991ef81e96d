"""A Rasa server killed outright (SIGKILL) mid-form: the conversation goes on from the shared tracker store."""

from __future__ import annotations

import contextlib
import threading
import time

import httpx
import pytest

from tests.bot.test_conversations import texts
from tests.production.conftest import ProdStack
from tests.production.test_shared_state import ANSWERS, VAGUE, levers, qualified, sender, slots

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_rasa_killed_between_turns_mid_form_goes_on_elsewhere_and_after_restart(prod: ProdStack) -> None:
    """Killed while its form waits for an answer, server A's conversation goes on on B, then on the restarted A."""
    who = sender("rasakill")
    first = texts(prod.say(prod.rasa_a, who, VAGUE))
    out = prod.say(prod.rasa_a, who, ANSWERS[0])
    assert slots(prod, who).get("requested_slot")  # mid-form
    prod.kill("rasa_a")
    try:
        out = prod.say(prod.rasa_b, who, ANSWERS[1])
        assert texts(out) != first and "clinical-evidence" in (slots(prod, who).get("needs") or [])
    finally:
        prod.restart("rasa_a")
    if not qualified(out):
        out = prod.say(prod.rasa_a, who, ANSWERS[2])
    assert qualified(out), texts(out)
    assert levers(prod, prod.rasa_a, who, out)[0] == "clinical-evaluation"


def test_rasa_killed_during_a_turn_leaves_the_conversation_going_on_elsewhere(prod: ProdStack) -> None:
    """Killed while it holds a turn's lock, server B costs at most the next turn; the one after goes on on A."""
    who = sender("rasakill-turn")
    prod.say(prod.rasa_b, who, VAGUE)

    def turn() -> None:
        with contextlib.suppress(httpx.HTTPError):  # the connection dies with the server
            prod.say(prod.rasa_b, who, "Quel budget pour la formation ?")

    worker = threading.Thread(target=turn, daemon=True)
    worker.start()
    deadline, key = time.monotonic() + 20, f"{prod.redis_prefix}:lock:{who}".encode()
    while key not in prod.lock_keys() and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    held = key in prod.lock_keys()  # the lock store in use is Redis, under this run's prefix
    prod.kill("rasa_b")
    worker.join(30)
    try:
        assert held, "the turn finished before the kill: the test proved nothing"
        started = time.monotonic()
        first = prod.say(prod.rasa_a, who, ANSWERS[0], timeout=120)
        waited = time.monotonic() - started
        users = sum(1 for e in prod.events(who) if e[0] == "user")
        out = first or prod.say(prod.rasa_a, who, ANSWERS[0], timeout=120)
        print(f"\nfirst turn after the kill: {waited:.1f}s, {len(first)} message(s); user events then: {users}")
        assert out and "clinical-evidence" in (slots(prod, who).get("needs") or [])
        assert key not in prod.lock_keys()  # the stale ticket is gone with the turn that outlived it
    finally:
        prod.restart("rasa_b")
