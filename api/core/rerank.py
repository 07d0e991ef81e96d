"""Answer-type re-ranking: a question asking "how much" prefers passages that hold a figure."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from retrieval.analysis import fold
from retrieval.models import Hit

from .catalogue import Vocabularies

RERANK_DEPTH = 20
# A passage holding the expected kind of answer counts as if it ranked this much better in fusion.
BOOST = 1.6


@lru_cache(maxsize=1024)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def expected_types(question: str, vocab: Vocabularies) -> list[str]:
    q = fold(question)
    return [code for code, at in vocab.answer_types.items() if any(_rx(p).search(q) for p in at.question)]


def evidence_patterns(question: str, vocab: Vocabularies) -> list[re.Pattern[str]]:
    """Patterns of passages that hold the kind of answer the question expects."""
    return [_rx(p) for t in expected_types(question, vocab) for p in vocab.answer_types[t].evidence]


def rerank_by_answer_type(question: str, hits: list[Hit], vocab: Vocabularies) -> list[Hit]:
    """Multiply the fused score of passages that hold an expected answer type; stable otherwise."""
    patterns = evidence_patterns(question, vocab)
    if not patterns:
        return hits
    out = []
    for h in hits:
        text = fold(h.chunk.text)
        out.append(replace(h, score=h.score * BOOST) if any(p.search(text) for p in patterns) else h)
    return sorted(out, key=lambda h: -h.score)
