"""Which fiche, if any, a question asks: its phrasings searched like passages, then a calibrated confidence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.retriever import Retriever

from .answerer import question_weights

CANDIDATES = 12  # phrasings looked at from each ranking
# Cosine of all-MiniLM-L6-v2 between a question and a phrasing, squashed to 0..1 (0.35 -> 0, 0.85 -> 1).
COS_FLOOR, COS_SPAN = 0.35, 0.5
LEXICAL_SHARE = 0.6  # of the confidence, when dense search is on (the rest is the squashed cosine)


@dataclass(frozen=True)
class FicheMatch:
    fiche_id: str
    confidence: float
    phrasing: str


def overlap(question: str, phrasing: str, lang: str, idf: Mapping[str, float]) -> float:
    """How much the question and the phrasing say the same thing: the harmonic mean of the share of each
    one's weight (content stems, idf-weighted) that the other covers."""
    q = question_weights(question, lang, idf)
    p = question_weights(phrasing, lang, idf)
    shared = set(q) & set(p)
    if not shared:
        return 0.0
    cq = sum(q[t] for t in shared) / sum(q.values())
    cp = sum(p[t] for t in shared) / sum(p.values())
    return 2 * cq * cp / (cq + cp)


def fiche_of(chunk_id: str) -> str:
    """fiche-<id>-questions.<lang>#0003 -> <id>."""
    return chunk_id.split("#", 1)[0].removeprefix("fiche-").rsplit("-questions.", 1)[0]


def match_fiche(
    retriever: Retriever,
    question: str,
    lang: str,
    idf: Mapping[str, Mapping[str, float]],
    exclude: set[str] | None = None,
) -> FicheMatch | None:
    """The fiche whose phrasings are closest to the question, with a confidence in 0..1 (None: no fiche).

    `exclude` leaves phrasings out by chunk id (the leave-one-out curve of scripts/answer_curve.py)."""
    ranked = retriever.rankings(question, [lang], kind="fiche", depth=CANDIDATES * 2)
    cos = {c.id: s for c, s in ranked["dense"]}
    dense_on = bool(ranked["dense"])
    best: FicheMatch | None = None
    seen = set()
    for chunk, _ in ranked["lexical"][:CANDIDATES] + ranked["dense"][:CANDIDATES]:
        if chunk.id in seen or (exclude and chunk.id in exclude):
            continue
        seen.add(chunk.id)
        lex = overlap(question, chunk.text, lang, idf.get(lang, {}))
        if dense_on:
            squashed = min(1.0, max(0.0, (cos.get(chunk.id, COS_FLOOR) - COS_FLOOR) / COS_SPAN))
            conf = LEXICAL_SHARE * lex + (1 - LEXICAL_SHARE) * squashed
        else:
            conf = lex
        if best is None or conf > best.confidence:
            best = FicheMatch(fiche_of(chunk.id), round(conf, 4), chunk.text)
    return best
