"""Run in .venv-rasa (tests/bot/test_stores.py): bot/stores.py's CheckedSQLTrackerStore against Rasa's own.

Plays the same turns on Rasa's SQLTrackerStore and on ours (each on its own SQLite file, or on a PostgreSQL
database given as a URL): retrieves, events added, several saves within a turn, a tracker saved without a
retrieve, a new session, and prints one JSON report: the rows of the two events tables (ids aside), the
trackers read back, and the SQL each store ran while saving.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


def make_store(cls: Any, target: str, domain: Any) -> Any:
    if target.startswith("postgresql://"):
        import sqlalchemy as sa

        url = sa.engine.make_url(target)
        return cls(domain=domain, dialect="postgresql", host=url.host, port=url.port, db=url.database,
                   username=url.username, password=url.password)
    return cls(domain=domain, dialect="sqlite", db=target)


async def play(store: Any, domain: Any) -> dict:
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    statements: list[str] = []
    counting = {"on": False}

    import sqlalchemy as sa

    @sa.event.listens_for(store.engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if counting["on"]:
            statements.append(statement.split()[0].upper() + (" COUNT" if "count(" in statement.lower() else ""))

    connects = {"n": 0}

    @sa.event.listens_for(store.engine, "connect")
    def _connect(*args: Any) -> None:
        connects["n"] += 1

    ts = iter(range(1_000_000, 2_000_000))

    def stamp(event: Any) -> Any:
        event.timestamp = float(next(ts))
        return event

    # a conversation Rasa's way: created (no retrieve), then turns retrieved and saved
    tracker = DialogueStateTracker("alice", domain.slots)
    for e in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(stamp(e))
    await store.save(tracker)
    for turn in range(6):
        counting["on"] = turn == 5
        tracker = await store.retrieve("alice")
        tracker.update(stamp(UserUttered(f"message {turn}", {"name": "describe_project", "confidence": 0.9})))
        await store.save(tracker)  # Rasa saves after logging the message…
        tracker.update(stamp(SlotSet("stage", "prototype")))
        tracker.update(stamp(ActionExecuted("utter_greet")))
        tracker.update(stamp(BotUttered(f"réponse {turn} ✓", {"elements": None})))
        tracker.update(stamp(ActionExecuted("action_listen")))
        await store.save(tracker)  # …and after the turn
        await store.save(tracker)  # nothing new: nothing written
    counting["on"] = False
    # a new session in the same conversation: later retrieves see that session only
    tracker = await store.retrieve("alice")
    for e in (ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")):
        tracker.update(stamp(e))
    await store.save(tracker)
    tracker = await store.retrieve("alice")
    tracker.update(stamp(UserUttered("nouvelle session", {"name": "greet", "confidence": 1.0})))
    await store.save(tracker)
    # a tracker built elsewhere, not retrieved: the store must count what it holds
    other = DialogueStateTracker.from_dict("alice", [e.as_dict() for e in (await store.retrieve("alice")).events],
                                           domain.slots)
    other.update(stamp(ActionExecuted("action_listen")))
    await store.save(other)
    latest = await store.retrieve("alice")
    full = await store.retrieve_full_tracker("alice")
    with store.engine.connect() as conn:
        rows = [list(r) for r in conn.execute(sa.text(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events "
            "WHERE sender_id = 'alice' ORDER BY id"))]
    return {
        "rows": rows,
        "latest": [e.as_dict() for e in latest.events],
        "full": [e.as_dict() for e in full.events],
        "turn_sql": statements,
        "connects": connects["n"],
    }


async def main(targets: list[str]) -> dict:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain

    from stores import CheckedSQLTrackerStore

    domain = Domain.load(str(BOT / "domain"))
    rasa_store = make_store(SQLTrackerStore, targets[0], domain)
    ours = make_store(CheckedSQLTrackerStore, targets[1], domain)
    return {"rasa": await play(rasa_store, domain), "ours": await play(ours, domain),
            "pool": type(ours.engine.pool).__name__}


if __name__ == "__main__":
    print("REPORT " + json.dumps(asyncio.run(main(sys.argv[1:3])), ensure_ascii=False, default=str))
