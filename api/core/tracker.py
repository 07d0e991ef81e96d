"""A conversation as the bot's actions record it (bot/actions), in the terms the staff side reads it.

The slots and actions named here are the bot's; how Rasa stores them is api/core/rasa_store.py's business.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from guichet_contract import PayloadType

from .rasa_store import Reply, has_events, tracker_engine, tracker_state

# api/main.py, api/cli.py and api/routes/* open and probe the store through these names.
__all__ = ["has_events", "tracker_engine", "tracker_state"]

PROFILE_SLOTS = ("stage", "product_kind", "organisation_type", "medical_device", "ai", "needs")
LANGUAGE_SLOT = "language"
NEEDS_SLOT = "needs"
LEVERS_SLOT = "recommended"  # action_recommend sets it to the ids of the lever cards it shows
QUALIFIED_ACTIONS = ("action_confirm_profile", "action_recommend")
ANSWER_ACTIONS = ("action_answer_question", "action_explain_lever")
FALLBACK_INTENT = "nlu_fallback"
# The hand-off form's last question is the consent to store the request (bot/domain/core.yml): only it asks for
# this slot, in Rasa's requested_slot.
REQUESTED_SLOT = "requested_slot"
CONSENT_SLOT = "consent"


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


def as_list(value: Any) -> list[str]:
    """A list slot's value as a list of strings (Rasa stores a scalar when an action set one)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) for v in items if v is not None and not isinstance(v, dict | list)]


def answered(reply: Reply | None) -> bool:
    """Whether a bot reply to a question carried a real answer: lever details, or an in-scope cited answer."""
    if reply is None:
        return False
    if reply.payload == PayloadType.LEVER.value:
        return True
    return reply.payload == PayloadType.ANSWER.value and not reply.out_of_scope and reply.cited
