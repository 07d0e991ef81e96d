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
from . import rasa_store
from .tracker import CONSENT_SLOT, LANGUAGE_SLOT, LEVERS_SLOT, PROFILE_SLOTS, REQUESTED_SLOT, as_list, iso

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


def _filtered(f: Filters, dialect: str) -> sa.Select:
    q = rasa_store.started_in(rasa_store.spans(), f.since, f.until)
    if f.lang:  # the conversation's last language (French when the slot never changed)
        q = rasa_store.last_slot_is(dialect, q, LANGUAGE_SLOT, f.lang, or_never_set=f.lang == "fr")
    if f.lever:
        if not LEVER_ID.match(f.lever):
            raise ValueError("lever ids are lower-case letters, digits and dashes")
        q = rasa_store.slot_held(dialect, q, LEVERS_SLOT, f.lever)
    if f.has_handoff is not None:
        q = rasa_store.among(q, f.handoff_ids or (), inside=f.has_handoff)
    return q


def list_conversations(
    conn: Connection, f: Filters, limit: int, offset: int, handoff_ids: Collection[str] = ()
) -> tuple[int, list[Summary]]:
    """(total matching, one page of summaries, most recent activity first) without loading every event."""
    total, rows = rasa_store.page(conn, _filtered(f, conn.dialect.name), limit, offset)
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
    for sender, name, value in rasa_store.slot_values(conn, list(by_id), (*PROFILE_SLOTS, LANGUAGE_SLOT, LEVERS_SLOT)):
        s = by_id[sender]
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
    row = rasa_store.span(conn, conversation_id)
    if row is None:
        return None
    s = Summary(row.id, iso(row.started), iso(row.last), int(row.turns or 0), handoff=handoff)
    _add_details(conn, [s])
    return s


def transcript(conn: Connection, conversation_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The founder's and the assistant's turns in order, and the actions the bot ran (for context)."""
    turns, actions = rasa_store.transcript(conn, conversation_id, MAX_TRANSCRIPT_EVENTS)
    return [{**t, "at": iso(t["at"] if isinstance(t["at"], int | float) else None)} for t in turns], actions


@dataclass(frozen=True)
class HandoffContext:
    """What the API reads itself when the bot files a hand-off: the turns, and whether the stored state is the
    hand-off form asking for consent (the answer is in the turn being played, which Rasa stores after it)."""

    turns: list[dict[str, Any]]
    consent_asked: bool


def handoff_context(conn: Connection, conversation_id: str, max_turns: int = 500) -> HandoffContext | None:
    """None when the tracker store holds no such conversation."""
    turns, _ = transcript(conn, conversation_id)
    if not turns:
        return None
    asked = [value for _, _, value in rasa_store.slot_values(conn, [conversation_id], [REQUESTED_SLOT])]
    kept = [{"role": t["role"], "text": t["text"], "at": t["at"]} for t in turns if t["text"]]
    return HandoffContext(kept[-max_turns:], bool(asked) and asked[-1] == CONSENT_SLOT)


def bot_messages(conn: Connection, conversation_id: str) -> int:
    """How many messages the bot sent in the conversation (0: the store holds no such conversation)."""
    return sum(1 for t in transcript(conn, conversation_id)[0] if t["role"] == "assistant")


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
    events = rasa_store.erase(conn, conversation_id) if conn else 0
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
    n_conv, n_events = rasa_store.idle(conn, cutoff.timestamp()) if conn is not None else (0, 0)
    old_feedback = Feedback.created_at < cutoff
    old_closed = sa.and_(Handoff.status == "closed", Handoff.updated_at < cutoff)
    n_feedback = session.scalar(select(func.count()).select_from(Feedback).where(old_feedback)) or 0
    n_handoffs = session.scalar(select(func.count()).select_from(Handoff).where(old_closed)) or 0
    if not dry_run:
        if conn is not None:
            rasa_store.erase_idle(conn, cutoff.timestamp())
        session.execute(delete(Feedback).where(old_feedback))
        session.execute(delete(Handoff).where(old_closed))
        session.commit()
    return Purged(n_conv, n_events, n_feedback, n_handoffs)
