"""Staff figures from Rasa's events and the API's feedback: volume, funnel, levers, needs, gaps, feedback."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ..models import Feedback, Handoff
from .grouping import group_questions
from .tracker import (
    ANSWER_ACTIONS,
    EVENTS,
    FALLBACK_INTENT,
    LEVERS_SLOT,
    QUALIFIED_ACTIONS,
    answered,
    as_list,
    day_bounds,
    day_range,
    decode,
    field,
)

E = EVENTS.c
REASONS = ("clear", "complete", "reliable-sources", "incorrect", "off-topic", "missing-sources")
MAX_GAP_DAYS = 731  # per-day series are filled with zeros up to two years
MAX_GROUPS = 30


@dataclass(frozen=True)
class Conversation:
    id: str
    started: float
    turns: int
    qualified: bool


def conversations(conn: Connection, since: float | None, until: float | None) -> list[Conversation]:
    """One aggregated row per conversation started in the range (one grouped scan, no event decoding)."""
    user = sa.case((E.type_name == "user", 1), else_=0)
    qualified = sa.case((sa.and_(E.type_name == "action", E.action_name.in_(QUALIFIED_ACTIONS)), 1), else_=0)
    q = select(E.sender_id, func.min(E.timestamp), func.sum(user), func.max(qualified)).group_by(E.sender_id)
    if since is not None:
        q = q.having(func.min(E.timestamp) >= since)
    if until is not None:
        q = q.having(func.min(E.timestamp) < until)
    return [Conversation(r[0], float(r[1] or 0), int(r[2] or 0), bool(r[3])) for r in conn.execute(q)]


def per_day(started: list[float]) -> list[dict[str, Any]]:
    """Conversations per UTC day, days without any filled with 0 (up to two years)."""
    epoch = dt.date(1970, 1, 1).toordinal()
    by_number = Counter(int(ts // 86400) for ts in started if 0 <= ts < 253402300800)  # years 1970-9999
    days = {dt.date.fromordinal(epoch + n): count for n, count in by_number.items()}
    if not days:
        return []
    first, last = min(days), max(days)
    if (last - first).days > MAX_GAP_DAYS:
        span = sorted(days)
    else:
        span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    return [{"day": d.isoformat(), "count": days.get(d, 0)} for d in span]


def counts(by_conversation: dict[str, set[str]]) -> list[dict[str, Any]]:
    c = Counter(v for values in by_conversation.values() for v in values)
    return [{"id": k, "count": n} for k, n in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass
class Marks:
    """What one pass over the events finds: list slots' values, questions and their replies, fallbacks."""

    slots: dict[str, dict[str, set[str]]]
    pairs: list[tuple[str, int, int | None]]  # (conversation, question event id, reply event id)
    fallbacks: list[tuple[int, str, str]]  # (event id, conversation, text)


def marks(conn: Connection, slots: tuple[str, ...], keep: set[str]) -> Marks:
    """One scan of the events (not one per figure): the slot values, for each answering action the founder's
    message before it and the first bot or action event after it, and the messages that fell to nlu_fallback."""
    a, u, b = EVENTS.alias("a"), EVENTS.alias("u"), EVENTS.alias("b")
    value, read_value = field(conn, "value", a)
    text, read_text = field(conn, "text", a)
    answering = sa.and_(a.c.type_name == "action", a.c.action_name.in_(ANSWER_ACTIONS))
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
    fallback = sa.and_(a.c.type_name == "user", a.c.intent_name == FALLBACK_INTENT)
    rows = conn.execute(
        select(
            a.c.sender_id,
            a.c.type_name,
            a.c.action_name,
            a.c.id,
            sa.case((a.c.type_name == "slot", value), (a.c.type_name == "user", text)),
            sa.case((answering, asked)),
            sa.case((answering, reply)),
        ).where(sa.or_(sa.and_(a.c.type_name == "slot", a.c.action_name.in_(slots)), answering, fallback))
    )
    found = Marks({slot: {} for slot in slots}, [], [])
    for sender, kind, name, eid, raw, question, answer in rows:
        if sender not in keep:
            continue
        if kind == "slot":
            found.slots[name].setdefault(sender, set()).update(as_list(read_value(raw)))
        elif kind == "action":
            if question is not None:
                found.pairs.append((sender, question, answer))
        else:
            found.fallbacks.append((eid, sender, str(read_text(raw) or "")))
    return found


