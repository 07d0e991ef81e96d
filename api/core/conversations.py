"""Conversations read from Rasa's tracker store: summaries by SQL aggregation, transcripts, erasure, purge."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.orm import Session

from ..db import checkpoint
from ..models import Feedback, Handoff
from .tracker import (
    EVENTS,
    LANGUAGE_SLOT,
    LEVERS_SLOT,
    PROFILE_SLOTS,
    as_list,
    custom_of,
    decode,
    iso,
)

E = EVENTS.c
LEVER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_TRANSCRIPT_EVENTS = 5000


@dataclass(frozen=True)
class Filters:
    since: float | None = None  # epoch, conversations started at or after
    until: float | None = None  # epoch, conversations started before
    lang: str | None = None
    lever: str | None = None
    handoff_ids: Collection[str] | None = None  # with has_handoff: the conversation ids the API holds cases for
    has_handoff: bool | None = None


@dataclass
class Summary:
    id: str
    started_at: str | None
    last_at: str | None
    turns: int
    lang: str = "fr"
    levers: list[str] = field(default_factory=list)
    handoff: bool = False
    profile: dict[str, Any] = field(default_factory=dict)


def _aggregate() -> sa.Select:
    user = sa.case((E.type_name == "user", 1), else_=0)
    return select(
        E.sender_id.label("id"),
        func.min(E.timestamp).label("started"),
        func.max(E.timestamp).label("last"),
        func.sum(user).label("turns"),
    ).group_by(E.sender_id)


def _latest_lang_is(lang: str) -> sa.ColumnElement[bool]:
    """The conversation's last language slot says lang (French when the slot never changed)."""
    a, b = EVENTS.alias("lang_slots"), EVENTS.alias("lang_said")
    latest = (
        select(a.c.sender_id, func.max(a.c.id).label("mid"))
        .where(a.c.type_name == "slot", a.c.action_name == LANGUAGE_SLOT)
        .group_by(a.c.sender_id)
        .subquery()
    )
    said_lang = select(b.c.sender_id).join(latest, b.c.id == latest.c.mid).where(b.c.data.like(f'%"value": "{lang}"%'))
    cond: sa.ColumnElement[bool] = E.sender_id.in_(said_lang)
    if lang == "fr":
        cond = sa.or_(cond, E.sender_id.not_in(select(latest.c.sender_id)))
    return cond


def _filtered(f: Filters) -> sa.Select:
    q = _aggregate()
    if f.since is not None:
        q = q.having(func.min(E.timestamp) >= f.since)
    if f.until is not None:
        q = q.having(func.min(E.timestamp) < f.until)
    if f.lang:
        q = q.where(_latest_lang_is(f.lang))
    if f.lever:
        if not LEVER_ID.match(f.lever):
            raise ValueError("lever ids are lower-case letters, digits and dashes")
        s = EVENTS.alias("lever_slots")
        shown = select(s.c.sender_id).where(
            s.c.type_name == "slot", s.c.action_name == LEVERS_SLOT, s.c.data.like(f'%"{f.lever}"%')
        )
        q = q.where(E.sender_id.in_(shown))
    if f.has_handoff is not None:
        ids: sa.BindParameter[list[str]] = sa.bindparam(
            "handoff_ids", list(f.handoff_ids or ()), expanding=True, literal_execute=True
        )
        q = q.where(E.sender_id.in_(ids) if f.has_handoff else E.sender_id.not_in(ids))
    return q


def list_conversations(
    conn: Connection, f: Filters, limit: int, offset: int, handoff_ids: Collection[str] = ()
) -> tuple[int, list[Summary]]:
    """(total matching, one page of summaries, most recent activity first) without loading every event."""
    q = _filtered(f)
    # One grouped scan gives the page and (as a window over the groups) the total.
    rows = conn.execute(
        q.add_columns(func.count().over().label("total")).order_by(sa.desc("last"), "id").limit(limit).offset(offset)
    ).all()
    total = rows[0].total if rows else conn.scalar(select(func.count()).select_from(q.subquery())) or 0
    page = [Summary(r.id, iso(r.started), iso(r.last), int(r.turns or 0)) for r in rows]
    _add_details(conn, page)
    held = set(handoff_ids)
    for s in page:
        s.handoff = s.id in held
    return total, page


