"""Reply payload types and message limits shared by the API, the actions, the channels and the widget."""

from __future__ import annotations

from enum import Enum


class PayloadType(str, Enum):
    """The `type` of a bot message's custom payload; each channel renders these (text is the fallback)."""

    LEVER_CARDS = "lever_cards"  # the recommended levers as cards: {"levers": [card...]}
    ANSWER = "answer"  # a cited answer: /ask's body
    LEVER = "lever"  # one lever's details: {"lever": GET /levers/{id}}
    ROADMAP = "roadmap"  # the roadmap document: {"markdown", "filename"}


# Payloads whose message text already says everything (the answer with its sources, the lever's details, the
# roadmap's steps): channels that render only text (REST) send the text alone; the others render the payload.
TEXT_SAYS_IT_ALL = frozenset({PayloadType.ANSWER.value, PayloadType.LEVER.value, PayloadType.ROADMAP.value})


class LIMITS:
    """Sizes both sides enforce (characters)."""

    MESSAGE = 5000  # a founder's message: the channels refuse longer ones, /route takes this much text
    QUESTION = 2000  # a question to /ask or /search
    PROJECT_TEXT = 5000  # the project description the bot keeps and sends to /route and /handoffs


def shorten(text: str, limit: int) -> str:
    """The text within `limit` characters, cut at a word boundary with an ellipsis (inside a word only when
    that one word is longer than the limit)."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: max(1, limit - 1)]
    if " " in cut and not text[len(cut)].isspace():
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-–—(") + "…"
