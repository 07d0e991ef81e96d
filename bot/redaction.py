"""What the tracker store keeps of the hand-off form's personal data: nothing once the form is over.

A founder's name and e-mail address typed for a hand-off belong in the hand-off record only (the API's, with
consent) and nowhere when consent is refused. Rasa stores every event of a turn as it happened; stores.py
passes the events of each save through `stored_events` first:

- a message typed while the hand-off form asks for the name or the address is stored as REDACTED (its text,
  its parse's text, no entities): Rasa never reads an old message's text again, the slot carries the value;
- every name or address the conversation's contact slots (or its NLU entities) held is replaced by a
  placeholder wherever else it appears in a stored message or slot: the bot's confirmation that repeats them
  (its text and the template values Rasa keeps in the event's metadata), a message that gave them unasked;
- the contact slots' values are stored while the form still runs (the next turn reads them back: the form
  asks for the address after the name, then for consent) and as null once it is over; `must_scrub` then tells
  the store to null the values it already holds (filed, refused, abandoned by "on recommence").

Pure functions on Rasa's event dicts (event.as_dict()), no Rasa import: tests/bot/test_redaction.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from re import Pattern
from typing import Any

CONTACT_FORM = "handoff_form"
CONTACT_SLOTS = ("person_name", "email")  # the slots, and the NLU entities of the same names
REDACTED = "[coordonnées non conservées / contact details not kept]"
NAME_PLACEHOLDER, EMAIL_PLACEHOLDER = "[nom / name]", "[e-mail]"
# Shorter values are not searched elsewhere (a two-letter name would hit "fr" or "ok"); they are still
# redacted where they were typed for the form.
MIN_SEARCHED = 3

Event = dict[str, Any]
# Where a contact value may be repeated, by kind of event: what was typed and parsed, what the bot said (and the
# template values Rasa keeps in its metadata), what other slots hold (the project's text).
_SEARCHED = {"user": ("text", "parse_data"), "bot": ("text", "data", "metadata"), "slot": ("value",)}


def _entity_values(event: Event) -> Iterable[tuple]:
    for entity in (event.get("parse_data") or {}).get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") in CONTACT_SLOTS:
            yield entity["entity"], entity.get("value")


def contact_values(events: Sequence[Event]) -> dict[str, str]:
    """Every value the contact slots or entities took in these events -> its placeholder."""
    found: dict[str, str] = {}
    for event in events:
        pairs: Iterable[tuple] = ()
        if event.get("event") == "slot" and event.get("name") in CONTACT_SLOTS:
            pairs = [(event["name"], event.get("value"))]
        elif event.get("event") == "user":
            pairs = _entity_values(event)
        for slot, value in pairs:
            if isinstance(value, str) and len(value.strip()) >= MIN_SEARCHED:
                found[value.strip()] = NAME_PLACEHOLDER if slot == "person_name" else EMAIL_PLACEHOLDER
    return found


def _pattern(values: dict[str, str]) -> Pattern[str] | None:
    if not values:
        return None
    alternatives = "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _replace(obj: Any, pattern: Pattern[str], values: dict[str, str]) -> Any:
    """The strings inside obj with every contact value replaced (dict keys are left alone)."""
    lowered = {k.lower(): v for k, v in values.items()}
    if isinstance(obj, str):
        return pattern.sub(lambda m: lowered.get(m.group(0).lower(), REDACTED), obj)
    if isinstance(obj, list):
        return [_replace(x, pattern, values) for x in obj]
    if isinstance(obj, dict):
        return {k: _replace(v, pattern, values) for k, v in obj.items()}
    return obj


def _typed_for_form(event: Event) -> Event:
    parse = dict(event.get("parse_data") or {})
    if parse:
        parse.update(text=REDACTED, entities=[])
    return {**event, "text": REDACTED, "parse_data": parse} if parse else {**event, "text": REDACTED}


def _contact_slot(event: Event) -> bool:
    return event.get("event") == "slot" and event.get("name") in CONTACT_SLOTS


def stored_events(events: Sequence[Event], start: int, form_live: bool) -> list[Event]:
    """events[start:] as the store may keep them. `events`: the tracker's events of this session, the ones
    already stored first (their values are searched for too); `form_live`: the hand-off form is still active
    once the turn is over (its contact slots must be read back next turn)."""
    values = contact_values(events)
    pattern = _pattern(values)
    out: list[Event] = []
    loop: str | None = None
    asked: str | None = None
    for i, event in enumerate(events):
        kind = event.get("event")
        if i >= start:
            if kind == "user" and loop == CONTACT_FORM and asked in CONTACT_SLOTS:
                event = _typed_for_form(event)
            if _contact_slot(event):
                if not form_live:
                    event = {**event, "value": None}
            elif pattern is not None and kind in _SEARCHED:
                event = {k: _replace(v, pattern, values) if k in _SEARCHED[kind] else v for k, v in event.items()}
            out.append(event)
        if kind == "active_loop":
            loop = event.get("name")
        elif kind == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif kind in ("session_started", "restart"):
            loop = asked = None
    return out


def must_scrub(events: Sequence[Event], stored: int, form_live: bool) -> bool:
    """Whether the store holds contact slot values (among the first `stored` events) that must go now."""
    return not form_live and any(_contact_slot(e) and e.get("value") is not None for e in events[:stored])


def scrubbed(data: str) -> str | None:
    """A stored contact slot event's JSON with its value nulled, or None when it holds none already."""
    event = json.loads(data)
    if event.get("value") is None:
        return None
    return json.dumps({**event, "value": None})
