"""Run in .venv-rasa (tests/bot/test_stores.py): bot/stores.py's EnvRedisLockStore against Rasa's RedisLockStore.

The same ticket operations (issue, wait check, update, cleanup; tickets expiring on a controlled clock) are
played on Rasa's store and on ours, each under its own key prefix in a real Redis; after every step the two
lock values must hold the same tickets. Then each store is raced: threads of two store instances take tickets
for one conversation at once (ours must never hand out one number twice). Then the round trips of one turn
(Rasa's `lock()` context) are counted on both. Prints one JSON report line.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Any

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.25
        self.real = time.time

    def __call__(self) -> float:
        return self.now


def state(store: Any, conversation: str) -> Any:
    """The lock's value as Rasa reads it: (conversation id, [(number, expires)]), or None."""
    raw = store.red.get(store.key_prefix + conversation)
    if raw is None:
        return None
    data = json.loads(raw)
    return data["conversation_id"], [(json.loads(t)["number"], json.loads(t)["expires"]) for t in data["tickets"]]


def play(stores: dict[str, Any], clock: Clock) -> list[dict[str, Any]]:
    """The scenario on every store; the states after each step, per store."""
    steps: list[dict[str, Any]] = []
    conv = "founder-é/1"  # not only ASCII, and a slash (JSON escapes)

    def step(name: str, action: Any) -> None:
        out = {}
        for label, store in stores.items():
            result = action(store)
            lock = store.get_lock(conv)
            out[label] = {"result": result, "state": state(store, conv),
                          "locked": {n: lock.is_locked(n) for n in range(6)} if lock else None}
        steps.append({"step": name, **out})

    step("issue 0", lambda s: s.issue_ticket(conv, 30))
    clock.now += 1
    step("issue 1", lambda s: s.issue_ticket(conv, 30))
    step("issue 2 (short)", lambda s: s.issue_ticket(conv, 5))
    step("update, nothing expired", lambda s: s.update_lock(conv))
    clock.now += 10  # ticket 2 expired
    step("update drops the expired", lambda s: s.update_lock(conv))
    step("cleanup 0 (1 waits)", lambda s: s.cleanup(conv, 0))
    step("issue 3 after 1", lambda s: s.issue_ticket(conv, 30))
    step("cleanup of an unknown ticket", lambda s: s.cleanup(conv, 42))
    clock.now += 100  # every ticket expired
    step("issue after all expired", lambda s: s.issue_ticket(conv, 30))
    step("cleanup the last one deletes the lock", lambda s: s.cleanup(conv, 0))
    step("update without a lock", lambda s: s.update_lock(conv))
    step("cleanup without a lock", lambda s: s.cleanup(conv, 0))
    step("issue on a fresh lock", lambda s: s.issue_ticket(conv, 60))
    clock.now += 0.000123
    step("issue with sub-millisecond times", lambda s: s.issue_ticket(conv, 0.5))
    return steps


def race(make: Any, conversation: str, threads: int = 8, per_thread: int = 25) -> dict[str, int]:
    """Threads of two store instances take tickets for one conversation together; duplicates counted."""
    a, b = make(), make()
    drawn: list[int] = []
    guard = threading.Lock()
    start = threading.Barrier(threads)

    def work(i: int) -> None:
        store = a if i % 2 else b
        start.wait()
        for _ in range(per_thread):
            n = store.issue_ticket(conversation, 60)
            with guard:
                drawn.append(n)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"drawn": len(drawn), "distinct": len(set(drawn)), "tickets_kept": len(state(a, conversation)[1])}


def round_trips(store: Any, conversation: str) -> int:
    """Redis commands sent for one turn through Rasa's own lock() context manager."""
    sent = {"n": 0}
    real = store.red.execute_command

    def counted(*args: Any, **kwargs: Any) -> Any:
        sent["n"] += 1
        return real(*args, **kwargs)

    store.red.execute_command = counted
    store.red.get(store.key_prefix + "warm")  # scripts loaded, connection open
    sent["n"] = 0

    async def turn() -> None:
        async with store.lock(conversation):
            pass

    asyncio.run(turn())
    store.red.execute_command = real
    return sent["n"]


def main() -> None:
    import rasa.core.lock as rasa_lock
    from rasa.core.lock_store import RedisLockStore
    from rasa.utils.endpoints import EndpointConfig

    import stores

    url = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    tag = secrets.token_hex(4)

    def rasa_store(prefix: str) -> Any:
        return RedisLockStore(host=url, db=1, key_prefix=prefix)

    def our_store(prefix: str) -> Any:
        return stores.EnvRedisLockStore(EndpointConfig(url=url, db=1, key_prefix=prefix))

    clock = Clock()
    rasa_lock.time.time = clock  # Rasa's tickets read time.time(); so do ours (one module, one patch)
    try:
        steps = play({"rasa": rasa_store(f"rasa{tag}"), "ours": our_store(f"ours{tag}")}, clock)
    finally:
        rasa_lock.time.time = clock.real
    report = {
        "steps": steps,
        "race": {"rasa": race(lambda: rasa_store(f"rasa{tag}"), "race"),
                 "ours": race(lambda: our_store(f"ours{tag}"), "race")},
        "round_trips": {"rasa": round_trips(rasa_store(f"rasa{tag}"), "turn"),
                        "ours": round_trips(our_store(f"ours{tag}"), "turn")},
    }
    cleaner = rasa_store("x")
    for key in cleaner.red.scan_iter(match=f"*{tag}*"):
        cleaner.red.delete(key)
    print("REPORT " + json.dumps(report))


if __name__ == "__main__":
    main()
