"""The period a question asks about: a year still ahead (not knowable), or a month or the current year, known
only from sources at least that recent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from guichet_contract import MONTHS

from retrieval.analysis import fold

_MONTH_INDEX = {fold(name): n for names in MONTHS.values() for n, name in enumerate(names, start=1)}
_MONTH_YEAR = re.compile(r"\b(" + "|".join(_MONTH_INDEX) + r")\s+(20\d\d)\b")
# The current year said as the time of what is asked ("en 2026", "in 2026", "cette année"), not as a date in
# the founder's story ("créée en 2024" names a past year, left alone).
_THIS_YEAR = re.compile(r"\b(?:en|in|pour|for|during|depuis|since)\s+(20\d\d)\b|\b(cette annee|this year)\b")


@dataclass(frozen=True)
class Period:
    start: dt.date
    label: dict[str, str]  # how to say it: {"fr": "octobre 2026", "en": "October 2026"}


def _without_names(text: str, named: Sequence[str]) -> str:
    folded = fold(text)
    for pattern in named:
        folded = re.sub(pattern, " ", folded)
    return folded


def later_year(text: str, today: dt.date, named: Sequence[str] = ()) -> bool:
    """The question names a year after the current one: what it asks has not happened yet. A year inside a
    programme's name ("France 2030", `named`: vocabularies.yaml named_years) is not a date."""
    return any(int(y) > today.year for y in re.findall(r"\b(20\d\d)\b", _without_names(text, named)))


def asked_period(text: str, today: dt.date, named: Sequence[str] = ()) -> Period | None:
    """The period the question asks about, from the earliest it names: a month of a year ("en octobre 2026"),
    or the current year said as the time of what is asked ("combien en 2026 ?", "this year"); None when it
    names neither."""
    folded = _without_names(text, named)
    found = [(dt.date(int(y), _MONTH_INDEX[m], 1), True) for m, y in _MONTH_YEAR.findall(folded)]
    for year, this in _THIS_YEAR.findall(folded):
        if this or int(year) == today.year:
            found.append((dt.date(int(year) if year else today.year, 1, 1), False))
    if not found:
        return None
    start, month = min(found)  # "depuis mars 2025", "between March and October": from the first
    if month:
        label = {lang: f"{names[start.month - 1]} {start.year}" for lang, names in MONTHS.items()}
    else:
        label = {"fr": str(start.year), "en": str(start.year)}
    return Period(start, label)


def newer_than_known(period: Period, dates: Sequence[dt.date | None]) -> bool:
    """The period asked begins after the latest date the answer's statements hold for: they cannot say
    (undated statements say nothing either way)."""
    known = [d for d in dates if d is not None]
    return bool(known) and period.start > max(known)
