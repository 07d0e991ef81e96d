"""The assistant's core, built once: catalogue + retriever -> search, route and ask."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from guichet_contract import LeverIndex

from retrieval.analysis import LANGS, detect_lang, fold, tokenize
from retrieval.embedding import Embedder, load_embedder
from retrieval.index import LoadedIndex, load_index
from retrieval.models import Hit
from retrieval.retriever import FusionWeights, Retriever

from . import answerer, fiches, router
from .catalogue import Catalogue, Lever, load_catalogue
from .citations import Statement
from .fiches import Fiche
from .matching import NAMED, FicheMatch, FicheTerms, fiche_terms, fiche_vocabulary, match_fiche
from .periods import asked_period, later_years, newer_than_known
from .profile import Extraction, Profile, expand_shorthand, extract
from .rerank import (
    RERANK_DEPTH,
    answer_kinds,
    asking_words,
    evidence_in_order,
    evidence_patterns,
    rerank_by_answer_type,
)

log = logging.getLogger(__name__)

# Similarity of a message to a lever's example phrasings, squashed to 0..1.
LEX_HALF = 8.0  # a BM25 score of 8 counts as half-similar
COS_FLOOR, COS_SPAN = 0.25, 0.45  # cosine 0.25 -> 0, 0.70 -> 1
# A fiche answers a question from this match confidence on; from FICHE_NEAR the question is at least in the
# field. Chosen on the curve of scripts/answer_curve.py (answers kept vs. wrong answers), see docs/answers.md.
FICHE_MIN = 0.25
FICHE_NEAR = 0.18
# How clearly the clause after a message's last comma must match on its own to be taken (answerer.last_clause):
# set between what the answer sets showed (0.66 and 0.78 right, 0.34 losing a deciding "pas encore marqué CE").
TAIL_MIN = 0.5
# A question read with the last answer's subject is answered by a fiche on it that matches clearly: one matching
# loosely ("et ça prend combien de temps ?" of i-Lab, with a fiche giving the company's maximum age) answers another
# question.
TOPIC_MIN = 0.5
# Passages searched for a question no fiche answers; the composed answer picks its sentences among them. Set by
# hand in the first version (2026-11-23); fact_hit3 of score.py reads the top 3 only, so the eval sets measure
# the first passages, not this depth.
ASK_PASSAGES = 6
# Asked once per language when the brain is built (Brain.warm).
WARM_UP = {"fr": "Quelles aides pour un projet de santé numérique ?", "en": "Which support for a health app?"}
# Questions about Guichet that the bot finishes with what it holds (`follow_up`): its advisors' reply delay, the
# conversation's own contact request (withdrawn on "annulez ma demande", and on an erasure request).
BOT_HOLDS = ("reply", "withdraw", "erase")


@dataclass
class Brain:
    catalogue: Catalogue
    retriever: Retriever
    notes: list[str] = field(default_factory=list)  # degraded modes, said once at start
    idf: dict[str, dict[str, float]] = field(default_factory=dict)  # per language: stem -> idf over passages
    fiche_terms: dict[str, dict[str, FicheTerms]] = field(default_factory=dict)  # per language, built on first use
    fiche_words: dict[str, frozenset[str]] = field(default_factory=dict)  # per language, with fiche_terms
    retention_days: int = 365  # what the deployment keeps conversations for, told to founders who ask
    lever_names: LeverIndex | None = None  # the levers' ids and names, built on first use (_named_lever)

    @property
    def mode(self) -> str:
        return self.retriever.mode

    def lang_of(self, text: str, lang: str | None = None) -> str:
        return lang if lang in LANGS else detect_lang(text)[0]

    def search(self, query: str, k: int = 5, lang: str | None = None) -> list[Hit]:
        """Fused search, then passages holding the kind of answer the question expects move up."""
        hits = self.retriever.search(query, k=max(k, RERANK_DEPTH), lang=lang)
        return rerank_by_answer_type(query, hits, self.catalogue.vocab)[:k]

    def lever_similarity(self, text: str, lang: str | None = None) -> dict[str, float]:
        """Per lever: how close the text is to its example phrasings (0..1)."""
        langs = self.retriever.query_langs(text, lang)
        ranked = self.retriever.rankings(text, langs, kind="example")
        use_dense = self.retriever.embedder is not None and bool(set(langs) & set(self.retriever.weights.dense_langs))
        lex: dict[str, float] = {}
        for chunk, s in ranked["lexical"]:
            if chunk.lever_id and chunk.lever_id not in lex:
                lex[chunk.lever_id] = s / (s + LEX_HALF)
        den: dict[str, float] = {}
        for chunk, s in ranked["dense"]:
            if chunk.lever_id and chunk.lever_id not in den:
                den[chunk.lever_id] = min(1.0, max(0.0, (s - COS_FLOOR) / COS_SPAN))
        sims = {}
        for lever in self.catalogue.levers:
            parts = [lex.get(lever.id, 0.0), *([den.get(lever.id, 0.0)] if use_dense else [])]
            sims[lever.id] = sum(parts) / len(parts)
        return sims

    def route(
        self, text: str | None, profile: Profile | None = None, lang: str | None = None, about: Sequence[str] = ()
    ) -> dict:
        """Rank the levers for a message and/or a profile (the profile's known values win over the text); `about`:
        levers the founder asks about, returned in `asked` with their criteria's verdicts, recommended or not."""
        given = profile or Profile()
        if text and text.strip():
            text = expand_shorthand(text, self.catalogue.vocab)
            ex = extract(text, self.catalogue.vocab)
            lang = self.lang_of(text, lang)
            sims = self.lever_similarity(text, lang)
            scope = router.assess_scope(ex, max(sims.values(), default=0.0))
            if not scope.in_scope and given.needs and not ex.off_topic:
                # Needs given in the profile (a founder in the qualification flow) put terse words in scope.
                scope = router.Scope(True, "needs given in the profile")
            merged = given.merged_over(ex.profile)
            merged.needs = [n for n in merged.needs if n not in ex.unwanted]
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
                "asked": [],
                "profile": merged.model_dump(),
                "missing": merged.missing(),
                "ask": [],
                "unwanted": ex.unwanted if ex else [],
            }
        strength = router.need_strengths(ex, merged, self.catalogue)
        body = router.rank(self.catalogue, merged, strength, sims, lang, frozenset(about))
        return {"in_scope": True, "scope_reason": scope.reason, "lang": lang, **body, "profile": merged.model_dump(),
                "unwanted": ex.unwanted if ex else []}

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

    def terms(self, lang: str) -> dict[str, FicheTerms]:
        if lang not in self.fiche_terms:
            kinds_of = partial(answer_kinds, vocab=self.catalogue.vocab)
            self.fiche_terms[lang] = fiche_terms(self.catalogue.fiches, lang, kinds_of)
            self.fiche_words[lang] = fiche_vocabulary(self.fiche_terms[lang])
        return self.fiche_terms[lang]

    def match_fiche(
        self,
        question: str,
        lang: str,
        exclude: set[str] | None = None,
        only: frozenset[str] | None = None,
        asked: str = "",
    ) -> FicheMatch | None:
        """`asked`: the sentence that names the kind of answer looked for, when not the whole question."""
        evidence = evidence_patterns(asked or question, self.catalogue.vocab)
        asking = asking_words(asked or question, self.catalogue.vocab)
        kinds = answer_kinds(asked or question, self.catalogue.vocab)
        terms = self.terms(lang)
        return match_fiche(
            self.retriever, question, lang, self.idf, terms, evidence, exclude, asking, only, self.fiche_words[lang],
            kinds,
        )

    def ask(
        self,
        question: str,
        lang: str | None = None,
        today: dt.date | None = None,
        context: Sequence[str] = (),
        topic: str | None = None,
    ) -> dict:
        """The answer a founder can act on: a fiche that matches, else the sentences of the passages that
        answer, else an honest "I don't know"; off-topic and personal health questions get their reply.

        `context`: the ids of the levers the founder was just shown. The question is also read with their names,
        where only a fiche of those levers may answer it: after the question alone, or before it when the
        question names nothing ("et concrètement on peut toucher combien ?").
        `topic`: the fiche the conversation's last answer came from. A question naming nothing, or not the subject
        of the fiche it matches ("et quelle classe ?" after "is our software a medical device?"), is read first with
        that fiche's subject, where only a fiche on that subject may answer it."""
        today = today or dt.date.today()
        question = expand_shorthand(question, self.catalogue.vocab)
        lang = self.lang_of(question, lang)
        ex = extract(question, self.catalogue.vocab)
        reply = self._answer(question, lang, today, context, ex, self.catalogue.fiche(topic) if topic else None)
        # "On vise le PECAN, on est éligible ?": the knowledge says the conditions; whether the founder meets them
        # depends on their profile, which the bot holds: marked for it, with the lever asked about.
        asks_eligibility = ex.follow_up == "eligible" and reply.get("in_scope") and "follow_up" not in reply
        if asks_eligibility and (lever := self._named_lever(question, lang)) is not None:
            return {**reply, "follow_up": "eligible", "levers": [lever]}
        return reply

    def warm(self) -> None:
        """What the first question of each language would build (the fiches' terms, the model's first run), built
        before a founder asks it: 0.7 to 1 s otherwise on that question."""
        for lang, question in WARM_UP.items():
            self.ask(question, lang=lang)

    def _says(self, fiche_id: str, words: frozenset[str], lang: str) -> bool:
        """The fiche's answer says each of these words (years: "2028")."""
        said = self.terms(lang).get(fiche_id)
        return said is not None and all(re.search(rf"\b{re.escape(w)}\b", said.answer_text) for w in words)

    def _named_lever(self, question: str, lang: str) -> str | None:
        """The one lever a short question spells by its id or name ("je suis éligible à la PECAN ?"); None when it
        names none, several, or says more than a few words besides."""
        if self.lever_names is None:
            self.lever_names = LeverIndex.build(
                {"id": lv.id, "name": {"fr": lv.name.fr, "en": lv.name.en}} for lv in self.catalogue.levers
            )
        spelled = dict(self.lever_names.spelled(question))
        if len(spelled) != 1:
            return None
        (lever, slug), = spelled.items()
        idf = self.idf.get(lang, {})
        besides = set(answerer.question_weights(question, lang, idf)) - set(tokenize(slug.replace("-", " "), lang))
        return lever if len(besides) <= FOLLOW_UP_WORDS else None

    def _answer(
        self, question: str, lang: str, today: dt.date, context: Sequence[str], ex: Extraction, topic: Fiche | None
    ) -> dict:
        if ex.about_guichet:  # what Guichet keeps of the founder, forgetting them, who it is: the service answers
            said = answerer.about_guichet(ex.about_guichet, lang, self.retention_days)
            reply = {**self._reply(said, lang, in_scope=True), "found": True}
            # When an advisor answers is the deployment's own figure, which the bot holds; withdrawing or erasing
            # acts on the conversation's own contact request, which the bot holds too: marked for it.
            return {**reply, "follow_up": ex.about_guichet} if ex.about_guichet in BOT_HOLDS else reply
        if ex.follow_up and (follow := self._follow_up(ex.follow_up, question, lang, today, context, topic)):
            return follow
        if ex.private_person or ex.off_topic:
            text = answerer.PATIENT if ex.patient else answerer.OUT_OF_SCOPE
            return self._reply(text[lang], lang, in_scope=False, patient=ex.patient)
        # The future, someone's private contact details: not knowable.
        if ex.unknowable:
            return self._reply(answerer.unknown(question, lang), lang, in_scope=True)
        future = later_years(answerer.asking_part(question), today, self.catalogue.vocab.named_years)
        shown = [lv for i in dict.fromkeys(context) if (lv := self.catalogue.lever(i)) is not None]
        shown += [tp for lv in shown for tp in self.catalogue.topics(lv.id)]  # the steps named on their cards
        names = " ".join(lv.name.get(lang) for lv in shown if lv.within is None)
        scoped = f"{question}{_SCOPE_MARK}{names}" if shown else ""
        match = self.match_fiche(question, lang)
        # A question at the end of a longer message (a project first) that no fiche answers as a whole is read
        # alone: the project's words outweighed what is asked. (Read first, the clause alone, "how do we get
        # access?", would match whatever fiche is about access, whatever the message asks access to.)
        clause = answerer.question_clause(question)
        if clause and (match is None or match.confidence < FICHE_MIN):
            match = self.match_fiche(clause, lang) or match
        # Else the clause after the last comma ("…notre DM connecté, on peut candidater à i-Nov ?"), if it alone
        # matches clearly and names the fiche's subject: it leaves out what precedes, which may be what decides.
        tail = answerer.last_clause(question) if match is None or match.confidence < FICHE_MIN else None
        by_tail = self.match_fiche(tail, lang) if tail else None
        if tail and by_tail is not None and by_tail.confidence >= TAIL_MIN and self._names_subject(by_tail, tail, lang):
            match = by_tail
        # Two questions ("i-Lab, on peut toucher combien max ? et la boîte doit avoir quel âge ?"): the second
        # one's words dilute the first's; the message up to its first question is read too, the closer match
        # leads, and _also_asked answers the other.
        asks = answerer.questions(question)
        lead = ""  # the question the fiche answers, when the message asks several
        if len(asks) > 1:
            first = self.match_fiche(question[: question.index(asks[0]) + len(asks[0])], lang)
            if first is not None and (match is None or first.confidence > match.confidence):
                match, lead = first, asks[0]
            elif first is not None and match is not None and first.fiche_id == match.fiche_id:
                lead = asks[0]  # the same fiche answers the first question: its answer to that one leads
        # A year still ahead is known only as a date set in advance, which the fiche answering says ("until the end
        # of 2028?" of the MDR's transition); else what is asked has not happened yet ("la LFSS 2028 va-t-elle…").
        if future and not (match and match.confidence >= FICHE_MIN and self._says(match.fiche_id, future, lang)):
            return self._reply(answerer.unknown(question, lang), lang, in_scope=True)
        # Two schemes compared ("i-Lab vs i-Nov, c'est quoi la diff ?", "forfait innovation ou PECAN ?"): each one's
        # direct answer.
        if _COMPARED.search(fold(question)) and (both := self._compared(question, lang, today, match)):
            return both
        # Right after cards, a question that names nothing ("et on peut toucher combien ?": one content word at
        # most) or not the subject of the fiche it matches ("c'est quoi le lien pour déposer ?" of a fiche on
        # filing a PECAN application) is about the levers shown first; one naming its subject stands alone.
        words = set(answerer.question_weights(question, lang, self.idf.get(lang, {})))
        thin = len(words) <= 1 and not NAMED.search(question)
        subject = self.terms(lang)[match.fiche_id].subject if match and match.fiche_id in self.terms(lang) else None
        aside = subject is not None and bool(subject) and not subject & words
        alone = partial(self._from_fiche, match, lang, today, question, lead)
        in_context = partial(self._fiche_in_context, scoped, shown, lang, today)
        # After an answer or cards, a question that names nothing ("et ça prend combien de temps ?") is about what
        # was shown: a fiche on another subject, or passages read without those names, would answer another
        # question; when nothing shown answers it, it is not known.
        about_shown = bool(shown) and (thin or aside)
        attempts = (in_context,) if about_shown else (in_context, alone) if thin or aside else (alone, in_context)
        # The last answer's subject comes first: it is what the founder was just reading; the question read alone
        # would be about whatever fiche its few words match.
        on_topic = self._subject_words(topic, lang) if topic is not None and (thin or aside) else ""
        if topic is not None and on_topic:
            attempts = (partial(self._fiche_on_topic, question, topic, on_topic, lang, today), in_context)
            scoped = f"{question}{_SCOPE_MARK}{on_topic} {names}".rstrip()
        for attempt in attempts:
            body = attempt()
            if body is not None:
                return body
        searched = {}
        # Read with the last answer's subject alone, passages would answer with any sentence on that subject holding
        # the kind of answer asked ("deux ans", a company's maximum age, for "how long does it take?"): a fiche on
        # it answers, or it is not known.
        readings: tuple[str | None, ...] = (scoped,) if about_shown or on_topic else (question, clause, scoped)
        readings = () if on_topic and not shown else readings
        for query in filter(None, readings):
            hits = searched[query] = self.search(query, k=ASK_PASSAGES, lang=lang)
            evidence = evidence_patterns(query, self.catalogue.vocab)
            asking = asking_words(query, self.catalogue.vocab)
            statements = answerer.compose(query, hits, lang, self.idf, evidence, today, asking)
            # Read with the names of what was shown, a sentence may cover the question by those names alone: it
            # must then hold the kind of answer asked (a duration for "ça prend combien de temps ?").
            if (about_shown or on_topic) and evidence and not any(
                p.search(fold(st.text)) for st in statements for p in evidence
            ):
                statements = []
            if statements and (late := self._not_yet(question, statements, lang, today)):
                return late
            if statements:
                body = answerer.answer_body(statements, self.catalogue, lang, today)
                return {**body, "found": True, "in_scope": True, "lang": lang, "fiche": None, "status": None}
        hits = searched.get(question) or []
        strong = bool(hits) and hits[0].ranks.get("lexical", 99) <= 3
        near = match is not None and match.confidence >= FICHE_NEAR
        if on_topic:  # what is not known, said with what it was asked about ("et ça coûte combien ? — marquage CE")
            return self._reply(answerer.unknown(f"{question.rstrip(' ?!.')} — {on_topic}", lang), lang, in_scope=True)
        if ex.has_domain_signal or bool(ex.profile.needs) or strong or near or shown:
            return self._reply(answerer.unknown(question, lang), lang, in_scope=True)
        return self._reply(answerer.OUT_OF_SCOPE[lang], lang, in_scope=False)

    def _follow_up(
        self, kind: str, question: str, lang: str, today: dt.date, context: Sequence[str], topic: Fiche | None = None
    ) -> dict | None:
        """A question about what the conversation showed ("pourquoi ?", "je suis éligible ?", "c'est encore
        ouvert ?", "quel est mon projet ?") that names nothing else: its `follow_up` kind, and what the knowledge
        alone can say of the levers shown (where they stand, dated and cited), or of the last answer's subject
        where its fiche says where it stands (i-Nov's own status after an answer on i-Nov, not its lever's). Why a
        lever fits and whether the founder is eligible depend on their profile, which the dialogue holds: said so
        here, the bot answers them. None when the question names something (it is asked of the knowledge base)
        or, but for the project, when no lever was shown."""
        if NAMED.search(question):
            return None
        if kind in ("guide", "sources"):  # a request for guidance; the sources of the answer just given (the bot)
            return {**self._reply(answerer.FOLLOW_UP[kind][lang], lang, in_scope=True), "follow_up": kind}
        words = answerer.question_weights(question, lang, self.idf.get(lang, {}))
        shown = [lv for i in dict.fromkeys(context) if (lv := self.catalogue.lever(i)) is not None][:FOLLOW_UP_LEVERS]
        if len(words) > FOLLOW_UP_WORDS and kind not in WHOLE_MESSAGE:
            return None
        if not (shown or kind == "project"):
            # "et combien ?" with nothing shown and no subject yet (in the middle of the profile questions): which
            # scheme is meant is asked back, rather than the question refused as off-topic.
            if kind in ("amount", "step", "status") and topic is None and len(words) <= FOLLOW_UP_WORDS:
                return self._reply(answerer.FOLLOW_UP["which"][lang], lang, in_scope=True)
            return None
        said: list[Statement] = []
        if kind == "step":  # "c'est quoi la première étape ?": each lever's first next step, as its card says
            sep = " : " if lang == "fr" else ": "
            said = [Statement(f"{answerer.short_name(lv.name.get(lang))}{sep}{lv.next_steps.get(lang)[0]}", ())
                    for lv in shown if lv.next_steps.get(lang)]
        elif kind == "amount":  # "et c'est combien ?": what one project can get, each figure dated
            said = self._amounts(shown, lang)
        elif kind == "status" and topic is not None and topic.status is not None:
            said = status_statement(topic, lang, self._subject_words(topic, lang))
        elif kind == "status":
            said = [
                Statement(f"{lv.name.get(lang)}{' : ' if lang == 'fr' else ': '}{lv.status.line(lang)}.",
                          (lv.status.source, *lv.status.note_sources), lv.status.known_on, lever_id=lv.id)
                for lv in shown
            ]
        if kind in ("step", "amount", "status"):  # said from the levers' own records, dated and cited
            if not said:
                return None
            body = answerer.answer_body(said, self.catalogue, lang, today)
            if kind == "status":
                body["answer"] = f"{body['answer']} {answerer.FOLLOW_UP['check'][lang]}"
            return {**body, "found": True, "in_scope": True, "lang": lang, "fiche": None, "status": None,
                    "follow_up": kind}
        text = answerer.FOLLOW_UP[kind][lang].format(names=", ".join(lv.name.get(lang) for lv in shown))
        return {**self._reply(text, lang, in_scope=True), "levers": [lv.id for lv in shown], "follow_up": kind}

    def _amounts(self, shown: list[Lever], lang: str) -> list[Statement]:
        """The amounts of the levers shown and of the steps named on their cards: what one project can get when any
        says it (a national envelope is not what a founder gets), else the national envelopes, named as such."""
        named = [*shown, *(tp for lv in shown for tp in self.catalogue.topics(lv.id))]
        levers = list({lv.id: lv for lv in named}.values())
        pairs = [(lv, a) for lv in levers for a in lv.amounts]
        own = [(lv, a) for lv, a in pairs if a.scope == "per-project"]
        picked = (own or [(lv, a) for lv, a in pairs if a.scope == "national"])[:FOLLOW_UP_AMOUNTS]
        said: list[Statement] = []
        previous = None
        for lv, a in picked:  # a lever is named once, before its first amount
            first = lv.id != previous
            text = answerer.amount_named(lv.name.get(lang), a, lang) if first else answerer.amount_label(a, lang)
            said.append(Statement(f"{text[0].upper()}{text[1:]}.", (a.source,), a.as_of, lever_id=lv.id))
            previous = lv.id
        return said

    def _compared(self, question: str, lang: str, today: dt.date, match: FicheMatch | None = None) -> dict | None:
        """A message comparing two subjects ("i-Lab vs i-Nov", "forfait innovation ou PECAN ?"): each one's
        direct answer, within half the answer's words. A subject is named when the message says the rarest word
        of a fiche's subject ("ilab", "pecan"); a subject whose word is part of another's ("mr" of "mr004") is the
        family, not one of the two; the two are those on each side of "vs", "ou", "et"… (_compared_pair). A fiche
        about both (PECAN vs DiGA) answers alone. None when no such pair is named, or when `match`, the fiche the
        message matches, speaks of both."""
        terms = self.terms(lang)
        idf = self.idf.get(lang, {})
        said = tokenize(question, lang)
        groups: dict[str, list[str]] = {}
        for fid, ft in terms.items():
            if ft.subject:
                key = max(ft.subject, key=lambda t: (idf.get(t, math.inf), t))
                if key in said:
                    groups.setdefault(key, []).append(fid)
        keys = _compared_pair(
            question, lang, {k: idf.get(k, math.inf) for k in groups if not any(k != o and k in o for o in groups)}
        )
        if keys is None:
            return None
        # The fiche the message matches already speaks of both ("la HAS ou l'ANSM" of a fiche on who does what).
        best = terms.get(match.fiche_id) if match is not None and match.confidence >= FICHE_MIN else None
        if best is not None and set(keys) <= best.answer.union(*best.phrasings.values()):
            return None
        # Named, a subject needs no threshold: the message says it.
        both = frozenset(f for k in keys for f in groups[k] if all(o in terms[f].subject for o in keys))
        if both and (m := self.match_fiche(question, lang, only=both)) is not None:
            return self._from_fiche(replace(m, confidence=max(m.confidence, FICHE_MIN)), lang, today, question)
        # Each subject's fiche, read without the other subject's words; asked no kind of answer (a figure, a
        # date), a comparison asks what each one is.
        picks = []
        for k, other in (keys, keys[::-1]):
            alone = " ".join(
                w for w in question.split() if other not in tokenize(w, lang) and not _COMPARING.fullmatch(fold(w))
            )
            if not evidence_patterns(alone, self.catalogue.vocab):
                alone = f"{answerer.WHAT_IS[lang]} {alone}"
            picks.append((alone, self.match_fiche(alone, lang, only=frozenset(groups[k]))))
        read = [(q, f) for q, m in picks if m is not None and (f := self.catalogue.fiche(m.fiche_id)) is not None]
        if len(read) < 2:
            return None
        statements: list[Statement] = []
        for key, (q, f) in zip(keys, read, strict=True):
            own = answerer.without_yes_no(
                answerer.within(answerer.fiche_statements(f, lang, today), fiches.MAX_WORDS // 2), q
            )
            statements += _named_first(own, question, key, terms[f.id].subject, f, lang)
        chosen = [f for _, f in read]
        statements += [st for f in chosen for st in status_statement(f, lang)]
        body = answerer.answer_body(statements, self.catalogue, lang, today)
        levers = list(dict.fromkeys([lv for f in chosen for lv in f.levers] + body["levers"]))
        return {**body, "levers": levers, "found": True, "in_scope": True, "lang": lang, "fiche": chosen[0].id,
                "status": None}

    def _names_subject(self, match: FicheMatch, text: str, lang: str) -> bool:
        """The text says a word of the subject of the fiche it matches."""
        subject = self.terms(lang)[match.fiche_id].subject if match.fiche_id in self.terms(lang) else None
        return bool(subject and subject & set(answerer.question_weights(text, lang, self.idf.get(lang, {}))))

    def _subject_words(self, fiche: Fiche, lang: str) -> str:
        """The words a fiche is about (its subject), as its phrasings spell them ("dispositif médical"), in order."""
        subject = self.terms(lang)[fiche.id].subject if fiche.id in self.terms(lang) else frozenset()
        words: dict[str, str] = {}  # stem -> the word first spelling it ("i-Nov" says "inov" and "nov")
        for phrasing in fiche.questions.get(lang):
            for word in re.findall(r"[\w'’-]+", phrasing):
                stems = set(tokenize(word, lang)) & subject
                if stems and not stems & set(words):
                    words.update(dict.fromkeys(stems, word.split("'")[-1].split("’")[-1]))
        return " ".join(dict.fromkeys(words.values()))

    def _fiche_on_topic(self, question: str, topic: Fiche, on_topic: str, lang: str, today: dt.date) -> dict | None:
        """The fiche on the last answer's subject (that fiche or another saying its subject) that the question,
        read with that subject, asks."""
        terms = self.terms(lang)
        subject = terms[topic.id].subject if topic.id in terms else frozenset()
        near = frozenset(f for f, ft in terms.items() if f == topic.id or subject & ft.subject)
        readings = (question, f"{question}{_SCOPE_MARK}{on_topic}")
        best = max(
            filter(None, (self.match_fiche(q, lang, only=near) for q in readings)),
            key=lambda m: m.confidence,
            default=None,
        )
        return self._from_fiche(best, lang, today, question) if best and best.confidence >= TOPIC_MIN else None

    def _fiche_in_context(self, scoped: str, shown: list[Lever], lang: str, today: dt.date) -> dict | None:
        """The fiche of one of the levers just shown (or of a step named on their cards) that the question, read
        with their names, asks."""
        if not scoped:
            return None
        ids = {lv.id for lv in shown}
        theirs = frozenset(f.id for f in self.catalogue.fiches if ids & set(f.levers))
        question = scoped[: scoped.index(_SCOPE_MARK)] if _SCOPE_MARK in scoped else scoped
        best = max(
            filter(None, (self.match_fiche(q, lang, only=theirs) for q in (question, scoped))),
            key=lambda m: m.confidence,
            default=None,
        )
        return self._from_fiche(best, lang, today, question)

    def _from_fiche(
        self, match: FicheMatch | None, lang: str, today: dt.date, question: str = "", lead: str = ""
    ) -> dict | None:
        """The fiche's answer when the match is confident enough, led by the statement holding what was asked
        (`lead`: the question of the message the fiche answers, when it asks several; _also_asked answers the
        others)."""
        fiche = self.catalogue.fiche(match.fiche_id) if match and match.confidence >= FICHE_MIN else None
        if fiche is None:
            return None
        statements = answerer.fiche_statements(fiche, lang, today)
        known_on = [fiche.status.known_on] if fiche.status else []
        in_force = fiche.status is not None and fiche.status.value == "in-force"
        if question and (late := self._not_yet(question, statements, lang, today, known_on, in_force)):
            return late
        if question:
            evidence = evidence_patterns(lead or question, self.catalogue.vocab)
            # The names the fiche is about (its subject: "PECAN", "DTx" of a fiche on PECAN's amounts for DTx) do
            # not tell its statements apart; another name the question asks ("CII" of a fiche on the CIR) does.
            asked = lead or answerer.asking_part(question)
            named = frozenset(t for m in NAMED.findall(asked) for t in tokenize(m, lang))
            # The message asks several things, the first of them a kind of answer (how long to file, and how long
            # it lasts?): among the statements holding it, the one saying that question's words leads.
            asks = answerer.questions(question)
            first_ask = lead or (asks[0] if len(asks) > 1 else "")
            if first_ask and evidence_patterns(first_ask, self.catalogue.vocab):
                named |= frozenset(answerer.question_weights(first_ask, lang, self.idf.get(lang, {})))
            # Matched by one of its other phrasings ("combien de temps pour déposer la demande de droit commun ?" of
            # a fiche on how long PECAN lasts): the words the founder and that phrasing both say tell the statement
            # answering it.
            if match and match.phrasing not in fiche.questions.get(lang)[:1]:
                both = frozenset(answerer.question_weights(asked, lang, {})) & frozenset(
                    answerer.question_weights(match.phrasing, lang, {})
                )  # less the words asking the kind of answer ("what is the CIR rate"), which any statement answers
                named |= both - frozenset(tokenize(asking_words(asked, self.catalogue.vocab), lang))
            named -= self.terms(lang)[fiche.id].subject
            # Several kinds of answer asked in one sentence: a statement holding the first one a statement holds leads.
            in_order = evidence_in_order(lead or answerer.asking_part(question), self.catalogue.vocab)
            evidence = next(
                (ev for ev in in_order if any(p.search(fold(st.text)) for st in statements for p in ev)), evidence
            )
            statements = answerer.lead_with_asked(statements, evidence, named, lang)
            statements = answerer.without_yes_no(statements, question, match.phrasing if match else "")
            also = self._also_asked(question, fiche.id, statements, lang, today)
            if also:
                # the answer stays within a fiche's own limit of words
                statements = answerer.within(statements, fiches.MAX_WORDS - sum(len(st.text.split()) for st in also))
                statements += also
        # Asked where it stands ("still open, or closed?"): the fiche's status line leads, else it closes the answer.
        asks_status = bool(question) and "status" in answer_kinds(lead or question, self.catalogue.vocab)
        status_line = status_statement(fiche, lang)
        statements = [*status_line, *statements] if asks_status else [*statements, *status_line]
        body = answerer.answer_body(statements, self.catalogue, lang, today)
        if asks_status and status_line:  # where it stands was known on a date: the founder checks it today
            body["answer"] = f"{body['answer']} {answerer.FOLLOW_UP['check'][lang]}"
        if fiche.partial:
            body["answer"] = f"{body['answer']} {answerer.PARTIAL['en' if lang == 'en' else 'fr']}"
        status = fiche.status.model_dump(mode="json") if fiche.status else None
        levers = list(dict.fromkeys([*fiche.levers, *body["levers"]]))
        return {**body, "levers": levers, "found": True, "in_scope": True, "lang": lang, "fiche": fiche.id,
                "status": status}

    def _also_asked(
        self, question: str, fiche_id: str, statements: list[Statement], lang: str, today: dt.date
    ) -> list[Statement]:
        """A message asking two things ("i-Lab, on peut toucher combien max ? et la boîte doit avoir moins de
        combien d'années ?"): a question whose kind of answer (a figure, a span of time, a body) the fiche's
        statements nowhere hold gets the leading statement of the fiche the whole message matches when read for
        that kind of answer (the whole message: the later question alone has lost its subject, "i-Lab"); a
        question asking no kind of answer but naming its own subject gets that subject's fiche (_own_subject)."""
        asks = answerer.questions(question)
        if len(asks) < 2:
            return []
        added: list[Statement] = []
        terms = self.terms(lang)
        subject = terms[fiche_id].subject if fiche_id in terms else frozenset()
        said = set(answerer.question_weights(question, lang, self.idf.get(lang, {})))
        for ask in asks:
            evidence = evidence_patterns(ask, self.catalogue.vocab)
            if not evidence:
                added += self._own_subject(ask, fiche_id, [*statements, *added], lang, today, question)
                continue
            # Answered already: the fiche's direct answer (its first statement) holds that kind of answer, or
            # another statement holds it and, when the question names something ("how much does it pay per
            # patient?"), says one of its words or the fiche's subject (not the programme's 718 M€ that a fiche
            # on what PECAN is gives in passing).
            words = set(answerer.question_weights(ask, lang, self.idf.get(lang, {})))
            if any(
                any(p.search(fold(st.text)) for p in evidence)
                and (i == 0 or not words or words & (set(tokenize(st.text, lang)) | subject))
                for i, st in enumerate([*statements, *added])
            ):
                continue
            match = self.match_fiche(question, lang, asked=ask)
            if match is None or match.confidence < FICHE_MIN or match.fiche_id == fiche_id:
                continue
            # The later question keeps the message's subject unless it names its own: a fiche never saying it
            # (the Bourse French Tech's age rule for "et la boîte doit avoir quel âge ?" after i-Lab) answers
            # another question.
            other = terms.get(match.fiche_id)
            if other is None or (
                subject & said and not subject & other.answer.union(*other.phrasings.values())
                and not other.subject & words
            ):
                continue
            fiche = self.catalogue.fiche(match.fiche_id)
            held = answerer.lead_with_asked(answerer.fiche_statements(fiche, lang, today), evidence) if fiche else []
            if held and any(p.search(fold(held[0].text)) for p in evidence):
                before = [*statements, *added]
                added += [answerer.without_said_figures(answerer.without_opening(st), before) for st in held[:1]]
        return added

    def _own_subject(
        self, ask: str, fiche_id: str, said: list[Statement], lang: str, today: dt.date, message: str = ""
    ) -> list[Statement]:
        """A question of a message that names its own subject ("…et est-ce que le RGPD s'applique à mon appli ?"
        after a question on HDS): the leading statement of the fiche it alone matches (FICHE_MIN) when that fiche is
        another one and is about a word the question says. One that says none of the subject of the fiche answering
        the message is also read with it ("forfait innovation : c'est qui qui décide, et faut-il déjà le marquage CE
        pour déposer ?": with "forfait innovation"), first when it names nothing (no acronym: "EHDS - when does it
        apply? does my app have to do anything in 2027?"); nothing otherwise."""
        words = set(answerer.question_weights(ask, lang, self.idf.get(lang, {})))
        subject = self.terms(lang)[fiche_id].subject if fiche_id in self.terms(lang) else frozenset()
        spelled = re.findall(r"[\w'’-]+", message)
        kept = [] if subject & words else [w for w in spelled if set(tokenize(w, lang)) & subject]
        readings = [(ask, words)] + ([(" ".join([ask, *dict.fromkeys(kept)]), words | subject)] if kept else [])
        if not NAMED.search(ask):  # naming nothing ("does my app have to do anything in 2027?"): read with the
            readings.reverse()  # message's subject first
        for reading, about in readings:
            match = self.match_fiche(reading, lang)
            if match is None or match.confidence < FICHE_MIN or match.fiche_id == fiche_id:
                continue
            found = self.terms(lang).get(match.fiche_id)
            fiche = self.catalogue.fiche(match.fiche_id)
            if found is None or fiche is None or not found.subject & about:
                continue
            lead = [answerer.without_opening(st) for st in answerer.fiche_statements(fiche, lang, today)[:1]]
            return [st for st in lead if all(st.text != other.text for other in said)]
        return []

    def _not_yet(
        self,
        question: str,
        statements: list[Statement],
        lang: str,
        today: dt.date,
        more: Sequence[dt.date] = (),
        in_force: bool = False,
    ) -> dict | None:
        """"I don't know for October 2026" when the period asked is later than all the statements can say. A rule in
        force (`in_force`) asked of the present ("toujours ok en décembre 2026 ?" in December 2026) is what it says
        until changed, as "is it still ok now?" gets it: the answer's dated line tells how recent the knowledge is."""
        period = asked_period(answerer.asking_part(question), today, self.catalogue.vocab.named_years)
        known = [d for d in [*(st.date for st in statements), *more] if d is not None]
        if period is None or not newer_than_known(period, known) or (in_force and period.holds(today)):
            return None
        # A period still ahead that the statements name is a date set in advance ("AI Act in August 2028?").
        if period.start > today and any(str(period.start.year) in st.text for st in statements):
            return None
        return self._reply(answerer.not_yet_known(period.label, max(known), lang), lang, in_scope=True)

    @staticmethod
    def _reply(text: str, lang: str, in_scope: bool, patient: bool = False) -> dict:
        return {"answer": text, "citations": [], "levers": [], "found": False, "in_scope": in_scope, "lang": lang,
                "fiche": None, "status": None, "patient": patient}


# A follow-up question ("c'est encore ouvert ?") names at most this many content words; it is about at most
# this many of the levers shown (the cards).
FOLLOW_UP_WORDS, FOLLOW_UP_LEVERS = 2, 3
# Follow-up kinds whose patterns take the whole message ("et c'est quoi la première étape concrètement ?"): their
# words name nothing else, however many.
WHOLE_MESSAGE = ("amount", "step")
FOLLOW_UP_AMOUNTS = 4  # for "et c'est combien ?", among the levers shown and their steps
IDF_KINDS = ("passage", "fiche")  # the levers' example requests left out: measured worse on the answer sets
_SCOPE_MARK = " \n "  # between a question and the names of the levers it is read with


def _named_first(
    said: list[Statement], question: str, key: str, subject: frozenset[str], fiche: Fiche, lang: str
) -> list[Statement]:
    """A compared subject's statements, the first one opening with the subject's name when it does not say it
    ("PECAN — quatre conditions…"): the words of the question holding its subject (`subject`: the fiche's subject
    stems), spelled as the fiche spells them."""
    if not said or key in tokenize(said[0].text, lang):
        return said
    words = question.split()
    at = next((i for i, w in enumerate(words) if key in tokenize(w, lang)), None)
    if at is None:
        return said
    start, end = at, at + 1
    while start > 0 and set(tokenize(words[start - 1], lang)) & subject:
        start -= 1
    while end < len(words) and set(tokenize(words[end], lang)) & subject:
        end += 1
    typed = " ".join(words[start:end]).strip(" ,;:?!.")
    text = " ".join([*fiche.answer.get(lang).split(), *fiche.questions.get(lang)])
    spelled = re.search(re.escape(fold(typed)), fold(text))
    name = text[spelled.start() : spelled.end()] if spelled and len(fold(text)) == len(text) else typed
    return [replace(said[0], text=f"{name} — {said[0].text[:1].lower()}{said[0].text[1:]}"), *said[1:]]


_BETWEEN = frozenset({"vs", "vs.", "versus", "ou", "or", "et", "and", "contre", "/"})
_NEAR = 5  # words looked at on each side of the word between two compared subjects


def _compared_pair(question: str, lang: str, keys: Mapping[str, float]) -> tuple[str, str] | None:
    """The two subject words (stems, among `keys`, with their idf) on each side of the word that joins them
    ("forfait innovation ou PECAN", "MR-001 et MR-004"): on each side the rarest among the two nearest words
    ("forfait" of "forfait innovation"), else the rarest within _NEAR words ("DiGA" of "DiGA provisional listing
    in Germany vs PECAN"); the first such pair."""
    words = fold(question).replace("/", " / ").split()

    def side(near: list[str]) -> str | None:
        close = [t for x in near[:2] for t in tokenize(x, lang) if t in keys]
        if close:
            return max(close, key=lambda t: keys[t])
        return max((t for x in near[2:] for t in tokenize(x, lang) if t in keys), key=lambda t: keys[t], default=None)

    for i, w in enumerate(words):
        if w not in _BETWEEN:
            continue
        left, right = side(words[max(0, i - _NEAR) : i][::-1]), side(words[i + 1 : i + 1 + _NEAR])
        if left and right and left != right:
            return left, right
    return None


# A message comparing two things (on folded text): "X vs Y", "X ou Y ?", "la différence entre", "compare", "which
# one", "lequel"; _COMPARING: a word of the comparison itself, left out when each thing is read alone.
_COMPARING = re.compile(r"\W*(vs\.?|versus|diff|difference|differences|compar\w*|lequel|laquelle|lesquels|mieux|"
                        r"better|plutot|entre|between|chacun|chacune|each)\W*")
_COMPARED = re.compile(
    r"\b(vs|versus|diff|difference|differences|compar\w*|lequel|laquelle|lesquels|which one|which is better|"
    r"mieux|better|plutot)\b|\bou\b[^?]*\?\s*$|\bor\b[^?]*\?\s*$"
)


def status_statement(fiche: Fiche, lang: str, named: str = "") -> list[Statement]:
    """One line on where the fiche's subject stands, with the date that was known and its source; `named`: what
    stands so, said first ("i-Nov : récurrent…"), else "Status"."""
    if fiche.status is None:
        return []
    st = fiche.status
    label = named or ("Status" if lang == "en" else "Statut")
    text = f"{label}: {st.line(lang)}" if lang == "en" else f"{label} : {st.line(lang)}"
    return [Statement(text, (st.source, *st.note_sources), st.known_on, f"fiche-{fiche.id}.{lang}", "", fiche.id, None)]


def build_brain(
    knowledge_dir: Path,
    index_dir: Path,
    embedder: Embedder | None,
    weights: FusionWeights | None = None,
    notes: list[str] | None = None,
    retention_days: int = 365,
) -> Brain:
    """Load the catalogue and the index (raises with a clear message when either is unusable)."""
    catalogue = load_catalogue(knowledge_dir)
    index: LoadedIndex = load_index(index_dir, embedder)
    notes = list(notes or [])
    if embedder is not None and not index.dense:
        notes.append("the index was built without embeddings: serving lexically; rebuild with `guichet index`")
    retriever = Retriever(index, embedder, weights)
    brain = Brain(catalogue, retriever, notes, passage_idf(index), retention_days=retention_days)
    brain.warm()
    return brain


def passage_idf(index: LoadedIndex) -> dict[str, dict[str, float]]:
    """Inverse document frequency of each stem, per language, over what the knowledge says: the passages and the
    fiches' phrasings (a word only fiches use, "startup", weighs as rare as it is, not as the rarest)."""
    df: dict[str, dict[str, int]] = {}
    size: dict[str, int] = {}
    for group in index.groups.values():
        if group.kind not in IDF_KINDS:
            continue
        counts = df.setdefault(group.lang, {})
        size[group.lang] = size.get(group.lang, 0) + len(group.chunks)
        for chunk in group.chunks:
            for tok in set(tokenize(chunk.text, group.lang)):
                counts[tok] = counts.get(tok, 0) + 1
    return {
        lang: answerer.Idf({t: math.log(1 + (size[lang] - d + 0.5) / (d + 0.5)) for t, d in counts.items()})
        for lang, counts in df.items()
    }


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
