"""A founder's profile in the dialogue: what a message changes in it, and how it is said back.

Pure functions over plain dicts (the API's Profile: codes, booleans, None for unknown), so that the
qualification actions only translate between the tracker, the API and these.
"""

from __future__ import annotations

from typing import Any

from guichet_contract import FLAG_SLOTS, PROFILE_SLOTS, UNKNOWN

FLAG_WORDS: dict[str, dict[str, dict[Any, str]]] = {
    "medical_device": {"fr": {"name": "dispositif médical", True: "oui", False: "non", None: "à préciser"},
                       "en": {"name": "medical device", True: "yes", False: "no", None: "not known yet"}},
    "ce_marked": {"fr": {"name": "marquage CE", True: "obtenu", False: "pas encore", None: "à préciser"},
                  "en": {"name": "CE mark", True: "obtained", False: "not yet", None: "not known yet"}},
    "ai": {"fr": {"name": "IA", True: "oui", False: "non", None: "à préciser"},
           "en": {"name": "AI", True: "yes", False: "no", None: "not known yet"}},
}
PART_NAMES = {"stage": {"fr": "stade", "en": "stage"}, "needs": {"fr": "besoin", "en": "need"}}


def slot_value(slot: str, value: Any) -> Any:
    """The slot's form of an API value: flags as "true"/"false" (the slots are text), codes as they are."""
    return str(value).lower() if isinstance(value, bool) else value


def changes(read: dict[str, Any], current: dict[str, Any], *, dont_know: bool,
            unwanted: list[str] | None = None) -> dict[str, Any]:
    """What a message's statements (its questions are not read: common.split_question) change in the
    profile, as API values (slot -> new value). What they state wins over what was known (a correction),
    except in a message saying the founder does not know, which states nothing ("no idea" is no stage).
    Needs add up, the latest first: a need read in passing ("le marquage CE" is also a regulatory need) must
    not erase the one the founder gave; a need the message sets aside (`unwanted`: "plutôt tester, pas le
    financement") leaves.
    """
    if dont_know:
        return {}
    out: dict[str, Any] = {}
    for slot in PROFILE_SLOTS:
        value = read.get(slot)
        if slot == "needs":
            known = list(current.get("needs") or [])
            merged = [n for n in dict.fromkeys([*(value or []), *known]) if n not in (unwanted or [])]
            if merged and set(merged) != set(known):
                out["needs"] = merged
        elif value is not None and value != current.get(slot):
            out[slot] = value
    return out


def is_known(profile: dict[str, Any]) -> bool:
    return any(profile.get(s) not in (None, [], UNKNOWN) for s in PROFILE_SLOTS)


def parts(profile: dict[str, Any], labels: dict[str, str], lang: str, only: list[str] | None = None) -> list[str]:
    """The profile in words, one part per slot (only those given, else every known one; the medical-device
    status always, the CE status when it matters), with the API's labels for codes."""
    out = []
    for slot in only or PROFILE_SLOTS:
        value = profile.get(slot)
        if slot == "needs":
            if value:
                out.append(f"{PART_NAMES['needs'][lang]}{' ' if lang == 'fr' else ''}: "
                           + ", ".join(labels.get(n, n) for n in value))
        elif slot in FLAG_SLOTS:
            shown = (only is not None or slot == "medical_device" or value is not None
                     or (slot == "ce_marked" and profile.get("medical_device")))
            if shown:
                words = FLAG_WORDS[slot][lang]
                out.append(f"{words['name']}{' ' if lang == 'fr' else ''}: {words[value]}")
        elif value:
            label = labels.get(value, value)
            out.append(f"{PART_NAMES['stage'][lang]}{' ' if lang == 'fr' else ''}: {label}" if slot == "stage"
                       else label)
    return out


def summary(profile: dict[str, Any], labels: dict[str, str], lang: str, only: list[str] | None = None) -> str:
    return (" ; " if lang == "fr" else "; ").join(parts(profile, labels, lang, only))
