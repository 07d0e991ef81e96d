"""Answer-type re-ranking: a question asking "how much" prefers passages that hold a figure."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from retrieval.analysis import detect_lang, fold, tokenize
from retrieval.models import Hit

from .catalogue import Vocabularies

RERANK_DEPTH = 20
# A passage holding the expected kind of answer counts as if it ranked this much better in fusion.
BOOST = 1.6


@lru_cache(maxsize=1024)
def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _what(match: re.Match[str], lang: str) -> str | None:
    """The stem of the thing a question counts ("combien d'axes" -> "axe"), from its `what` group."""
    word = match.groupdict().get("what")
    stems = tokenize(word, lang) if word else []
    return stems[0] if stems else None


def _matches(question: str, vocab: Vocabularies) -> list[tuple[str, str | None]]:
    """(answer type, counted stem or None) for every answer type the question expects."""
    q, lang = fold(question), detect_lang(question)[0]
    out = []
    for code, at in vocab.answer_types.items():
        m = next((m for p in at.question if (m := _rx(p).search(q))), None)
        if m:
            out.append((code, _what(m, lang)))
    return out


def evidence_in_order(question: str, vocab: Vocabularies) -> list[list[re.Pattern[str]]]:
    """The evidence patterns of each kind of answer the question asks, in the order it asks them ("comment est
    doté le PEPR, sur quelle durée, et qui le pilote ?": the amount, the span of time, the body)."""
    q, lang = fold(question), detect_lang(question)[0]
    found: list[tuple[int, int, str, str | None]] = []
    for code, at in vocab.answer_types.items():
        m = min((m for p in at.question if (m := _rx(p).search(q))), key=lambda m: m.start(), default=None)
        if m:
            found.append((m.start(), m.start() - m.end(), code, _what(m, lang)))
    return [_evidence(code, what, vocab) for _, _, code, what in sorted(found)]


def answer_kinds(question: str, vocab: Vocabularies) -> frozenset[str]:
    """The kinds of answer the question asks (vocabulary `answer_types`: amount, date, duration, count…)."""
    return frozenset(code for code, _ in _matches(question, vocab))


def asking_words(question: str, vocab: Vocabularies) -> str:
    """The words of the question that name the kind of answer it expects ("quel budget", "how much",
    "depuis quand"): a sentence holding that kind of answer says them, whatever its own words."""
    q = fold(question)
    spans = []
    for at in vocab.answer_types.values():
        for p in at.question:
            m = _rx(p).search(q)
            if m:
                spans.append(_asking_span(m))
    return " ".join(spans)


def _asking_span(match: re.Match[str]) -> str:
    """The words a pattern matched, less its `skip` group: what lies between the asking words ("what's
    <Doctolib's stock> price", "combien <la stratégie> consacre") is what the question is about, not how it asks."""
    skip = match.groupdict().get("skip")
    if not skip:
        return match.group(0)
    start, end = match.span("skip")
    text = match.string
    return f"{text[match.start():start]} {text[end:match.end()]}"


def evidence_patterns(question: str, vocab: Vocabularies) -> list[re.Pattern[str]]:
    """Patterns of passages that hold the kind of answer the question expects."""
    return [p for code, what in _matches(question, vocab) for p in _evidence(code, what, vocab)]


def _evidence(code: str, what: str | None, vocab: Vocabularies) -> list[re.Pattern[str]]:
    """One answer type's evidence patterns. A pattern with a `{what}` slot stands for the counted thing itself (a
    number next to "axes", not any number): it is filled with the stem the question's `what` group read, or
    dropped."""
    return [
        _rx(p.replace("{what}", re.escape(what))) if what and "{what}" in p else _rx(p)
        for p in vocab.answer_types[code].evidence
        if what or "{what}" not in p
    ]


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
