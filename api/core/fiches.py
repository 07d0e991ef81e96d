"""Fiches: one founder question each, answered in our own words in both languages, every sentence sourced.

A fiche is the answer to a question founders ask (an amount and what it is, who is eligible, the steps,
a deadline, a rule, who to contact). Its answer is written once per language, the direct answer first,
each statement followed by its reference ``[sNNN, YYYY-MM-DD]`` (source id, date the statement holds for).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from guichet_contract import month_year
from pydantic import Field, model_validator

from .records import Code, I18n, Strict, Text

# A reference after a statement: the source id and the date the statement holds for (ISO).
REF = re.compile(r"\[(s\d{3,}),\s*(\d{4}-\d{2}-\d{2})\]")
ANY_BRACKET_REF = re.compile(r"\[(s\d{3,})(?:,[^\]]*)?\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"\d€])")
MAX_SENTENCES = 5
MAX_WORDS = 110

_FIGURE = re.compile(r"\d+(?:[,.]\d+)?")
_YEAR = re.compile(r"(19|20)\d\d")


def repeated_figure(sentences: list[str]) -> str | None:
    """A figure of two digits or more, not a year (a day of the month counts), said in two sentences: an answer
    says each figure once ("no figure twice"); refer back to it instead ("ce délai", "that deadline")."""
    seen: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        for figure in set(_FIGURE.findall(sentence)):
            if len(figure) >= 2 and not _YEAR.fullmatch(figure) and seen.setdefault(figure, i) != i:
                return figure
    return None


Status = Literal["proposed", "announced", "open", "closed", "recurring", "in-force", "unknown"]
STATUS_LABELS: dict[str, dict[str, str]] = {
    "fr": {"proposed": "proposé", "announced": "annoncé", "open": "ouvert", "closed": "clos", "recurring": "récurrent",
           "in-force": "en vigueur", "unknown": "inconnu"},
    "en": {"proposed": "proposed", "announced": "announced", "open": "open", "closed": "closed",
           "recurring": "recurring", "in-force": "in force", "unknown": "unknown"},
}
# What a founder shown a lever must be told of where it stands, its status aside: a proposal, an announcement
# with nothing since, a closed call, a status no source gives. In force, recurring or open goes without saying.
TOLD = frozenset({"proposed", "announced", "closed", "unknown"})


class FicheStatus(Strict):
    """Where the thing the fiche is about stands (a call open or closed, a rule in force), as known on a date."""

    value: Status
    known_on: dt.date
    source: Code
    # What the status alone does not tell, in a few words ("l'appel à nouveaux sites est clos depuis le 31 mai
    # 2024 ; on teste auprès d'un tiers-lieu retenu"): shown with it on the lever's card.
    note: I18n | None = None
    note_sources: list[Code] = Field(default_factory=list)  # what the note says beyond the status's own source

    def line(self, lang: str) -> str:
        """The status in words, with the month it was known and the note: "clos (information de mars 2024)"."""
        label = STATUS_LABELS["en" if lang == "en" else "fr"][self.value]
        when = month_year(self.known_on, lang)
        said = f"{label} (as known in {when})" if lang == "en" else f"{label} (information {when})"
        return f"{said}{' — ' + self.note.get(lang) if self.note else ''}"

    def told(self) -> bool:
        """Whether a card says it (TOLD, or a note)."""
        return self.value in TOLD or self.note is not None


class Questions(Strict):
    """Phrasings of the question, as founders would ask it, in each language (at least two each)."""

    fr: list[Text] = Field(min_length=2)
    en: list[Text] = Field(min_length=2)

    def get(self, lang: str) -> list[str]:
        return self.en if lang == "en" else self.fr


def plain(text: str) -> str:
    """An answer without its references, spaces folded."""
    return re.sub(r"\s+", " ", ANY_BRACKET_REF.sub("", text)).replace(" .", ".").strip()


def statements(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answer cut into sentences, each with the (source, date) references that follow it."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    pos = 0
    # A statement ends after its last reference; text before the first reference of a run is the sentence.
    for m in re.finditer(r"((?:\s*\[s\d{3,},\s*\d{4}-\d{2}-\d{2}\])+)", text):
        body = text[pos : m.start()].strip()
        refs = REF.findall(m.group(1))
        if body:
            out.append((body, refs))
        elif out:
            out[-1][1].extend(refs)
        pos = m.end()
    tail = text[pos:].strip()
    if tail:
        out.append((tail, []))
    return out


class Fiche(Strict):
    """One question and its sourced answer; `levers` are the levers the answer points to."""

    id: Code
    questions: Questions
    answer: I18n
    levers: list[Code] = Field(default_factory=list)
    needs: list[Code] = Field(default_factory=list)
    status: FicheStatus | None = None
    # The sources answer only in part (no official rate, no single price): the reply ends offering an advisor.
    partial: bool = False
    sources: list[Code] = Field(min_length=1)
    as_of: dt.date  # the date of the latest statement the answer rests on
    last_verified: dt.date
    review_by: dt.date

    @model_validator(mode="after")
    def _answers(self) -> Fiche:
        cited: dict[str, set[str]] = {}
        for lang in ("fr", "en"):
            text = self.answer.get(lang)
            if ANY_BRACKET_REF.findall(text) and len(ANY_BRACKET_REF.findall(text)) != len(REF.findall(text)):
                raise ValueError(f"answer.{lang}: references must read [sNNN, YYYY-MM-DD]")
            parts = statements(text)
            if not parts or any(not refs for _, refs in parts):
                raise ValueError(f"answer.{lang}: every statement must end with its [sNNN, YYYY-MM-DD] reference")
            body = plain(text)
            n = len(_SENTENCE_END.split(body))
            if n > MAX_SENTENCES:
                raise ValueError(f"answer.{lang}: {n} sentences, at most {MAX_SENTENCES}")
            words = len(body.split())
            if words > MAX_WORDS:
                raise ValueError(f"answer.{lang}: {words} words, at most {MAX_WORDS}")
            twice = repeated_figure([t for t, _ in parts])
            if twice:
                raise ValueError(f"answer.{lang}: the figure {twice} is stated in two sentences: say it once")
            cited[lang] = {src for _, refs in parts for src, _ in refs}
            for _, refs in parts:
                for _, day in refs:
                    dt.date.fromisoformat(day)
        if cited["fr"] != cited["en"]:
            raise ValueError(f"answer: fr cites {sorted(cited['fr'])} but en cites {sorted(cited['en'])}")
        missing = cited["fr"] - set(self.sources)
        if missing:
            raise ValueError(f"answer cites {sorted(missing)}, not listed in sources")
        if self.status and self.status.source not in self.sources:
            raise ValueError(f"status.source {self.status.source} is not listed in sources")
        unlisted = [s for s in (self.status.note_sources if self.status else []) if s not in self.sources]
        if unlisted:
            raise ValueError(f"status.note_sources {', '.join(unlisted)} not listed in sources")
        if self.review_by <= self.last_verified:
            raise ValueError("review_by must come after last_verified")
        return self

    def cited(self, lang: str) -> list[tuple[str, str]]:
        """(source, date) references in the order the answer first cites them."""
        seen: dict[tuple[str, str], None] = {}
        for _, refs in statements(self.answer.get(lang)):
            for ref in refs:
                seen.setdefault(ref, None)
        return list(seen)
