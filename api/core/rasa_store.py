"""Rasa's SQL tracker store: the only code of the API that knows its `events` table and the JSON in it.

Written for rasa.core.tracker_store.SQLTrackerStore of Rasa 3.6 (bot/requirements.txt): one row per event with
sender_id (indexed: one conversation), type_name, timestamp (float epoch), intent_name, action_name (for slot
events: the slot's name) and data, the event as Rasa's Event.as_dict() gives it, json.dumps'd. The API never
writes events; it reads them, and deletes a conversation's (erasure) or idle ones' (retention). The store
records no Rasa version, so what is checked at start (`check`, by `tracker_engine`) is what this module relies
on: the table's columns, and the shape of its newest event. JSON is read with the database's JSON functions
(SQLite, PostgreSQL) or decoded here, never matched as text; the rest of the API gets values, never a column
or a JSON key of Rasa's. One module on purpose, longer than the others: all the API knows of Rasa's storage.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from ..db import secure_delete, server_connect_args, sqlite_path

log = logging.getLogger("guichet.tracker")
RASA_SERIES = "3.6"  # the Rasa whose store this reads (bot/requirements.txt); see the module docstring
DIALECTS = ("sqlite", "postgresql")  # the databases the JSON reads below are written for
# The same columns as SQLTrackerStore.SQLEvent (Rasa creates the table and its sender_id index).
EVENTS = sa.Table(
    "events",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)
E = EVENTS.c


class StoreMismatch(RuntimeError):
    """The tracker store is not the one this module reads: refused at start rather than misread."""


# --- the store: engine, state, the probe at start -------------------------------------------------------------


def tracker_engine(url: str) -> Engine:
    """An engine on Rasa's store, probed (StoreMismatch when it is not Rasa's); nothing is created: an absent
    SQLite file stays absent until Rasa makes it, a store that cannot be reached yet is reported, not refused."""
    engine = _engine(url)
    try:
        check(engine)
    except StoreMismatch:
        engine.dispose()
        raise
    return engine


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True, connect_args=server_connect_args(url))
    engine = sa.create_engine(url, connect_args={"timeout": 10})
    _warn_if_readable(sqlite_path(url))

    @sa.event.listens_for(engine, "connect")
    def _read_fast(dbapi_conn, _record) -> None:  # memory-mapped reads: whole-table scans ~1.5x faster
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA mmap_size=268435456")  # per connection; nothing changes in Rasa's file
        cur.close()
        secure_delete(dbapi_conn)  # erasure and purge delete through these connections

    return engine


def _warn_if_readable(path: Path | None) -> None:
    """Rasa creates its file (scripts/run_all.sh gives it a private umask); say so if others can read it."""
    try:
        if path is not None and path.stat().st_mode & 0o077:
            log.warning("Rasa's tracker store %s can be read by other users: chmod 600 it (and its -wal, -shm)", path)
    except OSError:
        pass


def _sqlite_file_missing(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return False
    db = engine.url.database
    return bool(db) and db != ":memory:" and not Path(str(db)).exists()


def tracker_state(engine: Engine) -> str:
    """'ok', 'absent' (Rasa has not created its store yet), 'incompatible (what lacks)' or 'down (Error)'."""
    if _sqlite_file_missing(engine):
        return "absent"
    try:
        columns = {c["name"] for c in sa.inspect(engine).get_columns(EVENTS.name)}
    except NoSuchTableError:
        return "absent"
    except SQLAlchemyError as exc:
        return f"down ({type(exc).__name__})"
    lacking = [c.name for c in EVENTS.columns if c.name not in columns]
    if engine.dialect.name not in DIALECTS:
        return f"incompatible (a {engine.dialect.name} database: {' and '.join(DIALECTS)} only)"
    return f"incompatible (table events lacks {', '.join(lacking)})" if lacking else "ok"


def has_events(engine: Engine) -> bool:
    """True when the events table can be read; routes answer with empty results otherwise."""
    return tracker_state(engine) == "ok"


def check(engine: Engine) -> str:
    """The state, after refusing a store this module would misread: a table without the columns it reads,
    or a newest event that is not Rasa 3's JSON (the event's type under "event", a numeric "timestamp")."""
    state = tracker_state(engine)
    if state.startswith("incompatible"):
        raise StoreMismatch(_refusal(engine, state.removeprefix("incompatible (").removesuffix(")")))
    if state != "ok":
        return state
    try:
        with engine.connect() as conn:
            row = conn.execute(select(E.id, E.type_name, E.data).order_by(E.id.desc()).limit(1)).first()
    except SQLAlchemyError as exc:
        return f"down ({type(exc).__name__})"
    if row is not None:
        event = decode(row.data)
        if event.get("event") != row.type_name or not isinstance(event.get("timestamp"), int | float):
            raise StoreMismatch(_refusal(engine, f"its newest event (id {row.id}) is not in Rasa 3's JSON format"))
    return state


def _refusal(engine: Engine, why: str) -> str:
    where = engine.url.render_as_string(hide_password=True)
    return (
        f"Rasa's tracker store at {where} cannot be read: {why}. The API reads the events table of Rasa "
        f"{RASA_SERIES}'s SQLTrackerStore (api/core/rasa_store.py); point GUICHET_TRACKER_DB_URL at the store "
        "Rasa writes (bot/endpoints.yml), or update that module for the Rasa in use."
    )


# --- JSON inside the data column ------------------------------------------------------------------------------

_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")


def decode(data: str | None) -> dict[str, Any]:
    """The event's JSON, or {} for a row Rasa did not write (never raises on bad data)."""
    if not data:
        return {}
    try:
        obj = json.loads(data)
    except (TypeError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


# Each read below is written twice, for SQLite's JSON functions and PostgreSQL's json operators (the column is
# text in both: PostgreSQL casts it); keys are this module's constants.


def _pg(column: Any, op: str, *path: str) -> Any:
    """PostgreSQL: `#>` (the JSON at the key path) or `#>>` (the same as text) on the event."""
    assert all(_KEY.match(k) for k in path), path
    return sa.cast(column, postgresql.JSON).op(op)(sa.literal_column("'{" + ",".join(path) + "}'"))


def _text(dialect: str, column: Any, *path: str) -> Any:
    """The string at a key path of the event, as SQL text (other scalars as SQL values or text)."""
    if dialect == "sqlite":
        return func.json_extract(column, "$." + ".".join(path))
    return _pg(column, "#>>", *path)


def _is_false(dialect: str, column: Any, *path: str) -> Any:
    if dialect == "sqlite":
        return func.json_type(column, "$." + ".".join(path)) == "false"
    return sa.cast(_pg(column, "#>", *path), sa.Text) == "false"


def _nonempty_list(dialect: str, column: Any, *path: str) -> Any:
    if dialect == "sqlite":
        return func.coalesce(func.json_array_length(column, "$." + ".".join(path)), 0) > 0
    value = _pg(column, "#>", *path)
    return sa.case((func.json_typeof(value) == "array", func.json_array_length(value) > 0), else_=False)


def _holds(dialect: str, column: Any, item: str, *path: str) -> Any:
    """The value at the path is the string `item` or a list holding it (a list slot; a scalar when an action
    set one)."""
    if dialect == "sqlite":
        each = func.json_each(column, "$." + ".".join(path)).table_valued("type", "value")
        return sa.exists(select(1).select_from(each).where(each.c.type == "text", each.c.value == item))
    value = _pg(column, "#>", *path)
    listed = sa.case((func.json_typeof(value) == "array", value), else_=func.json_build_array(value))
    each = func.json_array_elements_text(listed).table_valued("value")
    return sa.exists(select(1).select_from(each).where(each.c.value == item))


def _field(dialect: str, column: Any, key: str) -> tuple[Any, Any]:
    """A column giving one top-level field of the event and how to read its value: SQLite extracts it itself
    (no decoding of whole events in Python, ~3x faster on big stores); PostgreSQL sends the event."""
    if dialect == "sqlite":
        return func.json_extract(column, f"$.{key}"), _sqlite_value
    return column, lambda raw: decode(raw).get(key)


def _sqlite_value(value: Any) -> Any:
    # json_extract gives arrays and objects as JSON text, scalars as SQL values.
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


# --- conversations: one per sender_id -------------------------------------------------------------------------


def spans(ran: Collection[str] = ()) -> sa.Select:
    """One row per conversation: id, started and last (epoch of its first and last event), turns (the
    founder's messages) and, with `ran`, ran (1 when one of those actions ran in it)."""
    user = sa.case((E.type_name == "user", 1), else_=0)
    columns = [
        E.sender_id.label("id"),
        func.min(E.timestamp).label("started"),
        func.max(E.timestamp).label("last"),
        func.sum(user).label("turns"),
    ]
    if ran:
        ran_one = sa.case((sa.and_(E.type_name == "action", E.action_name.in_(list(ran))), 1), else_=0)
        columns.append(func.max(ran_one).label("ran"))
    return select(*columns).group_by(E.sender_id)


def started_in(q: sa.Select, since: float | None, until: float | None) -> sa.Select:
    """Conversations whose first event is in [since, until) (epoch; None is open)."""
    if since is not None:
        q = q.having(func.min(E.timestamp) >= since)
    if until is not None:
        q = q.having(func.min(E.timestamp) < until)
    return q


def last_slot_is(dialect: str, q: sa.Select, slot: str, value: str, or_never_set: bool = False) -> sa.Select:
    """Conversations whose latest value of `slot` is the string `value` (or_never_set: or never set it)."""
    a, b = EVENTS.alias("slots_set"), EVENTS.alias("slot_said")
    latest = (
        select(a.c.sender_id, func.max(a.c.id).label("mid"))
        .where(a.c.type_name == "slot", a.c.action_name == slot)
        .group_by(a.c.sender_id)
        .subquery()
    )
    said = (
        select(b.c.sender_id)
        .join(latest, b.c.id == latest.c.mid)
        .where(b.c.type_name == "slot", b.c.action_name == slot, _text(dialect, b.c.data, "value") == value)
    )
    cond: sa.ColumnElement[bool] = E.sender_id.in_(said)
    if or_never_set:
        cond = sa.or_(cond, E.sender_id.not_in(select(latest.c.sender_id)))
    return q.where(cond)


def slot_held(dialect: str, q: sa.Select, slot: str, item: str) -> sa.Select:
    """Conversations where `slot` (a list slot) held the string `item` at some point."""
    s = EVENTS.alias("list_slots")
    held = select(s.c.sender_id).where(
        s.c.type_name == "slot", s.c.action_name == slot, _holds(dialect, s.c.data, item, "value")
    )
    return q.where(E.sender_id.in_(held))


def among(q: sa.Select, ids: Collection[str], inside: bool = True) -> sa.Select:
    """Conversations whose id is (inside) or is not in ids."""
    bound: sa.BindParameter[list[str]] = sa.bindparam("among_ids", list(ids), expanding=True, literal_execute=True)
    return q.where(E.sender_id.in_(bound) if inside else E.sender_id.not_in(bound))


def page(conn: Connection, q: sa.Select, limit: int, offset: int) -> tuple[int, list[sa.Row]]:
    """(how many rows q gives, one page of them, most recent activity first) in one grouped scan."""
    rows = conn.execute(
        q.add_columns(func.count().over().label("total")).order_by(sa.desc("last"), "id").limit(limit).offset(offset)
    ).all()
    total = rows[0].total if rows else conn.scalar(select(func.count()).select_from(q.subquery())) or 0
    return int(total), list(rows)


def span(conn: Connection, sender: str) -> sa.Row | None:
    """The spans() row of one conversation, None when the store holds none of its events."""
    return conn.execute(spans().where(E.sender_id == sender)).first()


def slot_values(conn: Connection, senders: Collection[str], slots: Collection[str]) -> Iterator[tuple[str, str, Any]]:
    """(conversation, slot, value) of every time one of `slots` was set in these conversations, in order."""
    rows = conn.execute(
        select(E.sender_id, E.action_name, E.data)
        .where(E.sender_id.in_(list(senders)), E.type_name == "slot", E.action_name.in_(list(slots)))
        .order_by(E.id)
    )
    for sender, slot, data in rows:
        yield sender, slot, decode(data).get("value")


def transcript(conn: Connection, sender: str, limit: int) -> tuple[list[dict[str, Any]], list[str]]:
    """The founder's and the assistant's messages in order (at most `limit` events read), and the names of the
    actions the bot ran: founder {at, text, intent, confidence, channel}, assistant {at, text, buttons, custom}."""
    rows = conn.execute(select(E.data).where(E.sender_id == sender).order_by(E.id).limit(limit))
    turns, actions = [], []
    for (data,) in rows:
        event = decode(data)
        kind = event.get("event")
        if kind == "user":
            intent = (event.get("parse_data") or {}).get("intent") or {}
            turns.append({
                "role": "founder", "at": event.get("timestamp"), "text": event.get("text") or "",
                "intent": intent.get("name"), "confidence": intent.get("confidence"),
                "channel": event.get("input_channel"),
            })  # fmt: skip
        elif kind == "bot":
            attached = event["data"] if isinstance(event.get("data"), dict) else {}
            custom = attached.get("custom")
            buttons = [b for b in attached.get("buttons") or [] if isinstance(b, dict)]
            turns.append({
                "role": "assistant", "at": event.get("timestamp"), "text": event.get("text") or "",
                "buttons": [{"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in buttons],
                "custom": custom if isinstance(custom, dict) else None,
            })  # fmt: skip
        elif kind == "action" and event.get("name") not in (None, "action_listen"):
            actions.append(str(event["name"]))
    return turns, actions


def erase(conn: Connection, sender: str) -> int:
    """Delete one conversation's events; how many there were."""
    return int(getattr(conn.execute(delete(EVENTS).where(E.sender_id == sender)), "rowcount", 0) or 0)


def _idle(cutoff: float) -> sa.Select:
    old = EVENTS.alias("old")
    return select(old.c.sender_id).group_by(old.c.sender_id).having(func.max(old.c.timestamp) < cutoff)


def idle(conn: Connection, cutoff: float) -> tuple[int, int]:
    """(conversations, events) of the conversations without any event since cutoff (epoch)."""
    stale = _idle(cutoff)
    n_conversations = conn.scalar(select(func.count()).select_from(stale.subquery())) or 0
    return int(n_conversations), int(conn.scalar(select(func.count()).where(E.sender_id.in_(stale))) or 0)


def erase_idle(conn: Connection, cutoff: float) -> None:
    conn.execute(delete(EVENTS).where(E.sender_id.in_(_idle(cutoff))))


def fingerprint(conn: Connection) -> tuple:
    """(largest event id, event count): changes with any new or deleted event."""
    return tuple(conn.execute(select(func.max(E.id), func.count()).select_from(EVENTS)).one())


# --- what the staff figures read ------------------------------------------------------------------------------


def scan(
    conn: Connection, slots: Collection[str], answering: Collection[str], fallback_intent: str
) -> Iterator[tuple[str, str, Any, Any]]:
    """One pass over the events for the staff figures (not one per figure), yielding ("slot", conversation,
    slot, value) for each value one of `slots` took; ("answer", conversation, the founder's message before it,
    the first bot or action event after it or None) for each run of an `answering` action; and ("fallback",
    conversation, event id, text) for each founder's message classified as fallback_intent. Ids are event ids."""
    dialect = conn.dialect.name
    a, u, b = EVENTS.alias("a"), EVENTS.alias("u"), EVENTS.alias("b")
    value, read_value = _field(dialect, a.c.data, "value")
    text, read_text = _field(dialect, a.c.data, "text")
    answers = sa.and_(a.c.type_name == "action", a.c.action_name.in_(list(answering)))
    asked = (
        select(func.max(u.c.id))
        .where(u.c.sender_id == a.c.sender_id, u.c.type_name == "user", u.c.id < a.c.id)
        .scalar_subquery()
    )
    reply = (
        select(func.min(b.c.id))
        .where(b.c.sender_id == a.c.sender_id, b.c.id > a.c.id, b.c.type_name.in_(("bot", "action")))
        .scalar_subquery()
    )
    fallback = sa.and_(a.c.type_name == "user", a.c.intent_name == fallback_intent)
    slot_set = sa.and_(a.c.type_name == "slot", a.c.action_name.in_(list(slots)))
    rows = conn.execute(
        select(
            a.c.sender_id,
            a.c.type_name,
            a.c.action_name,
            a.c.id,
            sa.case((a.c.type_name == "slot", value), (a.c.type_name == "user", text)),
            sa.case((answers, asked)),
            sa.case((answers, reply)),
        ).where(sa.or_(slot_set, answers, fallback))
    )
    for sender, kind, name, eid, raw, question, answer in rows:
        if kind == "slot":
            yield "slot", sender, name, read_value(raw)
        elif kind == "action":
            if question is not None:
                yield "answer", sender, question, answer
        else:
            yield "fallback", sender, eid, str(read_text(raw) or "")


@dataclass(frozen=True)
class Reply:
    """A bot message as the figures read it: the `type` of the payload an action attached to it (None without
    one), whether that payload says in_scope false, and whether its `citations` is a non-empty list."""

    payload: str | None
    out_of_scope: bool
    cited: bool


def replies(conn: Connection, ids: Iterable[int]) -> dict[int, Reply]:
    """The events among ids that are bot messages, read in SQL (no event decoded)."""
    d, r = conn.dialect.name, EVENTS.alias("r")
    kind = _text(d, r.c.data, "data", "custom", "type")
    out = _is_false(d, r.c.data, "data", "custom", "in_scope")
    cited = _nonempty_list(d, r.c.data, "data", "custom", "citations")
    found = _by_id(conn, set(ids), r, r.c.type_name, kind, sa.case((out, 1), else_=0), sa.case((cited, 1), else_=0))
    return {
        eid: Reply(str(p) if isinstance(p, str) else None, bool(o), bool(c))
        for eid, (t, p, o, c) in found.items()
        if t == "bot"
    }


def texts(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """The text of each founder's message among ids."""
    r = EVENTS.alias("r")
    text, read = _field(conn.dialect.name, r.c.data, "text")
    return {eid: str(read(row[0]) or "") for eid, row in _by_id(conn, set(ids), r, text).items()}


def _by_id(conn: Connection, ids: set[int], table: Any, *columns: Any, batch: int = 500) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), batch):
        for row in conn.execute(select(table.c.id, *columns).where(table.c.id.in_(ordered[i : i + batch]))):
            out[row[0]] = tuple(row[1:])
    return out