def unanswered(conn: Connection, found: Marks) -> list[tuple[str, str]]:
    """(conversation, text) of each question the assistant could not answer: the founder's message before
    an answering action whose reply carried no cited in-scope answer, and messages that fell to nlu_fallback."""
    r = EVENTS.alias("r")
    # Fast path in SQL: a reply carrying an in-scope answer with at least one citation (as Rasa serialises it:
    # json.dumps defaults) is answered without decoding; every other reply is decided by answered() below.
    cited = sa.and_(
        r.c.data.like('%"type": "answer"%'),
        r.c.data.like('%"citations": [{%'),
        r.c.data.not_like('%"in_scope": false%'),
    )
    kinds = _by_id(
        conn, {p[2] for p in found.pairs if p[2] is not None}, r, r.c.type_name, sa.case((cited, 1), else_=0)
    )
    doubtful = [p for p in found.pairs if p[2] is None or not kinds.get(p[2], (None, 0))[1]]
    bots = {p[2] for p in doubtful if p[2] is not None and kinds.get(p[2], ("", 0))[0] == "bot"}
    replies = {eid: decode(row[0]) for eid, row in _by_id(conn, bots, r, r.c.data).items()}
    missed = {p[1] for p in doubtful if not answered(replies.get(p[2]) if p[2] in bots else None)}
    text, read = field(conn, "text", r)
    texts = {eid: str(read(row[0]) or "") for eid, row in _by_id(conn, missed, r, text).items()}
    out = {q: (sender, texts.get(q, "")) for sender, q, _ in doubtful if q in missed}
    out.update({eid: (sender, said) for eid, sender, said in found.fallbacks})
    return [out[k] for k in sorted(out) if out[k][1] and not out[k][1].startswith("/")]


def _by_id(conn: Connection, ids: set[int], table: Any, *columns: Any, batch: int = 500) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), batch):
        for row in conn.execute(select(table.c.id, *columns).where(table.c.id.in_(ordered[i : i + batch]))):
            out[row[0]] = tuple(row[1:])
    return out


def feedback(session: Session, since: dt.datetime | None, until: dt.datetime | None) -> dict[str, Any]:
    """Thumbs up/down and how often each reason code was given."""
    q = select(Feedback.rating, Feedback.reasons)
    if since is not None:
        q = q.where(Feedback.created_at >= since)
    if until is not None:
        q = q.where(Feedback.created_at < until)
    ratings: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for rating, given in session.execute(q):
        ratings[rating] += 1
        reasons.update(r for r in (given or []) if r in REASONS)
    return {"up": ratings["up"], "down": ratings["down"], "reasons": {r: reasons[r] for r in REASONS}}


def handoff_ids(session: Session) -> set[str]:
    return set(session.scalars(select(Handoff.conversation_id).distinct()))


def analytics(
    conn: Connection | None, session: Session, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, Any]:
    """Every figure of the staff page for conversations started in [since, until] (UTC days)."""
    lo, hi = day_bounds(since, until)
    fb_lo, fb_hi = day_range(since, until)
    convs = conversations(conn, lo, hi) if conn is not None else []
    keep = {c.id for c in convs}
    found = marks(conn, (LEVERS_SLOT, "needs"), keep) if conn is not None else Marks({}, [], [])
    shown, needs = found.slots.get(LEVERS_SLOT, {}), found.slots.get("needs", {})
    gaps = unanswered(conn, found) if conn is not None else []
    held = handoff_ids(session) & keep
    groups = group_questions(gaps)
    return {
        "range": {"since": since.isoformat() if since else None, "until": until.isoformat() if until else None},
        "conversations": {"total": len(convs), "per_day": per_day([c.started for c in convs])},
        "funnel": {
            "started": sum(1 for c in convs if c.turns > 0),
            "qualified": sum(1 for c in convs if c.qualified),
            "levers_shown": sum(1 for v in shown.values() if v),
            "handoff": len(held),
        },
        "levers": counts(shown),
        "needs": counts(needs),
        "unanswered": {
            "total": len(gaps),
            "groups": [
                {"label": g.label, "count": g.count, "examples": g.examples, "conversations": g.conversations}
                for g in groups[:MAX_GROUPS]
            ],
        },
        "feedback": feedback(session, fb_lo, fb_hi),
    }
