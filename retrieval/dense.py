"""Exact inner-product search with faiss over L2-normalised vectors (so scores are cosines)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

# IndexFlatIP is exact: with a few thousand chunks a full scan costs well under a millisecond,
# so an approximate index (IVF, HNSW) would only add recall loss and training for nothing.


def build(vectors: np.ndarray) -> faiss.Index:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index


def save(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def load(path: Path) -> faiss.Index:
    return faiss.read_index(str(path))


def search(index: faiss.Index, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """(row, cosine) best first for one normalised query vector."""
    k = min(k, index.ntotal)
    if k <= 0:
        return []
    scores, rows = index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