def _add_details(conn: Connection, page: list[Summary]) -> None:
    """Language, profile and levers of a page of conversations, from their slot events only."""
    if not page:
        return
    by_id = {s.id: s for s in page}
    wanted = (*PROFILE_SLOTS, LANGUAGE_SLOT, LEVERS_SLOT)
    rows = conn.execute(
        select(E.sender_id, E.action_name, E.data)
        .where(E.sender_id.in_(list(by_id)), E.type_name == "slot", E.action_name.in_(wanted))
        .order_by(E.id)
    )
    for sender, name, data in rows:
        s = by_id[sender]
        value = decode(data).get("value")
        if name == LANGUAGE_SLOT:
            s.lang = value if value in ("fr", "en") else s.lang
        elif name == LEVERS_SLOT:
            s.levers += [x for x in as_list(value) if x not in s.levers]
        else:
            s.profile[name] = value
    for s in page:
        s.profile = {slot: s.profile.get(slot) for slot in PROFILE_SLOTS}
        s.profile["needs"] = as_list(s.profile["needs"])


def summary_of(conn: Connection, conversation_id: str, handoff: bool = False) -> Summary | None:
    row = conn.execute(_aggregate().where(E.sender_id == conversation_id)).first()
    if row is None:
        return None
    s = Summary(row.id, iso(row.started), iso(row.last), int(row.turns or 0), handoff=handoff)
    _add_details(conn, [s])
    return s


def _turn(event: dict[str, Any]) -> dict[str, Any] | None:
    kind = event.get("event")
    if kind == "user":
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return {
            "role": "founder",
            "at": iso(event.get("timestamp")),
            "text": event.get("text") or "",
            "intent": intent.get("name"),
            "confidence": intent.get("confidence"),
            "channel": event.get("input_channel"),
        }
    if kind == "bot":
        data = event["data"] if isinstance(event.get("data"), dict) else {}
        return {
            "role": "assistant",
            "at": iso(event.get("timestamp")),
            "text": event.get("text") or "",
            "buttons": [
                {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                for b in data.get("buttons") or []
                if isinstance(b, dict)
            ],
            "custom": custom_of(event),
        }
    return None


def transcript(conn: Connection, conversation_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The founder's and the assistant's turns in order, and the actions the bot ran (for context)."""
    rows = conn.execute(
        select(E.data).where(E.sender_id == conversation_id).order_by(E.id).limit(MAX_TRANSCRIPT_EVENTS)
    )
    turns, actions = [], []
    for (data,) in rows:
        event = decode(data)
        turn = _turn(event)
        if turn:
            turns.append(turn)
        elif event.get("event") == "action" and event.get("name") not in (None, "action_listen"):
            actions.append(str(event["name"]))
    return turns, actions


@dataclass(frozen=True)
class Erased:
    events: int
    feedback: int
    handoffs: int

    @property
    def anything(self) -> bool:
        return bool(self.events or self.feedback or self.handoffs)


def _deleted(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def erase(conn: Connection | None, session: Session, conversation_id: str) -> Erased:
    """Delete every trace of one conversation: Rasa's events, then the API's feedback and hand-offs."""
    events = _deleted(conn.execute(delete(EVENTS).where(E.sender_id == conversation_id))) if conn else 0
    feedback = _deleted(session.execute(delete(Feedback).where(Feedback.conversation_id == conversation_id)))
    handoffs = _deleted(session.execute(delete(Handoff).where(Handoff.conversation_id == conversation_id)))
    session.commit()
    return Erased(events, feedback, handoffs)


def scrub(*engines: Engine | None) -> bool:
    """After an erasure or a purge has committed: on SQLite, the deleted rows' pages leave the -wal files (the
    deletes zeroed them: secure_delete); PostgreSQL's dead rows go at its next vacuum (docs/security.md)."""
    return all([checkpoint(e) for e in engines if e is not None])


@dataclass(frozen=True)
class Purged:
    conversations: int
    events: int
    feedback: int
    handoffs: int


def purge(conn: Connection | None, session: Session, cutoff: dt.datetime, dry_run: bool = False) -> Purged:
    """Remove what is past retention: conversations idle since cutoff, older feedback, hand-offs closed before."""
    old = EVENTS.alias("old")
    stale = select(old.c.sender_id).group_by(old.c.sender_id).having(func.max(old.c.timestamp) < cutoff.timestamp())
    n_conv = n_events = 0
    if conn is not None:
        n_conv = conn.scalar(select(func.count()).select_from(stale.subquery())) or 0
        n_events = conn.scalar(select(func.count()).where(E.sender_id.in_(stale))) or 0
    old_feedback = Feedback.created_at < cutoff
    old_closed = sa.and_(Handoff.status == "closed", Handoff.updated_at < cutoff)
    n_feedback = session.scalar(select(func.count()).select_from(Feedback).where(old_feedback)) or 0
    n_handoffs = session.scalar(select(func.count()).select_from(Handoff).where(old_closed)) or 0
    if not dry_run:
        if conn is not None:
            conn.execute(delete(EVENTS).where(E.sender_id.in_(stale)))
        session.execute(delete(Feedback).where(old_feedback))
        session.execute(delete(Handoff).where(old_closed))
        session.commit()
    return Purged(n_conv, n_events, n_feedback, n_handoffs)
