"""Which fiche, if any, a question asks: its phrasings searched like passages, then a calibrated confidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from retrieval.analysis import fold, tokenize
from retrieval.retriever import Retriever

from .answerer import question_weights
from .fiches import Fiche, plain, statements

CANDIDATES = 12  # phrasings looked at from each ranking
# Cosine of all-MiniLM-L6-v2 between a question and a phrasing, squashed to 0..1 (0.35 -> 0, 0.85 -> 1).
COS_FLOOR, COS_SPAN = 0.35, 0.5
LEXICAL_SHARE = 0.6  # of a phrasing's closeness, when dense search is on (the rest is the squashed cosine)
# The answer's share: its words covering the question's, and its cosine to the question (chosen on the
# leave-one-out curve of scripts/answer_curve.py: the right fiche first for 52 % of held-out phrasings, 41 %
# on phrasings alone).
ANSWER_COVER, ANSWER_COS = 1.0, 0.3
_TOTAL = 1.0 + ANSWER_COVER + ANSWER_COS
ANSWER_DEPTH = 40
RARE_MISSING = 0.4  # the confidence lost when the fiche never says the question's rarest word
TYPE_BONUS = 0.08  # the fiche's first sentence holds the kind of answer asked (a figure, a date)


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


@dataclass(frozen=True)
class FicheTerms:
    """What a fiche says in one language, as stems: its answer, each phrasing (by chunk id), its first
    sentence (the direct answer)."""

    answer: frozenset[str]
    phrasings: dict[str, frozenset[str]]
    first_sentence: str


def fiche_terms(fiches: Iterable[Fiche], lang: str) -> dict[str, FicheTerms]:
    out = {}
    for f in fiches:
        parts = statements(f.answer.get(lang))
        out[f.id] = FicheTerms(
            frozenset(tokenize(plain(f.answer.get(lang)), lang)),
            {
                f"fiche-{f.id}-questions.{lang}#{n:04d}": frozenset(tokenize(q, lang))
                for n, q in enumerate(f.questions.get(lang))
            },
            parts[0][0] if parts else "",
        )
    return out


def match_fiche(
    retriever: Retriever,
    question: str,
    lang: str,
    idf: Mapping[str, Mapping[str, float]],
    terms: Mapping[str, FicheTerms],
    evidence: list[re.Pattern[str]] | None = None,
    exclude: set[str] | None = None,
) -> FicheMatch | None:
    """The fiche closest to the question, with a confidence in 0..1 (None: no fiche at all).

    A fiche is close when one of its phrasings says what the question says (content stems shared both
    ways, and the cosine of the two when dense search is on), when the fiche (its phrasings and its answer)
    says the question's words, the rarest above all (a fiche that never says "formation" does not answer
    "combien pour la formation"), and when its first sentence holds the kind of answer asked (a figure, a
    date) — `evidence`, from the vocabulary's answer types.
    `exclude` leaves phrasings out by chunk id (the leave-one-out curve of scripts/answer_curve.py)."""
    weights = idf.get(lang, {})
    ranked = retriever.rankings(question, [lang], kind="fiche", depth=CANDIDATES * 2)
    cos = {c.id: s for c, s in ranked["dense"]}
    dense_on = bool(ranked["dense"])
    phrasing: dict[str, tuple[float, str]] = {}
    for chunk, _ in ranked["lexical"][:CANDIDATES] + ranked["dense"][:CANDIDATES]:
        if exclude and chunk.id in exclude:
            continue
        lex = overlap(question, chunk.text, lang, weights)
        conf = LEXICAL_SHARE * lex + (1 - LEXICAL_SHARE) * _squash(cos.get(chunk.id)) if dense_on else lex
        fid = fiche_of(chunk.id)
        if conf > phrasing.get(fid, (-1.0, ""))[0]:
            phrasing[fid] = (conf, chunk.text)
    if not phrasing:
        return None
    answer_cos: dict[str, float] = {}
    if dense_on:
        for chunk, cosine in retriever.rankings(question, [lang], kind="passage", depth=ANSWER_DEPTH)["dense"]:
            owner = _fiche_of_answer(chunk.doc_id)
            if owner is not None and owner in phrasing and owner not in answer_cos:
                answer_cos[owner] = _squash(cosine)
    q = question_weights(question, lang, weights)
    total = sum(q.values()) or 1.0
    known = {t: w for t, w in q.items() if t in weights}  # stems the corpus uses (typos left out)
    rarest = max(known.values(), default=0.0)
    scored = {}
    for fid, (conf, _) in phrasing.items():
        ft = terms.get(fid)
        if ft is None:
            continue
        said = ft.answer.union(*(st for cid, st in ft.phrasings.items() if not (exclude and cid in exclude)))
        covered = sum(w for t, w in q.items() if t in said) / total
        missing = max((w for t, w in known.items() if t not in said), default=0.0)
        score = (conf + ANSWER_COVER * covered + ANSWER_COS * answer_cos.get(fid, 0.0)) / _TOTAL
        score *= 1.0 - RARE_MISSING * (missing / rarest if rarest else 0.0)
        if evidence and any(p.search(fold(ft.first_sentence)) for p in evidence):
            score = min(1.0, score + TYPE_BONUS)
        scored[fid] = score
    if not scored:
        return None
    best = max(scored, key=lambda f: scored[f])
    return FicheMatch(best, round(scored[best], 4), phrasing[best][1])


def _squash(cosine: float | None) -> float:
    return 0.0 if cosine is None else min(1.0, max(0.0, (cosine - COS_FLOOR) / COS_SPAN))


def _fiche_of_answer(doc_id: str) -> str | None:
    """fiche-<id>.<lang> -> <id>; None for other documents."""
    return doc_id.removeprefix("fiche-").rsplit(".", 1)[0] if doc_id.startswith("fiche-") else None
