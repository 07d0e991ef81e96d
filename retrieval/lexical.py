"""BM25 over analysed tokens, with bm25s: build, save as plain files, load, search."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s

log = logging.getLogger(__name__)

# Robertson & Zaragoza's usual parameters; "lucene" is bm25s's default BM25 variant.
K1, B = 1.2, 0.75


def build(corpus_tokens: list[list[str]]) -> bm25s.BM25:
    model = bm25s.BM25(k1=K1, b=B, method="lucene")
    model.index([toks or [""] for toks in corpus_tokens], show_progress=False)
    return model


def save(model: bm25s.BM25, folder: Path) -> None:
    model.save(str(folder), show_progress=False)


def load(folder: Path) -> bm25s.BM25:
    return bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)


def search(model: bm25s.BM25, tokens: list[str], k: int) -> list[tuple[int, float]]:
    """(row, score) best first, only rows that share at least one token with the query."""
    known = [t for t in tokens if t in model.vocab_dict]
    n_docs = int(model.scores["num_docs"])
    if not known or n_docs == 0:
        return []
    k = min(k, n_docs)
    rows, scores = model.retrieve([known], k=k, show_progress=False, n_threads=0)
    out = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]
    return out
