"""The strategy documents of knowledge/documents/ as records: dates (front matter) and paragraphs, for lapse checks.

(Not the documents staff upload for search: those are api/core/uploads.py and api/routes/documents.py.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from retrieval.loading import split_front_matter


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Paragraph:
    """One paragraph or list item of a document body, with where it is ("section 2, paragraph 3")."""

    where: str
    text: str


@dataclass(frozen=True)
class DocumentRecord:
    """A document's name (relative to documents/), language, review dates and paragraphs."""

    name: str
    lang: str
    review_by: dt.date | None
    valid_until: dt.date | None
    paragraphs: tuple[Paragraph, ...]


def _paragraphs(body: str) -> tuple[Paragraph, ...]:
    out, section, n = [], 0, 0
    for block in body.split("\n"):
        line = block.strip()
        if not line:
            continue
        if line.startswith("#"):
            section, n = section + 1, 0
            continue
        n += 1
        out.append(Paragraph(f"section {section} paragraph {n}", line))
    return tuple(out)


def document_records(root: Path) -> list[DocumentRecord]:
    """Every Markdown document under root, in path order."""
    records = []
    for path in sorted(root.rglob("*.md")):
        meta, body = split_front_matter(path.read_text(encoding="utf-8"))
        records.append(
            DocumentRecord(
                name=str(path.relative_to(root)),
                lang="en" if meta.get("lang") == "en" else "fr",
                review_by=_date(meta.get("review_by")),
                valid_until=_date(meta.get("valid_until")),
                paragraphs=_paragraphs(body),
            )
        )
    return records

