"""Request bodies of the public HTTP API (the responses: api/responses.py)."""

from __future__ import annotations

import sys
import unicodedata
from functools import cache
from typing import Annotated, Literal

from guichet_contract import MAX_SENDER_CHARS, name_problem, sender_problem, tidy_name, unsafe_character
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from .core.profile import Profile

LangIn = Literal["fr", "en"] | None


class JsonBody(BaseModel):
    """A JSON body read as its schema says: no unknown field, no coercion ("5" is not 5, 0 is not false)."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 5 and 5.0 (the same number in JSON), never true or "5" (refused by strict mode)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]


class ProfileIn(Profile, JsonBody):
    """A founder's profile as a client sends it (the flags are JSON booleans, not 0 or 1)."""


class SearchIn(JsonBody):
    query: str = Field(min_length=1, max_length=2000)
    k: JsonInt = Field(default=5, ge=1, le=50)
    lang: LangIn = None


class RouteIn(JsonBody):
    """A founder's message, a profile, or both (one of them at least)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string", "pattern": r"\S"}}},
                {"required": ["profile"], "properties": {"profile": {"type": "object"}}},
            ]
        }
    )
    text: str | None = Field(default=None, max_length=5000)
    profile: ProfileIn | None = None
    lang: LangIn = None
    about: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]] = Field(
        default_factory=list, max_length=5,
        description="ids of levers the founder asks about (\"on est éligible au PECAN ?\"): returned in `asked` "
        "with their criteria's verdicts, recommended or not",
    )

    @model_validator(mode="after")
    def _something(self) -> RouteIn:
        if not (self.text and self.text.strip()) and self.profile is None:
            raise ValueError("give a text, a profile or both")
        return self


class AskIn(JsonBody):
    question: str = Field(min_length=1, max_length=2000)
    lang: LangIn = None
    # The levers the founder was just shown: a follow-up question that names nothing is about them.
    levers: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]] = Field(
        default_factory=list, max_length=12
    )
    # The fiche the conversation's last answer came from (the answer's `fiche`): a follow-up question that names
    # nothing ("et quelle classe ?") is read with its subject first. An id no fiche has is ignored.
    topic: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _raise_if(problem: str | None) -> None:
    if problem:
        raise ValueError(problem)


def _conversation_id(value: str) -> str:
    _raise_if(sender_problem(value))
    return value


def _person_name(value: str) -> str:
    _raise_if(name_problem(value))
    return tidy_name(value)


def _plain(value: str) -> str:
    bad = unsafe_character(value)
    _raise_if(f"holds a control or formatting character ({bad})" if bad else None)
    return value


def _char(code: int) -> str:
    """A code point in a pattern: escaped in the BMP (\\uXXXX reads alike in Python and ECMA-262), itself beyond
    (no escape of an astral character reads alike in both; a JSON string carries it)."""
    return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)


def _ranges(codes: list[int]) -> str:
    """Sorted code points as a character class's ranges."""
    spans: list[list[int]] = []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in spans)


@cache
def sender_pattern() -> str:
    """sender_problem's character rules as a pattern, derived from the very check over every code point (once,
    when the API's description is first built): no unsafe character, one that is not whitespace at least.

    The unsafe characters beyond the BMP are refused by a look-ahead: they include the private-use planes
    (131 072 code points), which a test generator (Hypothesis, under Schemathesis) enumerates one by one when
    they sit in a character class. Surrogates are left out: no UTF-8 regex engine (jsonschema-rs, Rust's) can
    name them, a valid JSON text holds none outside pairs, and a lone one is refused all the same (pydantic reads
    no string with one)."""
    unsafe: list[int] = []
    astral: list[int] = []
    blank: list[int] = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cs":
            continue
        if unsafe_character(char):
            (unsafe if code <= 0xFFFF else astral).append(code)
        elif not char.strip():
            blank.append(code)
    refused = _ranges(unsafe)
    return f"^(?!.*[{_ranges(astral)}])[^{refused}]*[^{refused}{_ranges(blank)}][^{refused}]*$"


def _describe_sender(schema: dict) -> None:
    schema["pattern"] = sender_pattern()
    schema["description"] = (
        "A conversation (Rasa sender) id: not blank; no control or formatting character (Unicode categories "
        "Cc, Cf, Cs, Co, Zl, Zp: terminal escapes, bidi overrides, zero-width characters, line separators)."
    )


# A conversation (Rasa sender) id, as the channels accept it (guichet_contract.sender_problem); its description
# states the same rules as a pattern, which the check itself (not pydantic's regex engine) enforces.
ConversationId = Annotated[
    str,
    Field(min_length=1, max_length=MAX_SENDER_CHARS, json_schema_extra=_describe_sender),
    AfterValidator(_conversation_id),
]


# An address as the bot's form accepts it (bot/actions/handoff.py), without control or bidi characters.
Email = Annotated[
    str,
    Field(max_length=254, pattern=r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"),
    AfterValidator(_plain),
]


# Blank, control (terminal escapes) or bidi characters refused; whitespace collapsed (guichet_contract).
PersonName = Annotated[str, Field(min_length=2, max_length=400), AfterValidator(_person_name)]


class HandoffIn(BaseModel):
    """A founder's request for a human advisor, as the bot files it (its service credential required). The
    transcript is not the caller's to give: the API reads it from the conversation's own record."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: ConversationId
    name: PersonName
    email: Email
    consent: Literal[True]  # no consent, no record
    lang: Literal["fr", "en"] = "fr"
    profile: Profile = Field(default_factory=Profile)
    project_text: str | None = Field(default=None, max_length=5000)
    levers: list[str] = Field(default_factory=list, max_length=20)


class HandoffChangeIn(BaseModel):
    """The founder's correction of the address or the name of a hand-off already filed (same conversation only):
    at least one of the two."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: ConversationId
    email: Email | None = None
    name: PersonName | None = None

    @model_validator(mode="after")
    def _something(self) -> HandoffChangeIn:
        if self.email is None and self.name is None:
            raise ValueError("give the corrected email or name")
        return self


class HandoffWithdrawalIn(BaseModel):
    """The founder withdraws a hand-off already filed (same conversation only): the case is deleted."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: ConversationId


class HandoffNoteIn(BaseModel):
    """A note the founder adds for the advisor once the hand-off is filed (same conversation only)."""

    model_config = ConfigDict(extra="forbid")
    conversation_id: ConversationId
    text: str = Field(min_length=1, max_length=2000)


FeedbackReason = Literal["clear", "complete", "reliable-sources", "incorrect", "off-topic", "missing-sources"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    conversation_id: ConversationId
    message_id: str | None = Field(default=None, max_length=128)
    rating: Literal["up", "down"]
    reasons: list[FeedbackReason] = Field(default_factory=list, max_length=6)
    comment: str | None = Field(default=None, max_length=2000)
