"""The public routes' response bodies, typed, and their making from the domain's results (in this module only).

The JSON they give is the one the bot's actions, the Slack and Teams renderers, the widget and
../shared/spec/contract.md read: every key the domain returns is declared here, none is added.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from guichet_contract.messages import PayloadType
from pydantic import BaseModel, Field

from retrieval.models import Hit

from .core.brain import Brain
from .core.catalogue import AmountPeriod, AmountScope, Lever
from .core.fiches import FicheStatus
from .core.profile import Profile
from .core.records import I18nList

Lang = Literal["fr", "en"]


class IndexInfo(BaseModel):
    chunks: int
    built: str | None = Field(description="when the index was built (ISO time)")
    model: str | None = Field(description="the embedding model's name; null when searching lexically")


class Health(BaseModel):
    status: Literal["ok"]
    mode: str = Field(description="hybrid, or lexical when dense search is off")
    degraded: list[str] = Field(description="what does not serve as it should, and why")
    index: IndexInfo
    levers: int


class Ready(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, str]
    degraded: list[str]


class SearchHit(BaseModel):
    text: str
    score: float
    doc_id: str
    chunk_id: str
    title: str
    section: str
    lever_id: str | None
    lang: str
    source: str
    as_of: str | None


class SearchResult(BaseModel):
    results: list[SearchHit]
    mode: str


class Evidence(BaseModel):
    text: str = Field(description="the clause the criterion comes from")
    source: str


class CriterionVerdict(BaseModel):
    id: str
    name: str
    slot: str = Field(description="the profile slot that decides it")
    verdict: Literal["met", "not_met", "unknown"]
    required: bool
    evidence: Evidence


class CardAmount(BaseModel):
    label: str
    value_eur: float
    scope: AmountScope
    period: AmountPeriod
    as_of: str
    source: str


class CardContact(BaseModel):
    channel: str
    label: str
    url: str | None


class Topic(BaseModel):
    """A lever shown inside another's card (a step of the path that one opens onto)."""

    id: str
    name: str
    summary: str


class CardStatus(BaseModel):
    """Where a lever stands, as known on a date: `text` in words ("clos (information de mars 2024)"), `told`
    when a card must say it (a proposal, an announcement, a closed call, an unknown status, or a note)."""

    value: str
    known_on: str
    text: str
    told: bool
    source: str


class LeverCard(BaseModel):
    id: str
    name: str
    score: float
    summary: str
    reasons: list[str]
    criteria: list[CriterionVerdict]
    amounts: list[CardAmount]
    next_steps: list[str]
    contact: CardContact
    sources: list[str]
    topics: list[Topic] = Field(default_factory=list)
    status: CardStatus | None = None


class Excluded(BaseModel):
    id: str
    name: str
    why: str


class Asked(BaseModel):
    """A lever the request asks `about`, recommended or not: its criteria and where the founder stands on each."""

    id: str
    name: str
    recommended: bool
    criteria: list[CriterionVerdict]


class RouteResult(BaseModel):
    __doc__ = f"The levers for a founder, best first; a `{PayloadType.LEVER_CARDS.value}` payload carries the cards."

    in_scope: bool
    scope_reason: str
    lang: Lang
    levers: list[LeverCard]
    excluded: list[Excluded]
    asked: list[Asked] = Field(default_factory=list, description="the levers the request asks `about`")
    missing: list[str] = Field(description="profile slots still unknown, those deciding a shown lever's criteria first")
    ask: list[str] = Field(description="unknown slots deciding a criterion of the first levers shown")
    profile: Profile
    unwanted: list[str] = Field(default_factory=list, description="needs the text sets aside, its latest words on "
                                "them (\"plutôt tester, pas le financement\"): a client drops them from its profile")


class Citation(BaseModel):
    n: int = Field(description="the [n] marker in the answer")
    source_id: str
    title: str
    publisher: str
    date: str | None
    url: str | None
    source: str
    doc_id: str
    chunk_id: str
    excerpt: str
    as_of: str | None
    lever_id: str | None


class Answer(BaseModel):
    __doc__ = f"An answer with its numbered sources; the body of an `{PayloadType.ANSWER.value}` payload."

    answer: str
    citations: list[Citation]
    levers: list[str]
    found: bool = Field(description="false when the knowledge base holds no reliable answer (the answer says so)")
    in_scope: bool
    lang: Lang
    fiche: str | None
    status: FicheStatus | None
    patient: bool = Field(default=False, description="sent with the replies that answer nothing: a question about "
                          "someone's own health (told to ask their doctor)")
    follow_up: str | None = Field(default=None, description="a question about what the conversation showed, named "
                                  "nothing else: why (the levers shown fit), eligible, status (still open?), sources, "
                                  "project, guide (a request for guidance), reply (when an advisor answers), "
                                  "withdraw (cancel the contact request made) or erase (forget me): the bot finishes "
                                  "these with what it holds")


class LeverSummary(BaseModel):
    id: str
    name: str
    summary: str
    lever_type: str
    needs: list[str] = Field(description="the needs it answers, the main one first")


class LeverList(BaseModel):
    levers: list[LeverSummary]


class LeverDetail(Lever):
    __doc__ = f"A lever's record; the body of a `{PayloadType.LEVER.value}` payload."

    # The example phrasings are internal (routing only): never shown, so not required here.
    examples: I18nList | None = Field(default=None, exclude=True)  # type: ignore[assignment]


class Recorded(BaseModel):
    """A founder's feedback, stored."""

    id: int
    status: Literal["recorded"]


class Filed(BaseModel):
    """A hand-off filed: the reference the founder is given."""

    reference: str
    status: Literal["open"]


class Amended(BaseModel):
    """A hand-off whose address the founder corrected."""

    reference: str
    status: Literal["open", "assigned"]


class Withdrawn(BaseModel):
    """A hand-off the founder withdrew: deleted."""

    reference: str
    status: Literal["withdrawn"]


class Noted(BaseModel):
    """A note added to a hand-off."""

    reference: str
    notes: int = Field(description="the notes the case now holds")


class Vocabularies(BaseModel):
    """Code -> label tables in one language."""

    stages: dict[str, str]
    organisation_types: dict[str, str]
    product_kinds: dict[str, str]
    needs: dict[str, str]


def health(brain: Brain) -> Health:
    index = brain.retriever.index
    return Health(
        status="ok",
        mode=brain.mode,
        degraded=brain.notes,
        index=IndexInfo(
            chunks=index.chunk_count(),
            built=index.manifest.get("created_at"),
            model=(index.manifest.get("model") or {}).get("name"),
        ),
        levers=len(brain.catalogue.levers),
    )


def search_result(hits: Sequence[Hit], mode: str) -> SearchResult:
    return SearchResult(results=[SearchHit.model_validate(h.to_dict()) for h in hits], mode=mode)


def route_result(routed: dict) -> RouteResult:
    return RouteResult.model_validate(routed)


def answer(body: dict) -> Answer:
    return Answer.model_validate(body)


def lever_list(levers: Iterable[Lever], lang: str) -> LeverList:
    return LeverList(
        levers=[
            LeverSummary(
                id=lv.id,
                name=lv.name.get(lang),
                summary=lv.summary.get(lang),
                lever_type=lv.lever_type,
                needs=sorted(lv.needs, key=lambda n: -lv.needs[n]),
            )
            for lv in levers
        ]
    )


def lever_detail(lever: Lever) -> LeverDetail:
    return LeverDetail.model_validate(lever, from_attributes=True)


def vocabularies(brain: Brain, lang: str) -> Vocabularies:
    return Vocabularies.model_validate(brain.vocabulary_labels(lang))
