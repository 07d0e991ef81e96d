"""Which fiche, if any, a question asks: its phrasings searched like passages, then a calibrated confidence."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from retrieval.analysis import fold, tokenize
from retrieval.retriever import Retriever

from .answerer import asking_part, question_weights
from .fiches import Fiche, plain, statements
from .periods import spans

# Phrasings looked at from each ranking: French is matched lexically only (the packaged model is English), and
# 12 left a fiche out once twelve new fiches had joined the base (their phrasings took the places); 18 measured
# no worse on any answer set (docs/answers.md).
CANDIDATES = 18
ONLY_DEPTH = 8  # x CANDIDATES phrasings searched when only some fiches may answer (those of the levers shown)
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
# A question asking for a kind of answer (a figure, a date, a duration) that the fiche's answer nowhere holds
# is asking something else about the same subject ("how long is HDS certification valid" of a fiche on who
# needs it): the confidence is multiplied by this.
TYPE_MISSING = 0.6
# A name the question asks about (an acronym: PECAN, HDS, EIC) that the fiche mentions only in passing, in its
# answer, not in any of its phrasings: the fiche is about something else ("the CNEDiMTS's role" for "what does
# PECAN give"); the confidence is multiplied by this.
NAMED_ASIDE = 0.75
# A name the question says (a capitalised word within a sentence: "en Belgique", "Doctolib", "the MHRA") that
# the knowledge never says, in passages or fiches: the question is about what the base does not hold (another
# country, a company's prices); the confidence is multiplied by this. A founder's own product ("notre appli
# Kinoa") is not such a name.
UNKNOWN_NAME = 0.75
_NAME = re.compile(r"[A-ZÀ-Ý][\wà-ÿ-]{2,}")
RARE_NAME = 5.0  # idf from which a name the question says is rare enough to be what it asks about
NAME_MISSING = 0.5  # the confidence kept by a fiche that never says such a name
_OWN = frozenset({"notre", "nos", "mon", "ma", "mes", "our", "my", "appelée", "appelé", "called", "named"})
# A fiche most of whose phrasings ask one kind of answer (how many apps are listed, how long PECAN lasts) answers
# that kind of question: asked something else of its subject ("comment être référencé ?", "the steps of PECAN"),
# its confidence is multiplied by this.
KIND_OTHER = 0.7
# A phrasing saying another span of time than the question, in the same unit ("deux ans après" for "un an après
# le lancement", which stemming reads alike): it asks about another period; its closeness is multiplied by this.
SPAN_OTHER = 0.5
# A numbered text or rule the question names ("article 51", "règle 11", "MR-004", "annex VIII" is no number): a fiche
# never saying that number is about another one (the ETAPES fiche, which names articles 36 and 54, for "article 51
# c'est quoi ?"); its confidence is multiplied by NAME_MISSING.
_NUMBERED = re.compile(r"\b(?:article|art\.|r[eè]gle|rule|mr|annexe|annex)[\s-]?0*(\d{1,3})\b", re.IGNORECASE)
NAMED = re.compile(r"\b[A-Z][A-Z0-9_]{1,}\b|\b[A-Z][a-z]+[A-Z]\w*")  # an acronym (PECAN, HDS) or a name (G_NIUS)


@dataclass(frozen=True)
class FicheMatch:
    fiche_id: str
    confidence: float
    phrasing: str


def overlap(
    question: str, phrasing: str, lang: str, idf: Mapping[str, float], drop: frozenset[str] = frozenset()
) -> float:
    """How much the question and the phrasing say the same thing: the harmonic mean of the share of each
    one's weight (content stems, idf-weighted) that the other covers; `drop`: stems left out of both (the
    words that ask for a kind of answer, "how much money", which any fiche of a figure answers)."""
    q = {t: w for t, w in question_weights(question, lang, idf).items() if t not in drop}
    p = {t: w for t, w in question_weights(phrasing, lang, idf).items() if t not in drop}
    if not q or not p:
        return 0.0
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
    answer_text: str  # the whole answer, folded, for the answer-type patterns
    subject: frozenset[str] = frozenset()  # stems most of its phrasings say (PECAN): what the fiche is about
    kinds: frozenset[str] = frozenset()  # the kinds of answer most of its phrasings ask (count, duration…)


def fiche_terms(
    fiches: Iterable[Fiche], lang: str, kinds_of: Callable[[str], frozenset[str]] | None = None
) -> dict[str, FicheTerms]:
    """`kinds_of`: the kinds of answer a question asks (rerank.answer_kinds with the vocabulary)."""
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
            fold(plain(f.answer.get(lang))),
            _subject([frozenset(tokenize(q, lang)) for q in f.questions.get(lang)]),
            _subject([kinds_of(q) for q in f.questions.get(lang)]) if kinds_of else frozenset(),
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
    asking: str = "",
    only: frozenset[str] | None = None,
    vocabulary: frozenset[str] = frozenset(),
    kinds: frozenset[str] | None = None,
) -> FicheMatch | None:
    """The fiche closest to the question, with a confidence in 0..1 (None: no fiche at all).

    A fiche is close when one of its phrasings says what the question says (content stems shared both
    ways, and the cosine of the two when dense search is on), when the fiche (its phrasings and its answer)
    says the question's words, the rarest above all (a fiche that never says "formation" does not answer
    "combien pour la formation"), and when its first sentence holds the kind of answer asked (a figure, a
    date) — `evidence`, from the vocabulary's answer types. The question's `asking` words ("combien d'argent",
    "how long") name that kind of answer: a fiche holding it says them, whatever its words; one that holds
    none of it answers another question.
    `exclude` leaves phrasings out by chunk id (the leave-one-out curve of scripts/answer_curve.py); `only`
    keeps the fiches of these ids (those of the levers just shown), looked for deeper; `vocabulary`: every stem
    the fiches say (fiche_vocabulary), so that a name only fiches use counts as a word of the knowledge."""
    weights = idf.get(lang, {})
    depth = CANDIDATES * (ONLY_DEPTH if only is not None else 2)
    ranked = retriever.rankings(question, [lang], kind="fiche", depth=depth)
    if only is not None:
        ranked = {k: [(c, x) for c, x in v if fiche_of(c.id) in only] for k, v in ranked.items()}
    cos = {c.id: s for c, s in ranked["dense"]}
    dense_on = bool(ranked["dense"])
    asked = frozenset(tokenize(asking, lang)) if evidence else frozenset()
    phrasing: dict[str, tuple[float, str]] = {}
    asked_spans = spans(question)
    for chunk, _ in ranked["lexical"][:CANDIDATES] + ranked["dense"][:CANDIDATES]:
        if exclude and chunk.id in exclude:
            continue
        lex = overlap(question, chunk.text, lang, weights, asked)
        conf = LEXICAL_SHARE * lex + (1 - LEXICAL_SHARE) * _squash(cos.get(chunk.id)) if dense_on else lex
        if asked_spans and _other_span(asked_spans, spans(chunk.text)):
            conf *= SPAN_OTHER
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
    # Stems the knowledge uses, in passages or in fiches (typos and chatter left out): a name only fiches use
    # ("EIC") is a word a fiche must say to answer.
    known = {t: w for t, w in q.items() if t in weights or t in vocabulary}
    rarest = max(known.values(), default=0.0)
    asked_here = asked & set(q)
    # Names asked about, in the sentences that ask ("we have a SaMD under MDR. when does the AI Act apply?" asks
    # about the AI Act; the SaMD and the MDR tell what the product is).
    named = {t for m in NAMED.findall(asking_part(question)) for t in tokenize(m, lang)} & set(known)
    strangers = unknown_names(question, lang, weights, vocabulary)
    # A rare name the question asks about (a company, a product: "Moovcare", "Withings"; one the knowledge never
    # says weighs the most) that a fiche never says: the fiche answers about its subject in general, not about that
    # one. Acronyms ("SME", "GMED") weigh as `named` does, by the fiche's phrasings.
    rare_names = {t for t in asked_names(asking_part(question), lang, acronyms=False) if q.get(t, 0.0) >= RARE_NAME}
    numbers = set(_NUMBERED.findall(asking_part(question)))
    scored = {}
    for fid, (conf, _) in phrasing.items():
        ft = terms.get(fid)
        if ft is None:
            continue
        said = ft.answer.union(*(st for cid, st in ft.phrasings.items() if not (exclude and cid in exclude)))
        holds = bool(evidence) and any(p.search(ft.answer_text) for p in evidence or ())
        if holds:
            said = said | asked_here
        covered = sum(w for t, w in q.items() if t in said) / total
        missing = max((w for t, w in known.items() if t not in said), default=0.0)
        score = (conf + ANSWER_COVER * covered + ANSWER_COS * answer_cos.get(fid, 0.0)) / _TOTAL
        score *= 1.0 - RARE_MISSING * (missing / rarest if rarest else 0.0)
        if named - set().union(*ft.phrasings.values()):
            score *= NAMED_ASIDE
        if strangers:
            score *= UNKNOWN_NAME
        if rare_names - said or numbers and not numbers <= _numbers_said(ft):
            score *= NAME_MISSING
        if kinds is not None and ft.kinds and not ft.kinds & kinds:
            score *= KIND_OTHER
        if evidence and not holds:
            score *= TYPE_MISSING
        elif evidence and any(p.search(fold(ft.first_sentence)) for p in evidence):
            score = min(1.0, score + TYPE_BONUS)
        scored[fid] = score
    if not scored:
        return None
    best = max(scored, key=lambda f: scored[f])
    return FicheMatch(best, round(scored[best], 4), phrasing[best][1])


def _numbers_said(ft: FicheTerms) -> frozenset[str]:
    """The numbers a fiche says, in its answer or phrasings, without leading zeros ("004" is 4)."""
    return frozenset(t.lstrip("0") or "0" for t in ft.answer.union(*ft.phrasings.values()) if t.isdigit())


def _other_span(asked: frozenset[tuple[int, str]], said: frozenset[tuple[int, str]]) -> bool:
    """The phrasing says a span in a unit the question uses too, and none of the question's spans."""
    units = {u for _, u in asked} & {u for _, u in said}
    return bool(units) and not asked & said


