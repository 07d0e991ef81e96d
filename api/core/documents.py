"""Review dates of the strategy documents, read from their front matter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from retrieval.loading import split_front_matter


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def documents_due(root: Path, today: dt.date) -> list[tuple[str, str, dt.date]]:
    """(kind, path, date) for documents whose review_by or valid_until date has passed."""
    due = []
    for path in sorted(root.rglob("*.md")):
        meta, _ = split_front_matter(path.read_text(encoding="utf-8"))
        name = str(path.relative_to(root))
        review, until = _date(meta.get("review_by")), _date(meta.get("valid_until"))
        if review is None:
            due.append(("document-no-review-date", name, today))
        elif review < today:
            due.append(("document", name, review))
        if until and until < today:
            due.append(("document-expired", name, until))
    return due
