"""Reading the tracker: language, profile slots, the founder's own words."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker

PROFILE_SLOTS = ("stage", "product_kind", "organisation_type", "medical_device", "ai", "needs")
# A slot the founder was asked about and could not answer: not asked again, sent to the API as unknown.
UNKNOWN = "unknown"


def lang_of(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "fr"


def _flag(value: Any) -> Optional[bool]:
    if isinstance(value, bool) or value is None:
        return value
    return {"true": True, "yes": True, "oui": True, "false": False, "no": False, "non": False}.get(str(value).lower())


def _known(value: Any) -> Any:
    return None if value == UNKNOWN else value


def profile_from_slots(tracker: Any) -> Dict[str, Any]:
    """The API's Profile from the slots (None where unknown); anything with get_slot will do."""
    needs = tracker.get_slot("needs") or []
    return {
        "stage": _known(tracker.get_slot("stage")),
        "product_kind": _known(tracker.get_slot("product_kind")),
        "organisation_type": _known(tracker.get_slot("organisation_type")),
        "medical_device": _flag(tracker.get_slot("medical_device")),
        "ai": _flag(tracker.get_slot("ai")),
        "needs": list(dict.fromkeys(needs if isinstance(needs, list) else [needs])),
    }


def free_texts(tracker: Tracker) -> List[str]:
    """What the founder typed (button payloads such as /inform{...} left out), oldest first."""
    return [
        e.get("text") or ""
        for e in tracker.events
        if e.get("event") == "user" and e.get("text") and not str(e.get("text")).startswith("/")
    ]


def last_free_text(tracker: Tracker) -> str:
    texts = free_texts(tracker)
    return texts[-1] if texts else ""


def transcript(tracker: Tracker) -> List[Dict[str, str]]:
    """The conversation as (role, text) turns, for a hand-off."""
    out = []
    for e in tracker.events:
        if e.get("event") in ("user", "bot") and e.get("text"):
            out.append({"role": "founder" if e["event"] == "user" else "assistant", "text": e["text"],
                        "at": str(e.get("timestamp", ""))})
    return out


def first_message(tracker: Tracker) -> bool:
    """Whether the latest message is the founder's first of the conversation."""
    return sum(1 for e in tracker.events if e.get("event") == "user") == 1

