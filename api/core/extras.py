"""Documents from outside knowledge/ (staff uploads, a `guichet index --docs` folder): never official text.

Each lives in its own id namespace, derived from its file's path (`upload-ok.md.fr`, `docs-notes/a.md.en`):
its front matter cannot give it a knowledge/ id, and `[s001, date]` references in its text stay plain
text, since the answerer would otherwise cite the official source s001 (title, publisher, link) for it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval.chunking import chunk_documents
from retrieval.loading import Skipped, read_outside
from retrieval.models import Chunk

UPLOADS = "upload"  # staff uploads (POST /staff/documents)
EXTRA = "docs"  # the folder given to `guichet index --docs`
# The answerer's reference marker (api/core/corpus.py CITATION), in any case and spacing.
_REFERENCE = re.compile(r"\[(\s*[sS]\d{3,}\b[^\]]*)\]")


@dataclass(frozen=True)
class Collision:
    """A document that claimed what is not its own (an official id, official references), and what was done."""

    path: str
    reason: str


def plain_references(text: str) -> tuple[str, int]:
    """`[s001, 2021-10-20]` -> `(s001, 2021-10-20)`: still readable, never resolved to an official source."""
    return _REFERENCE.subn(r"(\1)", text)


def outside_chunks(
    root: Path, namespace: str, taken: Collection[str], max_chars: int
) -> tuple[list[Chunk], list[Skipped], list[Collision]]:
    """The chunks of every readable file under root, each document under its namespaced id; a document whose
    id is already taken (by knowledge/, whose ids always win) is skipped; every claim is reported."""
    pairs, skipped = read_outside(root, namespace)
    others, taken = set(taken), set(taken)
    docs, collisions = [], []
    for doc, claimed in pairs:
        name = Path(str(doc.path)).name
        if doc.id in taken:
            skipped.append(Skipped(str(doc.path), f"its id {doc.id} is already used by the knowledge base; rename it"))
            continue
        taken.add(doc.id)
        if claimed in others:
            collisions.append(
                Collision(str(doc.path), f"{name} claims the id {claimed} of an indexed document (the knowledge "
                          f"base's); indexed as {doc.id}, never as that document's text")
            )
        text, n = plain_references(doc.text)
        if n:
            collisions.append(
                Collision(str(doc.path), f"{name} holds {n} reference(s) to the knowledge base's sources ([s001]…); "
                          "kept as plain text, never cited as an official source")
            )
        docs.append(replace(doc, text=text, kind="passage", lever_id=None))
    return chunk_documents(docs, max_chars=max_chars), skipped, collisions
