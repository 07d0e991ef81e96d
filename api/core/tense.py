"""Targets whose date has passed are said as past targets, from today's date (never a hard-coded year)."""

from __future__ import annotations

import datetime as dt
import re

# "d'ici 2025", "à l'horizon 2025", "horizon 2025", "by 2025", "by the end of 2025".
_TARGET = {
    "fr": re.compile(
        r"\b(?:d['’]ici (?:à |a |fin )?|(?:à )?l['’]horizon |horizon |d['’]ici la fin de )(20\d\d)\b", re.I
    ),
    "en": re.compile(r"\b(?:by (?:the end of )?|target(?:ed)? for )(20\d\d)\b", re.I),
}
_PREFIX = {
    "fr": "Objectif fixé en {set} pour {due}, échéance aujourd'hui passée : ",
    "en": "A target set in {set} for {due}, a date now past: ",
}
_PREFIX_UNDATED = {
    "fr": "Objectif fixé pour {due}, échéance aujourd'hui passée : ",
    "en": "A target for {due}, a date now past: ",
}


def past_targets(text: str, lang: str, today: dt.date, stated: dt.date | None) -> str:
    """The sentence, prefixed so that a target for a year already over reads as a past target."""
    lang = "en" if lang == "en" else "fr"
    due = [int(m.group(1)) for m in _TARGET[lang].finditer(text)]
    lapsed = [y for y in due if y < today.year]
    if not lapsed:
        return text
    if stated is not None:
        prefix = _PREFIX[lang].format(set=stated.year, due=max(lapsed))
    else:
        prefix = _PREFIX_UNDATED[lang].format(due=max(lapsed))
    return prefix + (text[0].lower() + text[1:] if text[:2].istitle() and not text[:2].isupper() else text)
