"""Month names and "October 2021" / "d'octobre 2021" dates, the same in answers, cards and roadmaps."""

from __future__ import annotations

import datetime as dt

MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}


def month_year(day: dt.date | str | None, lang: str) -> str:
    """"d'octobre 2021" (French, with its preposition) / "October 2021" from a date or an ISO date; any other
    text is given back as it is."""
    if isinstance(day, dt.date):
        year, month = day.year, day.month
    else:
        text = str(day or "")
        try:
            year, month = int(text[:4]), int(text[5:7])
            name = MONTHS["fr"][month - 1]
        except (ValueError, IndexError):
            return text
    name = MONTHS["en" if lang == "en" else "fr"][month - 1]
    if lang == "en":
        return f"{name} {year}"
    return f"{'d’' if name[0] in 'ao' else 'de '}{name} {year}"
