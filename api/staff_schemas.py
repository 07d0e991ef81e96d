"""Response bodies of the staff routes: conversations, hand-offs, analytics, documents, lapsed records."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from guichet_contract.messages import PayloadType
from pydantic import BaseModel, Field

TrackerState = str  # "ok", "absent" (Rasa has not started yet) or "down (Error)"


class ConversationProfile(BaseModel):
    stage: str | None = None
    product_kind: str | None = None
    organisation_type: str | None = None
    medical_device: Any = None
    ai: Any = None
    needs: list[str] = Field(default_factory=list)


class ConversationSummary(BaseModel):
    id: str
    started_at: str | None
    last_at: str | None
    turns: int = Field(description="messages the founder sent")
    lang: Literal["fr", "en"]
    levers: list[str] = Field(description="ids of the lever cards shown")
    handoff: bool = Field(description="a hand-off case is held for this conversation")
    profile: ConversationProfile


class ConversationPage(BaseModel):
    total: int
    limit: int
    offset: int
    tracker: TrackerState
    conversations: list[ConversationSummary]


class Button(BaseModel):
    title: str
    payload: str


class Turn(BaseModel):
    role: Literal["founder", "assistant"]
    at: str | None
    text: str
    intent: str | None = None
    confidence: float | None = None
    channel: str | None = None
    buttons: list[Button] = Field(default_factory=list)
    custom: dict[str, Any] | None = None


class FeedbackItem(BaseModel):
    rating: str
    reasons: list[str]
    comment: str | None
    message_id: str | None
    created_at: str


class ConversationDetail(ConversationSummary):
    transcript: list[Turn]
    actions: list[str] = Field(description="the bot's actions in order (action_listen left out)")
    handoffs: list[str] = Field(description="references of the hand-off cases filed")
    feedback: list[FeedbackItem]


class Erasure(BaseModel):
    id: str
    deleted: dict[str, int] = Field(description="rows deleted: events (Rasa), feedback, handoffs (API)")


class Count(BaseModel):
    id: str
    count: int


class Day(BaseModel):
    day: str
    count: int


class QuestionGroup(BaseModel):
    label: str
    count: int
    examples: list[str]
    conversations: list[str]


class Analytics(BaseModel):
    range: dict[str, str | None]
    tracker: TrackerState
    conversations: dict[str, Any]
    funnel: dict[str, int]
    levers: list[Count]
    needs: list[Count]
    unanswered: dict[str, Any]
    feedback: dict[str, Any]


class StoredDocument(BaseModel):
    name: str
    id: str | None = Field(None, description="the id its passages carry in search results: upload-<name>.<lang>")
    bytes: int
    lang: str | None = None
    title: str | None = None
    uploaded_at: str | None = None


class Documents(BaseModel):
    documents: list[StoredDocument]


class Reindexed(BaseModel):
    status: Literal["rebuilt", "unchanged"]
    chunks: int
    built: str | None
    model: str | None
    skipped: list[dict[str, str]]
    collisions: list[dict[str, str]] = Field(
        default_factory=list,
        description="documents that claimed an id or sources of the knowledge base, kept under their own id",
    )
    mode: str


class HandoffSummary(BaseModel):
    reference: str
    status: Literal["open", "assigned", "closed"]
    assignee: str | None
    lang: str
    created_at: str
    levers: list[str] = Field(description="ids of the levers on the case")
    conversation_id: str


class HandoffList(BaseModel):
    handoffs: list[HandoffSummary]


class HandoffDetail(HandoffSummary):
    name: str
    email: str
    profile: dict[str, Any]
    project_text: str | None
    cards: list[dict[str, Any]] = Field(
        serialization_alias=PayloadType.LEVER_CARDS.value,
        description="the lever cards as /route gave them when the case was filed",
    )
    transcript: list[dict[str, Any]] = Field(description="the conversation's turns, and the founder's notes")


class Lapse(BaseModel):
    kind: str
    record: str
    field: str
    date: dt.date
    detail: str
    on_purpose: bool


class Lapsed(BaseModel):
    today: dt.date
    wrong: int
    on_purpose: int
    lapses: list[Lapse]
