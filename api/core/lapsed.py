"""What in knowledge/ has lapsed on a given day, for `guichet check` and the staff page.

Four kinds: a record past its `review_by`; a record past its `valid_until`; a target, forecast or plan past its
`due` date, or a text that still speaks of a past year as ahead ("d'ici 2025", "will be published in 2022"); a
call shown as `open` on news older than the review period. What is lapsed on purpose (a closed lever, a past
target whose text says so and carries `lapsed_ok: true`) is listed too, but is not an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from .catalogue import Catalogue, Lever, Status
from .fiches import Fiche, plain
from .records import LANGS
from .strategy_documents import document_records

# An `open` status must be re-confirmed at each review: after this many days it is old news.
OPEN_FRESH_DAYS = 183

# A target year ("d'ici 2025", "à l'horizon 2025", "by 2025": the same wording api/core/tense.py rewrites at
# answer time), or future wording followed in the same clause by a year ("sera publié courant 2022", "will open
# in 2022"). Brackets are skipped so that "(annonce du 18 octobre 2021)" never reads as a target.
_AHEAD = {
    "fr": re.compile(
        r"\b(?:(?:d['’]ici (?:à |a |fin |la fin de )?|(?:à )?l['’]horizon |horizon )(20\d\d)"
        r"|(?:sera|seront|devra|devront|ouvrira|ouvriront)\b[^.;:()\[\]]{0,80}?\b(20\d\d))\b",
        re.I,
    ),
    "en": re.compile(
        r"\b(?:(?:by (?:the end of )?|target(?:ed)? for )(20\d\d)|(?:will|shall)\b[^.;:()\[\]]{0,80}?\b(20\d\d))\b",
        re.I,
    ),
}


@dataclass(frozen=True)
class Lapse:
    """One thing past its date: which record, which field, the date that passed, and whether that is on purpose."""

    kind: str  # review | expired | due | past-as-future | stale-open
    record: str  # lever:<id>, fiche:<id> or document:<lang>/<file>
    field: str
    date: dt.date
    detail: str
    on_purpose: bool = False

    def to_dict(self) -> dict:
        return {**asdict(self), "date": self.date.isoformat()}


def past_as_future(text: str, lang: str, today: dt.date) -> list[int]:
    """Years before today's that the text still speaks of as ahead (a target "by 2025", a future tense)."""
    years = {int(m.group(1) or m.group(2)) for m in _AHEAD["en" if lang == "en" else "fr"].finditer(text)}
    return sorted(y for y in years if y < today.year)


def _texts(lever: Lever) -> list[tuple[str, str, str]]:
    """(field, lang, text) for every text of a lever a founder may read."""
    out: list[tuple[str, str, str]] = []
    for lang in LANGS:
        out += [("summary", lang, lever.summary.get(lang)), ("operator", lang, lever.operator.get(lang))]
        out += [(f"facts.{i}", lang, f.text.get(lang)) for i, f in enumerate(lever.facts)]
        out += [(f"amounts.{i}", lang, a.label.get(lang)) for i, a in enumerate(lever.amounts)]
        out += [(f"criteria.{i}", lang, c.clause.get(lang)) for i, c in enumerate(lever.criteria)]
        out += [(f"conditions.{i}", lang, t) for i, t in enumerate(lever.conditions.get(lang))]
        out += [(f"next_steps.{i}", lang, t) for i, t in enumerate(lever.next_steps.get(lang))]
    return out


def _stale_open(record: str, field: str, status: Status | None, today: dt.date, on_purpose: bool) -> list[Lapse]:
    if status is None or status.value != "open":
        return []
    fresh_until = status.known_on + dt.timedelta(days=OPEN_FRESH_DAYS)
    if fresh_until >= today:
        return []
    if on_purpose:
        detail = f"was open as known on {status.known_on} ({status.source}); the text says so in the past"
    else:
        detail = f"shown as open, as known on {status.known_on} ({status.source}): confirm or change the status"
    return [Lapse("stale-open", record, field, fresh_until, detail, on_purpose)]


