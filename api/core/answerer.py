"""Extractive answers: the best sentences of the best passages, with their citations."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from retrieval.analysis import tokenize
from retrieval.models import Hit

from .catalogue import Catalogue
from .corpus import CITATION, source_label

MAX_SENTENCES = 3
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
    hit_rank: int
    hit: Hit
    score: float


def clean(text: str) -> str:
    """Sentence text without its [source, date] references or list markers."""
    return re.sub(r"\s+", " ", CITATION.sub("", text)).strip().lstrip("-•* ").strip()


def sentences(hits: list[Hit], question: str) -> list[Sentence]:
    """Every sentence of the hits, scored by stems shared with the question (idf-free, length-damped)."""
    out = []
    for rank, hit in enumerate(hits):
        q = set(tokenize(question, hit.chunk.lang))
        for raw in _SENT.split(hit.chunk.text):
            text = clean(raw)
            toks = tokenize(text, hit.chunk.lang)
            if len(text) < 25 or not toks:
                continue
            shared = len(q & set(toks))
            score = shared / math.sqrt(len(toks)) + 0.6 / (1 + rank)
            if shared:
                out.append(Sentence(text, rank, hit, score))
    return sorted(out, key=lambda s: -s.score)


def citation(hit: Hit, text: str, cat: Catalogue) -> dict:
    refs = [m.group(1) for m in CITATION.finditer(hit.chunk.text)]
    srcs = [source_label(cat.sources[r]) for r in dict.fromkeys(refs) if r in cat.sources]
    return {
        "doc_id": hit.chunk.doc_id,
        "chunk_id": hit.chunk.id,
        "title": hit.chunk.title,
        "source": "; ".join(srcs) or hit.chunk.source,
        "as_of": hit.chunk.as_of,
        "excerpt": text,
        "lever_id": hit.chunk.lever_id,
    }


def answer(question: str, hits: list[Hit], lang: str, cat: Catalogue) -> dict:
    """The answer text (chosen sentences, best first, at most one per passage) and its citations."""
    chosen: list[Sentence] = []
    for s in sentences(hits, question):
        if all(s.hit.chunk.id != c.hit.chunk.id for c in chosen) and s.text not in {c.text for c in chosen}:
            chosen.append(s)
        if len(chosen) == MAX_SENTENCES:
            break
    if not chosen:
        return {"answer": _NO_ANSWER.get(lang, _NO_ANSWER["fr"]), "citations": [], "levers": []}
    cites = [citation(s.hit, s.text, cat) for s in chosen]
    body = " ".join(f"{s.text} [{i}]" for i, s in enumerate(chosen, start=1))
    levers = list(dict.fromkeys(c["lever_id"] for c in cites if c["lever_id"]))
    return {"answer": body, "citations": cites, "levers": levers}
