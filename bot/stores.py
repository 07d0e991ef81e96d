"""A SQL tracker store that refuses to lose conversations silently.

Rasa wraps every tracker store in a FailSafeTrackerStore that, when saving fails, logs one error and keeps
the conversation in memory only (lost at the next restart, invisible to other instances); a store whose
class cannot be imported silently becomes an InMemoryTrackerStore. This subclass checks at start that its
database really holds the events table (Rasa refuses to start otherwise), says loudly when a save fails,
and counts failures so the readiness route (readiness.py) can report them.

Before any row is written, the events pass through redaction.py: the hand-off form's name and e-mail address
are never stored once the form is over, and what was typed for them is never stored at all (issue 19, item 1).

EnvRedisLockStore, the production lock store, lives here too: the module is already importable by Rasa.
Both endpoint files name this module: Rasa builds the tracker store at start, before it loads the model,
and its constructor applies speedups.py there (`speedups.apply`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

import redaction
import speedups
from channels.settings import settings

log = logging.getLogger(__name__)


# Rasa's ticket lock (rasa/core/lock.py) is one JSON value per conversation: {"conversation_id": …,
# "tickets": ["{\"number\": n, \"expires\": t}", …]}, each ticket itself a JSON string. These scripts do
# what Rasa's issue_ticket, update_lock and cleanup do to that value (expired tickets dropped first, by the
# clock of the server that asks, as Rasa does), each as one atomic Redis call, in Rasa's format.
_LUA_KEEP = """
local function keep(raw, now, skip)
  local kept, strings = {}, {}
  if raw then
    for _, s in ipairs(cjson.decode(raw)['tickets'] or {}) do
      local t = cjson.decode(s)
      if not (now > tonumber(t['expires'])) and tonumber(t['number']) ~= skip then
        table.insert(kept, tonumber(t['number']))
        table.insert(strings, cjson.encode(s))
      end
    end
  end
  return kept, strings
end
local function lock(cid, strings)
  return '{"conversation_id": ' .. cid .. ', "tickets": [' .. table.concat(strings, ', ') .. ']}'
end
"""
# KEYS[1] lock key; ARGV: conversation id (JSON), now, lifetime. Returns the new ticket's number.
_LUA_ISSUE = _LUA_KEEP + """
local now, lifetime = tonumber(ARGV[2]), tonumber(ARGV[3])
local kept, strings = keep(redis.call('GET', KEYS[1]), now, nil)
local number = 0
if #kept > 0 then number = kept[#kept] + 1 end
table.insert(strings, cjson.encode(string.format('{"number": %d, "expires": %.17g}', number, now + lifetime)))
redis.call('SET', KEYS[1], lock(ARGV[1], strings))
return number
"""
# KEYS[1] lock key; ARGV: conversation id (JSON), now. Drops expired tickets of an existing lock.
_LUA_UPDATE = _LUA_KEEP + """
local raw = redis.call('GET', KEYS[1])
if raw then
  local _, strings = keep(raw, tonumber(ARGV[2]), nil)
  redis.call('SET', KEYS[1], lock(ARGV[1], strings))
