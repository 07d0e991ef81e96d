"""The assistant's core, built once: catalogue + retriever -> search, route and ask."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from retrieval.analysis import LANGS, detect_lang, tokenize
from retrieval.embedding import Embedder, load_embedder
from retrieval.index import LoadedIndex, load_index
from retrieval.models import Hit
from retrieval.retriever import FusionWeights, Retriever

from . import answerer, router
from .catalogue import Catalogue, Lever, load_catalogue
from .citations import Statement
from .fiches import Fiche
from .matching import FicheMatch, FicheTerms, fiche_terms, match_fiche
from .profile import Profile, extract
from .rerank import RERANK_DEPTH, asking_words, evidence_patterns, rerank_by_answer_type

log = logging.getLogger(__name__)

# Similarity of a message to a lever's example phrasings, squashed to 0..1.
LEX_HALF = 8.0  # a BM25 score of 8 counts as half-similar
COS_FLOOR, COS_SPAN = 0.25, 0.45  # cosine 0.25 -> 0, 0.70 -> 1
# A fiche answers a question from this match confidence on; from FICHE_NEAR the question is at least in the
# field. Chosen on the curve of scripts/answer_curve.py (answers kept vs. wrong answers), see docs/answers.md.
FICHE_MIN = 0.25
FICHE_NEAR = 0.18
_STATUS = {
    "fr": {"proposed": "proposé", "announced": "annoncé", "open": "ouvert", "closed": "clos", "recurring": "récurrent",
           "in-force": "en vigueur", "unknown": "inconnu"},
    "en": {"proposed": "proposed", "announced": "announced", "open": "open", "closed": "closed",
           "recurring": "recurring", "in-force": "in force", "unknown": "unknown"},
}


@dataclass
class Brain:
    catalogue: Catalogue
    retriever: Retriever
    notes: list[str] = field(default_factory=list)  # degraded modes, said once at start
    idf: dict[str, dict[str, float]] = field(default_factory=dict)  # per language: stem -> idf over passages
    fiche_terms: dict[str, dict[str, FicheTerms]] = field(default_factory=dict)  # per language, built on first use

    @property
    def mode(self) -> str:
        return self.retriever.mode

    def lang_of(self, text: str, lang: str | None = None) -> str:
        return lang if lang in LANGS else detect_lang(text)[0]

    def search(self, query: str, k: int = 5, lang: str | None = None) -> list[Hit]:
        """Fused search, then passages holding the kind of answer the question expects move up."""
        hits = self.retriever.search(query, k=max(k, RERANK_DEPTH), lang=lang)
        return rerank_by_answer_type(query, hits, self.catalogue.vocab)[:k]

    def lever_similarity(self, text: str, lang: str | None = None) -> tuple[dict[str, float], dict[str, str]]:
        """Per lever: how close the text is to its example phrasings (0..1), and the closest phrasing."""
        langs = self.retriever.query_langs(text, lang)
        ranked = self.retriever.rankings(text, langs, kind="example")
        use_dense = self.retriever.embedder is not None and bool(set(langs) & set(self.retriever.weights.dense_langs))
        lex: dict[str, tuple[float, str]] = {}
        for chunk, s in ranked["lexical"]:
            if chunk.lever_id and chunk.lever_id not in lex:
                lex[chunk.lever_id] = (s / (s + LEX_HALF), chunk.text)
        den: dict[str, tuple[float, str]] = {}
        for chunk, s in ranked["dense"]:
            if chunk.lever_id and chunk.lever_id not in den:
                den[chunk.lever_id] = (min(1.0, max(0.0, (s - COS_FLOOR) / COS_SPAN)), chunk.text)
        sims, examples = {}, {}
        for lever in self.catalogue.levers:
            parts = [lex.get(lever.id, (0.0, ""))]
            if use_dense:
                parts.append(den.get(lever.id, (0.0, "")))
            sims[lever.id] = sum(p[0] for p in parts) / len(parts)
            best = max(parts, key=lambda p: p[0])
            if best[0] > 0.3:
                examples[lever.id] = best[1]
        return sims, examples

    def route(self, text: str | None, profile: Profile | None = None, lang: str | None = None) -> dict:
        """Rank the levers for a message and/or a profile (the profile's known values win over the text)."""
        given = profile or Profile()
        if text and text.strip():
            ex = extract(text, self.catalogue.vocab)
            lang = self.lang_of(text, lang)
            sims, _ = self.lever_similarity(text, lang)  # the closest phrasings are internal: not shown
            scope = router.assess_scope(ex, max(sims.values(), default=0.0))
            if not scope.in_scope and given.needs and not ex.off_topic:
                # Needs given in the profile (a founder in the qualification flow) put terse words in scope.
                scope = router.Scope(True, "needs given in the profile")
            merged = given.merged_over(ex.profile)
        else:
            ex, sims = None, {}
            lang = lang if lang in LANGS else "fr"
            merged = given
            scope = router.Scope(True, "profile only")
        if not scope.in_scope:
            return {
                "in_scope": False,
                "scope_reason": scope.reason,
                "lang": lang,
                "levers": [],
                "excluded": [],
                "profile": merged.model_dump(),
                "missing": merged.missing(),
                "ask": [],
            }
        strength = router.need_strengths(ex, merged, self.catalogue)
        body = router.rank(self.catalogue, merged, strength, sims, lang)
        return {"in_scope": True, "scope_reason": scope.reason, "lang": lang, **body, "profile": merged.model_dump()}

    def vocabulary_labels(self, lang: str) -> dict[str, dict[str, str]]:
        """Code -> label tables (stages, organisation types, product kinds, needs) in one language."""
        v = self.catalogue.vocab
        tables = {
            "stages": v.stages,
            "organisation_types": v.organisation_types,
            "product_kinds": v.product_kinds,
            "needs": v.needs,
        }
        return {name: {code: e.label.get(lang) for code, e in table.items()} for name, table in tables.items()}

    def labels(self, lang: str) -> dict[str, str]:
        """Every vocabulary code -> its label in one language."""
        return {code: label for table in self.vocabulary_labels(lang).values() for code, label in table.items()}

    def match_fiche(self, question: str, lang: str, exclude: set[str] | None = None) -> FicheMatch | None:
        if lang not in self.fiche_terms:
            self.fiche_terms[lang] = fiche_terms(self.catalogue.fiches, lang)
        evidence = evidence_patterns(question, self.catalogue.vocab)
        return match_fiche(self.retriever, question, lang, self.idf, self.fiche_terms[lang], evidence, exclude)

    def ask(
        self, question: str, lang: str | None = None, today: dt.date | None = None, context: Sequence[str] = ()
    ) -> dict:
        """The answer a founder can act on: a fiche that matches, else the sentences of the passages that
        answer, else an honest "I don't know"; off-topic and personal health questions get their reply.

        `context`: the ids of the levers the founder was just shown. The question is also read with their names,
        where only a fiche of those levers may answer it: after the question alone, or before it when the
        question names nothing ("et concrètement on peut toucher combien ?")."""
        today = today or dt.date.today()
        lang = self.lang_of(question, lang)
        ex = extract(question, self.catalogue.vocab)
        if ex.private_person or ex.off_topic:
            text = answerer.PATIENT if ex.patient else answerer.OUT_OF_SCOPE
            return self._reply(text[lang], lang, in_scope=False, patient=ex.patient)
        if ex.unknowable or _later_year(question, today):  # the future, someone's private contact details
            return self._reply(answerer.unknown(question, lang), lang, in_scope=True)
        shown = [lv for i in dict.fromkeys(context) if (lv := self.catalogue.lever(i)) is not None]
        scoped = f"{question} {' '.join(lv.name.get(lang) for lv in shown)}" if shown else ""
        match = self.match_fiche(question, lang)
        # A question of one content word at most that names nothing ("et on peut toucher combien ?"), asked
        # right after cards, is about them first; one naming a thing ("c'est quoi PECAN ?") stands on its own.
        thin = len(answerer.question_weights(question, lang, self.idf.get(lang, {}))) <= 1 and not _NAMED.search(
            question
        )
        alone = partial(self._from_fiche, match, lang, today)
        in_context = partial(self._fiche_in_context, scoped, shown, lang, today)
        for attempt in (in_context, alone) if thin else (alone, in_context):
            body = attempt()
            if body is not None:
                return body
        searched = {}
        for query in filter(None, (question, scoped)):
            hits = searched[query] = self.search(query, k=6, lang=lang)
            evidence = evidence_patterns(query, self.catalogue.vocab)
            asking = asking_words(query, self.catalogue.vocab)
            statements = answerer.compose(query, hits, lang, self.idf, evidence, today, asking)
            if statements:
                body = answerer.answer_body(statements, self.catalogue, lang, today)
                return {**body, "found": True, "in_scope": True, "lang": lang, "fiche": None, "status": None}
        hits = searched[question]
        strong = bool(hits) and hits[0].ranks.get("lexical", 99) <= 3
        near = match is not None and match.confidence >= FICHE_NEAR
        if ex.has_domain_signal or bool(ex.profile.needs) or strong or near or shown:
            return self._reply(answerer.unknown(question, lang), lang, in_scope=True)
        return self._reply(answerer.OUT_OF_SCOPE[lang], lang, in_scope=False)

    def _fiche_in_context(self, scoped: str, shown: list[Lever], lang: str, today: dt.date) -> dict | None:
        """The fiche of one of the levers just shown that the question, read with their names, asks."""
        if not scoped:
            return None
        in_context = self.match_fiche(scoped, lang)
        fiche = self.catalogue.fiche(in_context.fiche_id) if in_context else None
        if fiche is None or not {lv.id for lv in shown} & set(fiche.levers):
            return None
        return self._from_fiche(in_context, lang, today)

    def _from_fiche(self, match: FicheMatch | None, lang: str, today: dt.date) -> dict | None:
        """The fiche's answer when the match is confident enough."""
        fiche = self.catalogue.fiche(match.fiche_id) if match and match.confidence >= FICHE_MIN else None
        if fiche is None:
            return None
        statements = answerer.fiche_statements(fiche, lang, today) + status_statement(fiche, lang)
        body = answerer.answer_body(statements, self.catalogue, lang, today)
        status = fiche.status.model_dump(mode="json") if fiche.status else None
        levers = list(dict.fromkeys([*fiche.levers, *body["levers"]]))
        return {**body, "levers": levers, "found": True, "in_scope": True, "lang": lang, "fiche": fiche.id,
                "status": status}

    @staticmethod
    def _reply(text: str, lang: str, in_scope: bool, patient: bool = False) -> dict:
        return {"answer": text, "citations": [], "levers": [], "found": False, "in_scope": in_scope, "lang": lang,
                "fiche": None, "status": None, "patient": patient}


_NAMED = re.compile(r"\b[A-Z][A-Z0-9_]{1,}\b|\b[A-Z][a-z]+[A-Z]\w*")  # an acronym (PECAN, HDS) or a name (G_NIUS)


def _later_year(text: str, today: dt.date) -> bool:
    """The question names a year after the current one: what it asks has not happened yet."""
    return any(int(y) > today.year for y in re.findall(r"\b(20\d\d)\b", text))


def status_statement(fiche: Fiche, lang: str) -> list[Statement]:
    """One line on where the fiche's subject stands, with the date that was known and its source."""
    if fiche.status is None:
        return []
    st = fiche.status
    label = _STATUS["en" if lang == "en" else "fr"][st.value]
    when = st.known_on.isoformat()
    text = f"Status: {label} (as known on {when})" if lang == "en" else f"Statut : {label} (information du {when})"
    return [Statement(text, (st.source,), st.known_on, f"fiche-{fiche.id}.{lang}", "", fiche.id, None)]


def build_brain(
    knowledge_dir: Path,
    index_dir: Path,
    embedder: Embedder | None,
    weights: FusionWeights | None = None,
    notes: list[str] | None = None,
) -> Brain:
    """Load the catalogue and the index (raises with a clear message when either is unusable)."""
    catalogue = load_catalogue(knowledge_dir)
    index: LoadedIndex = load_index(index_dir, embedder)
    notes = list(notes or [])
    if embedder is not None and not index.dense:
        notes.append("the index was built without embeddings: serving lexically; rebuild with `guichet index`")
    return Brain(catalogue, Retriever(index, embedder, weights), notes, passage_idf(index))


def passage_idf(index: LoadedIndex) -> dict[str, dict[str, float]]:
    """Inverse document frequency of each stem over the searchable chunks of each language."""
    out: dict[str, dict[str, float]] = {}
    for group in index.groups.values():
        if group.kind != "passage":
            continue
        df: dict[str, int] = {}
        for chunk in group.chunks:
            for tok in set(tokenize(chunk.text, group.lang)):
                df[tok] = df.get(tok, 0) + 1
        n = len(group.chunks)
        out[group.lang] = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    return out


def embedder_from_settings(settings) -> tuple[Embedder | None, str]:
    """The configured model, or None and why; "ok", or what is degraded (e.g. queries on torch)."""
    onnx = settings.embedding_backend in ("onnx", "onnx-int8")
    emb, reason = load_embedder(
        settings.embedding_model,
        offline=settings.embedding_offline,
        sha256=settings.embedding_sha256,
        query_prefix=settings.embedding_query_prefix,
        passage_prefix=settings.embedding_passage_prefix,
        query_threads=settings.embedding_query_threads,
        query_cache=settings.embedding_query_cache,
        onnx_dir=(settings.embedding_export_dir or settings.data_dir / "models") if onnx else None,
        onnx_int8=settings.embedding_backend == "onnx-int8",
    )
    if emb is None:
        reason = f"{reason}. Dense search is OFF: searching and routing lexically (BM25) only."
    return emb, reason
