"""Reading the tracker: language, profile slots, the founder's own words, what a yes or a no would answer."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from guichet_contract import FLAG_SLOTS, PROFILE_SLOTS, UNKNOWN

if TYPE_CHECKING:  # pure functions besides: importable without Rasa (tests/bot/test_profile_reading.py)
    from rasa_sdk import Tracker

# What a typed yes or no answers (the `yes_no` slot): set by the action whose message asks the question,
# reset by any message that is neither a yes, a no, nor a question or an aside (domain: slot mappings).
NOTHING, PROFILE, ADVISOR, NOTE = "nothing", "profile", "advisor", "note"

# Words that open a question ("comment…", "est-ce un dispositif médical ?", "how…", "is it…?").
_ASKING = (r"comment|combien|quand|pourquoi|quel(?:le)?s?|qui|où|qu.est.ce|est.ce|c.est quoi|c quoi|y a.t.il|"
           r"peut.on|faut.il|how|what|when|where|why|which|who")
_OPENS_ASKING = re.compile(rf"^(?:et |mais |ok |bon |alors |sinon |and |so |but )*(?:{_ASKING})\b", re.IGNORECASE)
# French puts the asking word last as often as first ("tu sers à quoi", "on fait comment", "c'est combien", "on en
# est où"); a closing "quoi" alone is a filler ("une appli de suivi quoi"), not a question.
_CLOSES_ASKING = re.compile(
    r"\b(?:(?:à|a|pour|de|c.est|sert à|sert a|sers à|sers a) quoi|combien|quand|comment|où)\W*$", re.IGNORECASE
)
_SENTENCES = re.compile(r"(?<=[.!?;:])\s+")
# In a sentence that ends with a question mark, the question starts at the last comma before a word that asks
# ("On a une appli de coaching, est-ce un dispositif médical ?").
_ASKED_FROM = re.compile(rf",\s+(?=(?:{_ASKING})\b)", re.IGNORECASE)


# What a fresh start forgets: the project, what was shown of it, where the qualification stood.
FRESH_START = (*PROFILE_SLOTS, "project_text", "recommended", "focus", "topic", "profile_confirmed", "to_ask",
               "summary_shown")


def lang_of(tracker: Tracker) -> str:
    return "en" if tracker.get_slot("language") == "en" else "fr"


def split_question(text: str) -> tuple[str, str]:
    """(what a typed message states, what it asks), either possibly empty: "On a une appli de coaching, est-ce
    un dispositif médical ?" states an app and asks whether it is a medical device."""
    text = text.strip()
    if text.startswith("/"):
        return "", ""
    states, asks = [], []
    for sentence in filter(None, (x.strip() for x in _SENTENCES.split(text))):
        if sentence.endswith("?"):
            *stated, asked = _ASKED_FROM.split(sentence)
            states += stated
            asks.append(asked)
        else:
            (asks if _OPENS_ASKING.match(sentence) or _CLOSES_ASKING.search(sentence) else states).append(sentence)
    return " ".join(states), " ".join(asks)


def is_question(text: str) -> bool:
    """Whether a typed message asks something, by its form (the NLU's intent aside)."""
    return bool(split_question(text)[1])


# A founder leaving a form ("annuler", "stop", "laisse tomber", "I don't want to give my email"): no name, no
# address, however the NLU read it.
_WITHDRAW = re.compile(
    r"^\W*((non|bon|ok|okay|euh|ah|oh|finalement|en fait|no|well|actually|sorry|pardon)\W+)*"
    r"(annule[rz]?|annulation|stop|arr[eê]te[rz]?|laisse[rz]? tomber|tant pis|non merci|cancel|ok cancel|"
    r"never ?mind|forget it|quit)\b"
    r"|\b(je ne veux pas|je veux pas|je pr[ée]f[èe]re ne pas|pas envie de|i don.?t want to|i do not want to|"
    r"i.?d rather not)\b.{0,30}\b(donner|laisser|partager|give|share|leave|provide)\b"
    r"|\b(annule[rz]?|retire[rz]?|cancel|withdraw)\b.{0,15}\b(ma|la|cette|my|the|this) (demande|request)\b",
    re.IGNORECASE,
)


def is_withdrawal(text: str) -> bool:
    return bool(_WITHDRAW.search(text or ""))


# A founder starting over with another project in the same message ("on recommence, j'ai un autre projet : …").
_ANOTHER_PROJECT = re.compile(
    r"\b(on recommence|je recommence|recommen[cç]ons|on repart de z[ée]ro|(un|mon|notre) autre projet|"
    r"(un|mon|notre) nouveau projet|(another|my other|our other|a new|a different) project|start(ing)? over)\b",
    re.IGNORECASE,
)


def is_another_project(text: str) -> bool:
    return bool(_ANOTHER_PROJECT.search(text or ""))


# What identifies a patient in a pasted record: a French social security number (NIR: sex, year, month,
# department, commune, order, optional key), a date of birth, a social security number named as such.
_PATIENT_IDENTITY = re.compile(
    r"\b[12]\s?\d{2}\s?(0[1-9]|1[0-2]|[2-9]\d)\s?(\d{2}|2[AB])\s?\d{3}\s?\d{3}(\s?\d{2})?\b"
    r"|\b(n[ée]e?|born)\s+(le\s+|on\s+)?\d{1,2}(er)?([/.-]\d{1,2}[/.-]|\s+[A-Za-zéû]+\s+)\d{2,4}\b"
    r"|\bdate de naissance\s*:?\s*\d|\bdate of birth\s*:?\s*\d"
    r"|\b(num[ée]ro de s[ée]cu(rit[ée] sociale)?|n° de s[ée]cu|social security number|nir)\s*:?\s*\d",
    re.IGNORECASE,
)


def holds_patient_identity(text: str) -> bool:
    """Whether a typed message holds what identifies a patient (not a founder's own project figures)."""
    return bool(_PATIENT_IDENTITY.search(text or ""))


def flag(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return {"true": True, "yes": True, "oui": True, "false": False, "no": False, "non": False}.get(str(value).lower())


def _known(value: Any) -> Any:
    return None if value == UNKNOWN else value


def profile_from_slots(tracker: Any) -> dict[str, Any]:
    """The API's Profile from the slots (None where unknown); anything with get_slot will do."""
    out: dict[str, Any] = {}
    for slot in PROFILE_SLOTS:
        value = tracker.get_slot(slot)
        if slot == "needs":
            needs = value or []
            out[slot] = list(dict.fromkeys(needs if isinstance(needs, list) else [needs]))
        else:
            out[slot] = flag(value) if slot in FLAG_SLOTS else _known(value)
    return out


def intent_of(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def typed_text(tracker: Tracker) -> str:
    """The latest message if the founder typed it ('' for a button's payload such as /affirm)."""
    text = (tracker.latest_message.get("text") or "").strip()
    return "" if text.startswith("/") else text


def free_texts(tracker: Tracker) -> list[str]:
    """What the founder typed (button payloads such as /inform{...} left out), oldest first."""
    return [
        e.get("text") or ""
        for e in tracker.events
        if e.get("event") == "user" and e.get("text") and not str(e.get("text")).startswith("/")
    ]


def last_free_text(tracker: Tracker) -> str:
    texts = free_texts(tracker)
    return texts[-1] if texts else ""


def asked_since_reading(tracker: Tracker) -> bool:
    """Whether the form asked the founder something since their project was last read (action_prefill_profile)."""
    for e in reversed(tracker.events):
        if e.get("event") == "action" and e.get("name") == "action_prefill_profile":
            return False
        if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value"):
            return True
    return False
