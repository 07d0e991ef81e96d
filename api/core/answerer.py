"""Extractive answers: the best sentences of the best passages, with their citations."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.analysis import fold, tokenize
from retrieval.models import Hit

from .catalogue import Catalogue
from .corpus import CITATION, source_label

MAX_SENTENCES = 3
EVIDENCE_BONUS = 0.8  # a sentence holding the expected kind of answer (a figure, a date)
HEADING_WEIGHT = 0.5  # question words found in the passage's title or section count for half
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"\d€])|\n+")
_NO_ANSWER = {
    "fr": "Je n'ai pas trouvé de réponse sûre dans la base de connaissances. Un conseiller du guichet peut vous aider.",
    "en": "I found no reliable answer in the knowledge base. An advisor of the single window can help you.",
}
OUT_OF_SCOPE = {
    "fr": (
        "Je ne peux répondre qu'aux questions sur l'accompagnement de l'innovation en santé numérique "
        "(financements, expérimentation, évaluation, données, accès au marché). Voulez-vous parler à un conseiller ?"
    ),
    "en": (
        "I can only answer questions about support for digital-health innovation (funding, experimentation, "
        "evaluation, data, market access). Would you like to talk to an advisor?"
    ),
}


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: str  # the raw paragraph it comes from, with its [source, date] references
    hit: Hit
    score: float


def clean(text: str) -> str:
    """Sentence text without its [source, date] references or list markers."""
    return re.sub(r"\s+", " ", CITATION.sub("", text)).strip().lstrip("-•* ").strip()


def sentences(
    hits: list[Hit], question: str, idf: Mapping[str, Mapping[str, float]], evidence: list[re.Pattern[str]]
) -> list[Sentence]:
    """Every sentence of the hits, scored by the idf of the stems it shares with the question
    (length-damped), the rank of its passage, and whether it holds the kind of answer expected."""
    out = []
    for rank, hit in enumerate(hits):
        lang = hit.chunk.lang
        q = set(tokenize(question, lang))
        weights = idf.get(lang, {})
        heading = q & set(tokenize(f"{hit.chunk.title} {hit.chunk.section}", lang))
        for paragraph in hit.chunk.text.split("\n"):
            for raw in _SENT.split(paragraph):
                text = clean(raw)
                toks = set(tokenize(text, lang))
                shared = q & toks
                if len(text) < 25 or not shared:
                    continue
                score = sum(weights.get(t, 1.0) for t in shared) / math.sqrt(len(toks)) + 1.0 / (1 + rank)
                score += HEADING_WEIGHT * sum(weights.get(t, 1.0) for t in heading - shared) / math.sqrt(len(toks))
                if evidence and any(p.search(fold(text)) for p in evidence):
                    score += EVIDENCE_BONUS
                out.append(Sentence(text, paragraph, hit, score))
    return sorted(out, key=lambda s: -s.score)


def citation(sentence: Sentence, cat: Catalogue) -> dict:
    """The sentence's document and sources: those its paragraph cites, else its passage's."""
    hit = sentence.hit
    refs = [m.group(1) for m in CITATION.finditer(sentence.paragraph)] or [
        m.group(1) for m in CITATION.finditer(hit.chunk.text)
    ]
    srcs = [source_label(cat.sources[r]) for r in dict.fromkeys(refs) if r in cat.sources]
    return {
        "doc_id": hit.chunk.doc_id,
        "chunk_id": hit.chunk.id,
        "title": hit.chunk.title,
        "source": "; ".join(srcs) or hit.chunk.source,
        "as_of": hit.chunk.as_of,
        "excerpt": sentence.text,
        "lever_id": hit.chunk.lever_id,
    }


def answer(
    question: str,
    hits: list[Hit],
    lang: str,
    cat: Catalogue,
    idf: Mapping[str, Mapping[str, float]],
    evidence: list[re.Pattern[str]] | None = None,
) -> dict:
    """The answer text (chosen sentences, best first, at most one per passage) and its citations."""
    # Retrieval ranks passages better than sentence overlap can: take the best sentence of each of
    # the best passages, in passage order.
    chosen: list[Sentence] = []
    for s in sentences(hits, question, idf, evidence or []):
        if all(s.hit.chunk.id != c.hit.chunk.id for c in chosen) and s.text not in {c.text for c in chosen}:
            chosen.append(s)
    rank = {h.chunk.id: i for i, h in enumerate(hits)}
    chosen = sorted(chosen, key=lambda c: rank[c.hit.chunk.id])[:MAX_SENTENCES]
    if not chosen:
        return {"answer": _NO_ANSWER.get(lang, _NO_ANSWER["fr"]), "citations": [], "levers": []}
    cites = [citation(s, cat) for s in chosen]
    body = " ".join(f"{s.text} [{i}]" for i, s in enumerate(chosen, start=1))
    levers = list(dict.fromkeys(c["lever_id"] for c in cites if c["lever_id"]))
    return {"answer": body, "citations": cites, "levers": levers}