def _past_as_future(
    record: str, texts: Sequence[tuple[str, str, str]], today: dt.date, rendered: bool = False
) -> list[Lapse]:
    """Texts that speak of a past year as ahead. A fiche answer goes through api/core/tense.py, which says a past
    target in the past when it answers (`rendered`): listed for an update, not an error. Cards and passages
    show lever and document texts as written, so there it is an error."""
    out = []
    for field, lang, text in texts:
        for year in past_as_future(text, lang, today):
            if rendered:
                detail = f"{lang} answer speaks of {year} as ahead (said in the past when answered): give the outcome"
            else:
                detail = f"{lang} text speaks of {year} as ahead: write it in the past"
            out.append(Lapse("past-as-future", record, f"{field}.{lang}", dt.date(year, 12, 31), detail, rendered))
    return out


def lever_lapses(lever: Lever, today: dt.date) -> list[Lapse]:
    rec = f"lever:{lever.id}"
    closed = lever.status.value == "closed"
    out = []
    if lever.review_by < today:
        out.append(Lapse("review", rec, "review_by", lever.review_by, "re-check the record against its sources"))
    if lever.valid_until and lever.valid_until < today:
        detail = "closed (status)" if closed else "past valid_until but its status is not closed"
        out.append(Lapse("expired", rec, "valid_until", lever.valid_until, detail, on_purpose=closed))
    out += _stale_open(rec, "status", lever.status, today, on_purpose=False)
    dated = [(f"facts.{i}", f.due, f.lapsed_ok) for i, f in enumerate(lever.facts)]
    dated += [(f"amounts.{i}", a.due, a.lapsed_ok) for i, a in enumerate(lever.amounts)]
    for field, due, ok in dated:
        if due and due < today:
            detail = "past due, written in the past" if ok else "past due: give the outcome, or say it lapsed"
            out.append(Lapse("due", rec, field, due, detail, on_purpose=ok))
    for i, f in enumerate(lever.facts):
        out += _stale_open(rec, f"facts.{i}.status", f.status, today, on_purpose=f.lapsed_ok)
    return out + _past_as_future(rec, _texts(lever), today)


def fiche_lapses(fiche: Fiche, today: dt.date) -> list[Lapse]:
    rec = f"fiche:{fiche.id}"
    out = []
    if fiche.review_by < today:
        out.append(Lapse("review", rec, "review_by", fiche.review_by, "re-check the answer against its sources"))
    out += _stale_open(rec, "status", fiche.status, today, on_purpose=False)
    texts = [("answer", lang, plain(fiche.answer.get(lang))) for lang in LANGS]
    return out + _past_as_future(rec, texts, today, rendered=True)


def document_lapses(root: Path, today: dt.date) -> list[Lapse]:
    out = []
    for doc in document_records(root):
        rec = f"document:{doc.name}"
        if doc.review_by is None:
            out.append(Lapse("review", rec, "review_by", today, "no review_by date in the front matter"))
        elif doc.review_by < today:
            out.append(Lapse("review", rec, "review_by", doc.review_by, "re-check the document against its sources"))
        if doc.valid_until and doc.valid_until < today:
            out.append(Lapse("expired", rec, "valid_until", doc.valid_until, "past valid_until"))
        out += _past_as_future(rec, [(p.where, doc.lang, p.text) for p in doc.paragraphs], today)
    return out


def knowledge_lapses(cat: Catalogue, documents_root: Path, today: dt.date) -> list[Lapse]:
    """Everything lapsed on `today`: levers, fiches, then strategy documents; errors and on-purpose alike."""
    out = [x for lv in cat.levers for x in lever_lapses(lv, today)]
    out += [x for f in cat.fiches for x in fiche_lapses(f, today)]
    return out + document_lapses(documents_root, today)


def report(lapses: list[Lapse]) -> dict:
    """The list as the CLI and the staff page show it: errors first, then what lapsed on purpose."""
    ordered = sorted(lapses, key=lambda x: (x.on_purpose, x.record, x.field))
    return {
        "wrong": sum(not x.on_purpose for x in lapses),
        "on_purpose": sum(x.on_purpose for x in lapses),
        "lapses": [x.to_dict() for x in ordered],
    }

