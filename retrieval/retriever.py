"""Hybrid search over a loaded index: BM25 and dense rankings per language group, fused by RRF."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from . import dense, lexical
from .analysis import LANGS, detect_lang, tokenize
from .embedding import Embedder
from .fusion import reciprocal_rank_fusion
from .index import Group, LoadedIndex
from .models import Chunk, Hit

DEPTH = 50
# Dense rankings read deeper than lexical ones: faiss scans every chunk anyway, and a passage that BM25 ranks
# first but the model only 80th must still get its (small) dense share, or any passage in both top 50s
# outranks it by rank fusion alone.
DENSE_DEPTH = 200
# detect_lang's confidence is |fr - en| / (fr + en) over the telling words of each language: above 1/3, one
# language has more than twice the other's words and its group alone is searched; at 2 words to 1 or closer,
# both groups are. Set so by construction in the first version (2026-11-23), not tuned on the eval sets.
SURE_LANG = 0.34


@dataclass(frozen=True)
class FusionWeights:
    """Weighted reciprocal rank fusion; defaults chosen with scripts/tune_fusion.py (see README)."""

    lexical: float = 1.0
    dense: float = 0.5
    rrf_k: int = 60
    # Languages the embedding model understands: dense rankings are used for queries in these only
    # (an English-only model ranks French text little better than chance, and RRF would let that noise in).
    dense_langs: tuple[str, ...] = ("fr", "en")


class Retriever:
    """Searches one loaded index; the embedder is optional (None: lexical only)."""

    def __init__(self, index: LoadedIndex, embedder: Embedder | None, weights: FusionWeights | None = None):
        self.index = index
        self.embedder = embedder if index.dense else None
        self.weights = weights or FusionWeights()

    @property
    def mode(self) -> str:
        return "hybrid" if self.embedder is not None else "lexical"

    def query_langs(self, query: str, lang: str | None) -> list[str]:
        """The language groups to search: the one asked for, the detected one, or both when unsure."""
        if lang in LANGS:
            return [lang]
        guess, confidence = detect_lang(query)
        return [guess] if confidence >= SURE_LANG else [guess, *(x for x in LANGS if x != guess)]

    def embed_query(self, query: str) -> np.ndarray | None:
        return None if self.embedder is None else self.embedder.embed_queries([query])[0]

    def rankings(
        self,
        query: str,
        langs: Iterable[str],
        kind: str,
        qvec: np.ndarray | None = None,
        depth: int = DEPTH,
        dense_depth: int | None = None,
    ) -> dict[str, list[tuple[Chunk, float]]]:
        """Separate lexical and dense rankings (chunk, raw score) over the chosen groups; the dense one
        `dense_depth` deep (default: `depth`)."""
        out: dict[str, list[tuple[Chunk, float]]] = {"lexical": [], "dense": []}
        langs = list(langs)
        if qvec is None and self.embedder is not None and set(langs) & set(self.weights.dense_langs):
            qvec = self.embed_query(query)
        for lang in langs:
            group: Group | None = self.index.groups.get(f"{lang}-{kind}")
            if group is None:
                continue
            for row, s in lexical.search(group.bm25, tokenize(query, lang), depth):
                out["lexical"].append((group.chunks[row], s))
            if qvec is not None and group.faiss is not None and lang in self.weights.dense_langs:
                for row, s in dense.search(group.faiss, qvec, dense_depth or depth):
                    out["dense"].append((group.chunks[row], s))
        for name in out:
            out[name].sort(key=lambda cs: -cs[1])
        return out

    def search(self, query: str, k: int = 5, lang: str | None = None, kind: str = "passage") -> list[Hit]:
        """The k best chunks for the query, fused from the lexical and dense rankings."""
        if not query.strip():
            return []
        ranked = self.rankings(query, self.query_langs(query, lang), kind, dense_depth=DENSE_DEPTH)
        by_id = {c.id: c for rows in ranked.values() for c, _ in rows}
        fused = reciprocal_rank_fusion(
            {name: [c.id for c, _ in rows] for name, rows in ranked.items()},
            k=self.weights.rrf_k,
            weights={"lexical": self.weights.lexical, "dense": self.weights.dense},
        )
        return [Hit(by_id[str(cid)], score, ranks) for cid, score, ranks in fused[:k]]
