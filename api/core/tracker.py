"""Rasa's SQL tracker store as the API reads it: the `events` table, its state, and event decoding.

Conversations live only where Rasa records them (rasa.core.tracker_store.SQLTrackerStore, Rasa 3.6): one
row per event with sender_id (indexed), type_name, timestamp (float epoch), intent_name, action_name (for
slot events: the slot's name) and data, the JSON text of the whole event. The API never writes events.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from ..db import secure_delete, server_connect_args, sqlite_path

log = logging.getLogger("guichet.tracker")
METADATA = sa.MetaData()
# The same columns as SQLTrackerStore.SQLEvent (Rasa creates the table and its sender_id index).
EVENTS = sa.Table(
    "events",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

# What the bot's actions record (bot/actions): profile slots, the lever ids shown, the action names.
PROFILE_SLOTS = ("stage", "product_kind", "organisation_type", "medical_device", "ai", "needs")
LANGUAGE_SLOT = "language"
LEVERS_SLOT = "recommended"  # action_recommend sets it to the ids of the lever cards it shows
QUALIFIED_ACTIONS = ("action_confirm_profile", "action_recommend")
ANSWER_ACTIONS = ("action_answer_question", "action_explain_lever")
HANDOFF_ACTION = "action_file_handoff"
FALLBACK_INTENT = "nlu_fallback"


def tracker_engine(url: str) -> Engine:
    """An engine on Rasa's store; nothing is created: an absent SQLite file stays absent until Rasa makes it."""
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
    """'ok', 'absent' (Rasa has not created its store yet) or 'down (Error)'."""
    if _sqlite_file_missing(engine):
        return "absent"
    try:
        return "ok" if sa.inspect(engine).has_table(EVENTS.name) else "absent"
    except SQLAlchemyError as exc:
        return f"down ({type(exc).__name__})"


def has_events(engine: Engine) -> bool:
    """True when the events table can be read; routes answer with empty results otherwise."""
    return tracker_state(engine) == "ok"


def decode(data: str | None) -> dict[str, Any]:
    """The event's JSON, or {} for a row Rasa did not write (never raises on bad data)."""
    if not data:
        return {}
    try:
        obj = json.loads(data)
    except (TypeError, ValueError):
        return {}
    return obj if isinstance(obj, dict) else {}


def field(
    conn: Connection, key: str, table: sa.FromClause = EVENTS
) -> tuple[sa.ColumnElement[Any], Callable[[Any], Any]]:
    """A column giving one top-level field of the event and how to read its value: SQLite extracts it itself
    (no decoding of whole events in Python, ~3x faster on big stores); other databases send the event."""
    if conn.dialect.name == "sqlite":
        return sa.func.json_extract(table.c.data, f"$.{key}"), _sqlite_json
    return table.c.data, lambda raw: decode(raw).get(key)


def _sqlite_json(value: Any) -> Any:
    # json_extract gives arrays and objects as JSON text, scalars as SQL values.
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def day_range(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Whole UTC days: the start of since (inclusive) and the end of until (exclusive); None is open."""

    def start(d: dt.date) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)

    end = start(until) + dt.timedelta(days=1) if until and until < dt.date.max else None
    return (start(since) if since else None, end)


def day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[float | None, float | None]:
    """day_range as epoch seconds, the unit of Rasa's timestamps."""
    lo, hi = day_range(since, until)
    return (lo.timestamp() if lo else None, hi.timestamp() if hi else None)


def slot_value(data: dict[str, Any]) -> Any:
    return data.get("value")


def as_list(value: Any) -> list[str]:
    """A list slot's value as a list of strings (Rasa stores a scalar when an action set one)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and not isinstance(v, dict | list)]


def custom_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """The json_message an action attached to a bot event, if any."""
    custom = (event.get("data") or {}).get("custom") if isinstance(event.get("data"), dict) else None
    return custom if isinstance(custom, dict) else None


def answered(reply: dict[str, Any] | None) -> bool:
    """Whether a bot reply to a question carried a real answer: lever details, or an in-scope cited answer."""
    custom = custom_of(reply or {})
    if not custom:
        return False
    if custom.get("type") == "lever":
        return True
    in_scope = custom.get("in_scope", True) is not False
    return custom.get("type") == "answer" and in_scope and bool(custom.get("citations"))
