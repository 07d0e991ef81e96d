"""What every chat channel checks before a message reaches Rasa (its length, its rate), and the replies that
say why a message was not heard, in the founder's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import lru_cache
from typing import Any

from guichet_contract import LIMITS, detect

from actions.formatting import t

from .limits import ChatLimits, Verdict
from .settings import settings

# A founder's message is a few sentences; the API's /route takes as much at most (guichet_contract.LIMITS).
MAX_TEXT_CHARS = LIMITS.MESSAGE
TOO_LONG = (
    f"Message trop long (plus de {MAX_TEXT_CHARS} caractères) : pouvez-vous le résumer ? / "
    f"Message too long (over {MAX_TEXT_CHARS} characters): could you shorten it?"
)
LANGUAGES = ("fr", "en")
OnMessage = Callable[[Any], Awaitable[Any]]  # Rasa's handler of a UserMessage
Guarded = Callable[[Any], Coroutine[Any, Any, Any]]  # a handler asyncio can run as a task (guarded's)


@lru_cache(maxsize=1)
def chat_limits() -> ChatLimits:
    """The rate limits of this Rasa server, shared by all its channels (built on first use)."""
    return ChatLimits(settings().limits)


def language(text: Any, metadata: Mapping[str, Any] | None = None) -> str:
    """The language to answer a message in before NLU has read it: the one its client names (the widget's
    `lang`), else the message's own, else French."""
    named = (metadata or {}).get("lang") if isinstance(metadata, Mapping) else None
    if named in LANGUAGES:
        return str(named)
    return (detect(text) if isinstance(text, str) else None) or "fr"


def slow_down(verdict: Verdict, text: Any, metadata: Mapping[str, Any] | None = None) -> str:
    return t("slow_down", language(text, metadata), seconds=verdict.retry_after)


def guarded(on_new_message: OnMessage, address: str | None = None, platform: str | None = None) -> Guarded:
    """For channels that answer through an output channel (socket.io, Slack, Teams): a message over
    MAX_TEXT_CHARS or over a rate limit is answered so in its own conversation (the rate once per spell) and
    reaches neither NLU nor the tracker store. `address`: the client's (REST, socket.io); `platform`: the
    channel's name, whose conversations share one ceiling (Slack, Teams)."""

    async def handle(message: Any) -> Any:
        out = message.output_channel
        if not isinstance(message.text, str) or len(message.text) > MAX_TEXT_CHARS:
            if out is not None:
                await out.send_text_message(message.sender_id, TOO_LONG)
            return None
        verdict = chat_limits().check(message.sender_id, address, platform)
        if not verdict.allowed:
            if verdict.tell and out is not None:
                await out.send_text_message(message.sender_id, slow_down(verdict, message.text, message.metadata))
            return None
        return await on_new_message(message)

    return handle
