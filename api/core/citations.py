"""Statements with their sources, rendered as an answer: numbered references, said once, dated, linked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from guichet_contract import month_year

from .catalogue import Catalogue

# Past this age, the answer says how old its freshest information is.
STALE_AFTER_DAYS = 730
_STALE = {"fr": "Dernière information datée {when}.", "en": "Latest information dated {when}."}
_STATUS_DATED = {"fr": "(information {when})", "en": "(as known in {when})"}  # fiches.FicheStatus.line
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer, the sources it rests on and the date it holds for."""

    text: str
    sources: tuple[str, ...]
    date: dt.date | None = None
    doc_id: str = ""
    chunk_id: str = ""
    title: str = ""
    lever_id: str | None = None


def parse_date(text: str | None) -> dt.date | None:
    """An ISO date or a dd/mm/yyyy one (the strategy documents' brackets); None otherwise."""
    if not text:
        return None
    text = text.strip()
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _citation(n: int, src_id: str, st: Statement, cat: Catalogue, lang: str) -> dict:
    src = cat.sources.get(src_id)
    publisher = src.publisher_in(lang) if src else ""
    date = src.date.isoformat() if src else (st.date.isoformat() if st.date else None)
    title = src.title if src else st.title
    return {
        "n": n,
        "source_id": src_id,
        "title": title,
        "publisher": publisher,
        "date": date,
        "url": src.url if src else None,
        "source": f"{title} — {publisher}, {date}" if src else st.title,
        "doc_id": st.doc_id,
        "chunk_id": st.chunk_id,
        "excerpt": st.text,
        "as_of": st.date.isoformat() if st.date else None,
        "lever_id": st.lever_id,
    }


def render(statements: list[Statement], cat: Catalogue, lang: str, today: dt.date) -> tuple[str, list[dict]]:
    """The answer text, each statement followed by its [n] markers, and the citations numbered once in
    order of first use; a last line says how old the freshest information is when it is old."""
    numbers: dict[str, int] = {}
    cites: list[dict] = []
    parts = []
    for st in statements:
        marks = []
        for src in dict.fromkeys(st.sources):
            if src not in numbers:
                numbers[src] = len(numbers) + 1
                cites.append(_citation(numbers[src], src, st, cat, lang))
            marks.append(f"[{numbers[src]}]")
        text = st.text if st.text.endswith((".", "!", "?", ":")) else st.text + "."
        parts.append(f"{text} {''.join(marks)}".strip())
    dates = [st.date for st in statements if st.date]
    if dates and (today - max(dates)).days > STALE_AFTER_DAYS:
        when = month_year(max(dates), lang)
        # A status line already dated that month ("récurrent (information d'octobre 2024)") says it.
        if _STATUS_DATED["en" if lang == "en" else "fr"].format(when=when) not in " ".join(parts):
            parts.append(_STALE["en" if lang == "en" else "fr"].format(when=when))
    return " ".join(parts), cites
