"""Staff figures from Rasa's events and the API's feedback: volume, funnel, levers, needs, gaps, feedback."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ..models import Feedback, Handoff
from . import rasa_store
from .grouping import group_questions
from .tracker import (
    ANSWER_ACTIONS,
    FALLBACK_INTENT,
    LEVERS_SLOT,
    NEEDS_SLOT,
    QUALIFIED_ACTIONS,
    answered,
    as_list,
    day_bounds,
    day_range,
)

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
    q = rasa_store.started_in(rasa_store.spans(ran=QUALIFIED_ACTIONS), since, until)
    return [Conversation(r[0], float(r.started or 0), int(r.turns or 0), bool(r.ran)) for r in conn.execute(q)]


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
    """The slots' values, each answered question and its reply, and the fallbacks of the conversations in keep."""
    found = Marks({slot: {} for slot in slots}, [], [])
    for kind, sender, a, b in rasa_store.scan(conn, slots, ANSWER_ACTIONS, FALLBACK_INTENT):
        if sender not in keep:
            continue
        if kind == "slot":
            found.slots[a].setdefault(sender, set()).update(as_list(b))
        elif kind == "answer":
            found.pairs.append((sender, a, b))
        else:
            found.fallbacks.append((a, sender, b))
    return found


def unanswered(conn: Connection, found: Marks) -> list[tuple[str, str]]:
    """(conversation, text) of each question the assistant could not answer: the founder's message before
    an answering action whose reply carried no cited in-scope answer, and messages that fell to nlu_fallback."""
    replies = rasa_store.replies(conn, {p[2] for p in found.pairs if p[2] is not None})
    missed = {q for _, q, r in found.pairs if not answered(replies.get(r) if r is not None else None)}
    texts = rasa_store.texts(conn, missed)
    out = {q: (sender, texts.get(q, "")) for sender, q, _ in found.pairs if q in missed}
    out.update({eid: (sender, said) for eid, sender, said in found.fallbacks})
    return [out[k] for k in sorted(out) if out[k][1] and not out[k][1].startswith("/")]


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
    found = marks(conn, (LEVERS_SLOT, NEEDS_SLOT), keep) if conn is not None else Marks({}, [], [])
    shown, needs = found.slots.get(LEVERS_SLOT, {}), found.slots.get(NEEDS_SLOT, {})
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