def asked_names(question: str, lang: str, acronyms: bool = True) -> set[str]:
    """Stems of the names within the question's sentences (a capitalised word not opening one; `acronyms`: all
    capitals too), but the founder's own product's ("notre appli Kinoa")."""
    words = question.split()
    names = [
        w
        for i, w in enumerate(words)
        if i and _NAME.match(w) and not words[i - 1].endswith((".", "!", "?", ":"))
        and not _OWN & {x.lower() for x in words[max(0, i - 2) : i]}
        and (acronyms or not re.sub(r"['’]s$|\W", "", w).isupper())
    ]
    return {t for w in names for t in tokenize(w, lang)}


def unknown_names(question: str, lang: str, idf: Mapping[str, float], vocabulary: frozenset[str]) -> set[str]:
    """Stems of the names within the question's sentences that neither the passages nor the fiches say."""
    return asked_names(question, lang) - set(idf) - vocabulary


def fiche_vocabulary(terms: Mapping[str, FicheTerms]) -> frozenset[str]:
    """Every stem the fiches of one language say, in their answers or phrasings."""
    return frozenset().union(*(ft.answer.union(*ft.phrasings.values()) for ft in terms.values()))


def _subject(phrasings: list[frozenset[str]]) -> frozenset[str]:
    """The stems more than half of a fiche's phrasings say: its subject ("pecan" for where to file a PECAN
    application); none when its phrasings vary (a fiche on where to apply for any Bpifrance aid)."""
    counts: dict[str, int] = {}
    for stems in phrasings:
        for t in stems:
            counts[t] = counts.get(t, 0) + 1
    return frozenset(t for t, n in counts.items() if 2 * n > len(phrasings) and len(phrasings) > 1)


def _squash(cosine: float | None) -> float:
    return 0.0 if cosine is None else min(1.0, max(0.0, (cosine - COS_FLOOR) / COS_SPAN))


def _fiche_of_answer(doc_id: str) -> str | None:
    """fiche-<id>.<lang> -> <id>; None for other documents."""
    return doc_id.removeprefix("fiche-").rsplit(".", 1)[0] if doc_id.startswith("fiche-") else None
