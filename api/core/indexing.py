"""The one index build, shared by `guichet index` and the staff re-indexing route: atomic, with a manifest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.embedding import Embedder
from retrieval.index import build_index
from retrieval.loading import Skipped

from .catalogue import load_catalogue
from .corpus import build_chunks


@dataclass(frozen=True)
class Built:
    path: Path
    manifest: dict
    rebuilt: bool
    skipped: list[Skipped]


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
    build keeps serving if anything fails); raises CatalogueError or IndexUnavailable with the reason."""
    cat = load_catalogue(knowledge_dir)
    chunks, skipped = build_chunks(cat, knowledge_dir, extra=extra, max_chars=chunk_max_chars)
    uploads = uploads_dir(data_dir)
    if uploads.is_dir() and any(p for p in uploads.iterdir() if not p.name.startswith(".")):
        more, more_skipped = build_chunks(cat, knowledge_dir, extra=uploads, max_chars=chunk_max_chars)
        known = {c.id for c in chunks}
        chunks += [c for c in more if c.id not in known]
        skipped += [s for s in more_skipped if s.path.startswith(str(uploads))]  # knowledge/ told once
    path, manifest, rebuilt = build_index(
        chunks, index_dir, embedder, params={"chunk_max_chars": chunk_max_chars}, force=force
    )
    return Built(path, manifest, rebuilt, skipped)
