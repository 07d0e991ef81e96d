"""The one index build, shared by `guichet index` and the staff re-indexing route: atomic, with a manifest."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.embedding import Embedder
from retrieval.index import build_index
from retrieval.loading import Skipped

from .catalogue import load_catalogue
from .corpus import build_chunks
from .extras import EXTRA, UPLOADS, Collision, outside_chunks

log = logging.getLogger("guichet.index")


@dataclass(frozen=True)
class Built:
    path: Path
    manifest: dict
    rebuilt: bool
    skipped: list[Skipped]
    collisions: list[Collision] = field(default_factory=list)


def uploads_dir(data_dir: Path) -> Path:
    """Where staff uploads live; every build includes them."""
    return data_dir / "documents"


def rebuild(
    knowledge_dir: Path,
    index_dir: Path,
    data_dir: Path,
    embedder: Embedder | None,
    chunk_max_chars: int,
    extra: Path | None = None,
    force: bool = False,
) -> Built:
    """Chunks of knowledge/ + an optional folder + the uploaded documents, built atomically (the previous
    build keeps serving if anything fails); raises CatalogueError or IndexUnavailable with the reason. The
    documents from outside knowledge/ keep their own ids; every collision is logged and returned."""
    cat = load_catalogue(knowledge_dir)
    chunks, skipped = build_chunks(cat, knowledge_dir, max_chars=chunk_max_chars)
    collisions: list[Collision] = []
    for folder, namespace in ((extra, EXTRA), (uploads_dir(data_dir), UPLOADS)):
        if folder is None or not folder.exists():
            continue
        more, more_skipped, more_collisions = outside_chunks(
            folder, namespace, {c.doc_id for c in chunks}, chunk_max_chars
        )
        chunks += more
        skipped += more_skipped
        collisions += more_collisions
    for c in collisions:
        log.warning("collision: %s", c.reason)
    path, manifest, rebuilt = build_index(
        chunks, index_dir, embedder, params={"chunk_max_chars": chunk_max_chars}, force=force
    )
    return Built(path, manifest, rebuilt, skipped, collisions)
