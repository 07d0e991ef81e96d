"""Request and response bodies of the public HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from .core.profile import Profile

LangIn = Literal["fr", "en"] | None


class SearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=2000)
    k: StrictInt = Field(default=5, ge=1, le=50)  # strict: JSON true is not 1
    lang: LangIn = None


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, max_length=5000)
    profile: Profile | None = None
    lang: LangIn = None


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=2000)
    lang: LangIn = None
    # The levers the founder was just shown: a follow-up question that names nothing is about them.
    levers: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]] = Field(
        default_factory=list, max_length=12
    )


class TranscriptTurn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["founder", "assistant"]
    text: str = Field(max_length=10000)
    at: str | None = Field(default=None, max_length=64)


class HandoffIn(BaseModel):
    """A founder's request for a human advisor, as the bot files it."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: str = Field(min_length=1, max_length=128)
    name: str = Field(min_length=2, max_length=100)
    email: str = Field(max_length=254, pattern=r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
    consent: Literal[True]  # no consent, no record
    lang: Literal["fr", "en"] = "fr"
    profile: Profile = Field(default_factory=Profile)
    project_text: str | None = Field(default=None, max_length=5000)
    levers: list[str] = Field(default_factory=list, max_length=20)
    transcript: list[TranscriptTurn] = Field(default_factory=list, max_length=500)


class HandoffNoteIn(BaseModel):
    """A note the founder adds for the advisor once the hand-off is filed (same conversation only)."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=2000)


FeedbackReason = Literal["clear", "complete", "reliable-sources", "incorrect", "off-topic", "missing-sources"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_id: str = Field(min_length=1, max_length=128)
    message_id: str | None = Field(default=None, max_length=128)
    rating: Literal["up", "down"]
    reasons: list[FeedbackReason] = Field(default_factory=list, max_length=6)
    comment: str | None = Field(default=None, max_length=2000)