end
return 0
"""
# KEYS[1] lock key; ARGV: conversation id (JSON), now, the finished ticket's number. Deletes the lock when
# nobody else holds a ticket.
_LUA_CLEANUP = _LUA_KEEP + """
local kept, strings = keep(redis.call('GET', KEYS[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
if #kept == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], lock(ARGV[1], strings))
end
return #kept
"""


class EnvRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store, its db and key prefix defaulted from RASA_REDIS_DB / RASA_REDIS_PREFIX, its
    ticket updates atomic and in one round trip each.

    Rasa's endpoint files cannot give a variable a default (an unset ${VAR} stops the server), and several
    bots or test runs may share one Redis: the prefix (alphanumeric) keeps their locks apart.

    Rasa's ticket lock is a JSON value that issue_ticket, update_lock and cleanup each read, change and write
    back (GET, then SET or DEL) without any atomicity: two servers taking a ticket for one conversation at
    the same moment can both read the same state, draw the same ticket number and process two turns at
    once, so one turn's events are lost (seen in tests/production/test_shared_state.py). Each of the three
    runs here as one Lua script, which Redis executes atomically: no lost update, and a turn costs three
    round trips (ticket, check, cleanup) instead of the eleven of Rasa's calls behind a mutex, each of which
    blocked Rasa's event loop. The value stays in Rasa's format (get_lock, which the wait loop calls, is
    Rasa's). tests/bot/rasa_side/locks_check.py plays the same operations on both stores.
    """

    def __init__(self, endpoint_config: Any) -> None:
        kwargs = dict(endpoint_config.kwargs)
        kwargs.setdefault("db", settings().redis.db)
        kwargs.setdefault("key_prefix", settings().redis.prefix)
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)
        self._issue = self.red.register_script(_LUA_ISSUE)
        self._update = self.red.register_script(_LUA_UPDATE)
        self._cleanup = self.red.register_script(_LUA_CLEANUP)

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        try:
            return int(self._issue(keys=[self._key(conversation_id)],
                                   args=[json.dumps(conversation_id), repr(time.time()), repr(float(lock_lifetime))]))
        except Exception as exc:  # Rasa's issue_ticket turns any failure into a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{exc}") from exc

    def update_lock(self, conversation_id: str) -> None:
        self._update(keys=[self._key(conversation_id)], args=[json.dumps(conversation_id), repr(time.time())])

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._cleanup(keys=[self._key(conversation_id)],
                      args=[json.dumps(conversation_id), repr(time.time()), str(int(ticket_number))])


def _sqlite_wal(engine: Any) -> None:
    """Rasa's SQLite file in WAL mode with synchronous=NORMAL, as the API's own database.

    Rasa's store runs synchronous SQL inside the server's event loop: in the default rollback-journal mode
    every commit waits for fsync, and every conversation of the server waits with it. In WAL mode a commit
    appends to the log and fsyncs at checkpoints only: a committed turn survives the server being killed
    (the kill tests), only a power cut or an OS crash can take back the last commits; the API reads the file
    meanwhile. Measured gain on this machine's disk: small (50 founders 2 s apart: 16.6 turns/s against
    15.9), since a turn is mostly CPU.
    """

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA secure_delete=ON")  # a scrubbed contact value's old bytes are zeroed, not left
        cursor.close()

    engine.dispose()  # connections opened before the listener (table creation) go; new ones get the pragmas


def _pooled_sqlite(engine: Any) -> Any:
    """The same SQLite file behind a pool of kept connections.

    SQLAlchemy 1.4 gives a file SQLite database a NullPool: every session Rasa opens (two or three a turn)
    opened a new connection and ran the pragmas above again, 6 % of the server's CPU under load. Rasa
    runs the store from its event loop thread, but checks are off so the pool may hand a connection to
    any thread.
    """
    url = engine.url
    engine.dispose()
    return sa.create_engine(
        url, poolclass=sa.pool.QueuePool, pool_size=2, max_overflow=4, pool_pre_ping=False,
        connect_args={"check_same_thread": False},
    )


# How many of a tracker's events the store holds, kept on the tracker object between a retrieve and the
# saves of the same turn (see CheckedSQLTrackerStore.save).
_STORED = "_guichet_stored_events"
_R = TypeVar("_R")


def _touches_contact(events: Any) -> bool:
    """Whether the hand-off form ran, or a contact slot or entity was set, in these events (else nothing to
    redact, and the events are stored as they are)."""
    for e in events:
        if isinstance(e, ActiveLoop) and e.name == redaction.CONTACT_FORM:
            return True
        if isinstance(e, SlotSet) and e.key in redaction.CONTACT_SLOTS:
            return True
        if isinstance(e, UserUttered) and any(x.get("entity") in redaction.CONTACT_SLOTS for x in e.entities or []):
            return True
    return False


class TrackerStoreUnusable(RuntimeError):
    """The configured conversation store cannot hold conversations."""


class CheckedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + a start-up probe, loud save failures and a failure count; and cheaper turns.

    Rasa's store reads a conversation through ORM objects and, at every save, counts the stored events
    with the same query (to know which events are new) and adds the new ones one ORM object at a time:
    under load that was a fifth of the server's CPU. Here a retrieve reads only the events' JSON and
    remembers on the tracker how many events the store held; the saves of that turn insert what lies
    beyond in one statement and move the mark. Rasa's lock store keeps a conversation's turns from
    overlapping, so within a turn nobody else adds events; a tracker without the mark (created, or
    retrieved by other code) takes Rasa's counting path. The rows written are Rasa's own.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        speedups.apply(settings().speedups)  # the one place: Rasa builds this store at start, before the model
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            if self.engine.url.database not in (None, "", ":memory:"):
                self.engine = _pooled_sqlite(self.engine)
                self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
            _sqlite_wal(self.engine)
        self._threaded = self.engine.dialect.name != "sqlite"
        self.failed_saves = 0
        self.last_error: str | None = None
        problem = self.probe()
        if problem:
            raise TrackerStoreUnusable(
                f"the conversation store at {self.engine.url!r} is unusable ({problem}); refusing to start "
                "rather than keep conversations in memory only"
            )

    def probe(self) -> str | None:
        """None when the events table can be read, else what is wrong."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text(f"SELECT COUNT(*) FROM {self.SQLEvent.__tablename__} WHERE 1 = 0"))
        except Exception as exc:  # any failure means the same: conversations cannot be stored
            return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        return None

    async def _db(self, work: Callable[..., _R], *args: Any) -> _R:
        """Database work off Rasa's event loop for a database server (the loop serves other conversations
        while PostgreSQL answers and commits); in the loop for SQLite, whose calls are shorter than the
        hand-off to a thread. Within one conversation Rasa's lock keeps turns apart, as before."""
        if self._threaded:
            return await asyncio.to_thread(work, *args)
        return work(*args)

    def _read_events(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list[Any]:
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            return [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data).all()]

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        """Rasa's query (the latest session, or all of them), reading only the events' JSON."""
        events = await self._db(self._read_events, sender_id, fetch_events_from_all_sessions)
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:  # the same query Rasa's save counts with
            setattr(tracker, _STORED, len(events))
        return tracker

    def _rows(self, tracker: DialogueStateTracker, start: int) -> tuple[list[dict[str, Any]], bool]:
        """The events table's rows for the tracker's events from `start` on, column for column as
        SQLTrackerStore.save writes them but with the hand-off form's personal data redacted; and whether the
        contact values the store already holds must be scrubbed (redaction.py)."""
        if not _touches_contact(tracker.events):
            events = [e.as_dict() for e in itertools.islice(tracker.events, start, None)]
            scrub = False
        else:
            every = [e.as_dict() for e in tracker.events]
            live = tracker.active_loop_name == redaction.CONTACT_FORM
            events = redaction.stored_events(every, start, live)
            scrub = redaction.must_scrub(every, start, live)
        rows = []
        for data in events:
            rows.append({
                "sender_id": tracker.sender_id,
                "type_name": data["event"],
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            })
        return rows, scrub

    def _scrub(self, session: Any, sender_id: str) -> None:
        """Null the contact slots' values the store holds for this conversation (the form is over)."""
        table = self.SQLEvent.__table__
        held = session.execute(
            sa.select(table.c.id, table.c.data).where(
                table.c.sender_id == sender_id, table.c.type_name == "slot",
                table.c.action_name.in_(redaction.CONTACT_SLOTS))
        ).all()
        for row_id, data in held:
            clean = redaction.scrubbed(data)
            if clean is not None:
                session.execute(table.update().where(table.c.id == row_id).values(data=clean))

    def _write(self, tracker: DialogueStateTracker, start: int | None) -> None:
        """Insert the events from `start` on; None: the tracker carries no mark, so count what is stored, Rasa's
        way. Contact values are scrubbed in the same transaction; on SQLite the log is then folded into the
        database and emptied, so no page holding them stays in the -wal file."""
        with self.session_scope() as session:
            if start is None:
                start = len(tracker.events) - len(list(self._additional_events(session, tracker)))
            rows, scrub = self._rows(tracker, start)
            if scrub:
                self._scrub(session, tracker.sender_id)
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        if scrub and self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def _save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        stored = getattr(tracker, _STORED, None)
        total = len(tracker.events)
        start = stored if stored is not None and stored <= total else None
        await self._db(self._write, tracker, start)
        setattr(tracker, _STORED, total)

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except Exception as exc:
            self.failed_saves += 1
            self.last_error = type(exc).__name__
            log.critical(
                "CONVERSATION NOT STORED: saving to %s failed (%s); Rasa keeps it in memory only, it will be "
                "lost at restart. Readiness now reports the store as failing.",
                self.engine.url.drivername,
                type(exc).__name__,
            )
            raise
