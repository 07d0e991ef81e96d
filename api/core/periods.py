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
    month: bool = True  # a month of a year; else the whole year

    def holds(self, day: dt.date) -> bool:
        """The day falls within the period: "en décembre 2026" or "en 2026" asked on 7 December 2026."""
        return day.year == self.start.year and (not self.month or day.month == self.start.month)


def _without_names(text: str, named: Sequence[str]) -> str:
    folded = fold(text)
    for pattern in named:
        folded = re.sub(pattern, " ", folded)
    return folded


def later_years(text: str, today: dt.date, named: Sequence[str] = ()) -> frozenset[str]:
    """The years after the current one a question names: what it asks has not happened yet, unless the knowledge
    already says that year (a deadline set in advance). A year inside a programme's name ("France 2030", `named`:
    vocabularies.yaml named_years) is not a date."""
    return frozenset(y for y in re.findall(r"\b(20\d\d)\b", _without_names(text, named)) if int(y) > today.year)


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
    return Period(start, label, month)


def newer_than_known(period: Period, dates: Sequence[dt.date | None]) -> bool:
    """The period asked begins after the latest date the answer's statements hold for: they cannot say
    (undated statements say nothing either way)."""
    known = [d for d in dates if d is not None]
    return bool(known) and period.start > max(known)


# A span of time said with its length ("un an après", "deux ans après", "first year", "9 mois"): what tells apart
# two records on the same subject (the strategy's first year and its second), which stemming reads alike ("an").
_COUNTS = {
    "un": 1, "une": 1, "one": 1, "a": 1, "premier": 1, "premiere": 1, "1er": 1, "1re": 1, "1ere": 1, "first": 1,
    "deux": 2, "two": 2, "deuxieme": 2, "second": 2, "2e": 2, "2eme": 2, "2nd": 2,
    "trois": 3, "three": 3, "troisieme": 3, "third": 3, "3e": 3, "3eme": 3, "3rd": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8, "eight": 8,
    "neuf": 9, "nine": 9, "dix": 10, "ten": 10, "douze": 12, "twelve": 12, "dix-huit": 18, "eighteen": 18,
}
_UNITS = {"an": "year", "ans": "year", "annee": "year", "annees": "year", "year": "year", "years": "year",
          "mois": "month", "month": "month", "months": "month"}
_COUNT = r"(\d{1,2}|" + "|".join(sorted(map(re.escape, _COUNTS), key=len, reverse=True)) + r")"
_SPAN = re.compile(r"\b" + _COUNT + r"[\s-]+(" + "|".join(_UNITS) + r")\b")
_SPAN_AFTER = re.compile(r"\b(annee|year)\s+(\d{1,2}|one|two|three|un|deux|trois)\b")  # "year one", "année 2"


def spans(text: str) -> frozenset[tuple[int, str]]:
    """The spans of time a text says, as (length, unit): "un an après" -> {(1, "year")}, "first year" ->
    {(1, "year")}, "dans les 9 mois" -> {(9, "month")}; a year (2025) is not a span."""
    folded = fold(text)
    found = {(int(n) if n.isdigit() else _COUNTS[n], _UNITS[u]) for n, u in _SPAN.findall(folded)}
    found |= {(int(n) if n.isdigit() else _COUNTS[n], "year") for _, n in _SPAN_AFTER.findall(folded)}
    return frozenset(found)
