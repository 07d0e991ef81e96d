"""Rasa's REST channel on the same path (/webhooks/rest/webhook), refusing malformed or oversized bodies and
sending each bot message as one message (text, buttons and custom payload together).

Rasa 3.6's own channel answers 500 to an empty body or a JSON list, 200 with a traceback in its log to a
message that is not a string, and has no size limit: one 1 MB single-word message held the whole server
for longer than 20 s (tests/production/test_webhook_input.py). Here each of those is a clear 4xx and
reaches neither NLU nor the tracker store.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional, Text

from guichet_contract import LIMITS, TEXT_SAYS_IT_ALL
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

# A founder's message is a few sentences; the API's /route takes as much at most (guichet_contract.LIMITS).
MAX_TEXT_CHARS = LIMITS.MESSAGE
MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


TOO_LONG = (
    f"Message trop long (plus de {MAX_TEXT_CHARS} caractères) : pouvez-vous le résumer ? / "
    f"Message too long (over {MAX_TEXT_CHARS} characters): could you shorten it?"
)


def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    """For channels that must acknowledge every message (Slack, Teams, socket.io): a message over
    MAX_TEXT_CHARS is answered in its own conversation and reaches neither NLU nor the tracker store."""

    async def handle(message: UserMessage) -> Any:
        if not isinstance(message.text, str) or len(message.text) > MAX_TEXT_CHARS:
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, TOO_LONG)
            return None
        return await on_new_message(message)

    return handle


def checked_text(text: Any) -> Text:
    """The message if it is a string of a sane length, else the 4xx that says why."""
    if not isinstance(text, str):
        raise InvalidUsage("'message' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadTooLarge(f"'message' is over {MAX_TEXT_CHARS} characters")
    return text


def _body(req: Request) -> Dict[Text, Any]:
    if len(req.body or b"") > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
    if not req.body:
        raise InvalidUsage('empty body: send {"sender": "...", "message": "..."}')
    body = req.json  # sanic answers 400 itself to invalid JSON
    if not isinstance(body, dict):
        raise InvalidUsage('the body must be a JSON object: {"sender": "...", "message": "..."}')
    return body


class WholeMessages(CollectingOutputChannel):
    """Each bot message as one REST message: its text (whole: Rasa's collector splits it at blank lines), its
    buttons, and its custom payload unless the text already says it all (an answer, a lever's details, the
    roadmap: guichet_contract.TEXT_SAYS_IT_ALL). Rasa's collector sent the text, then the same again as custom
    data; the lever cards keep their payload (ids, verdicts), which the text does not carry."""

    def __init__(self, inner: CollectingOutputChannel) -> None:
        self.inner, self.messages = inner, inner.messages

    @classmethod
    def name(cls) -> Text:
        return cls.__name__

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        await self.inner._persist_message(message)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        out: Dict[Text, Any] = {"recipient_id": recipient_id}
        for key in ("text", "buttons", "image", "attachment", "custom"):
            value = message.get(key) or (message.get("quick_replies") if key == "buttons" else None)
            if value:
                out[key] = value
        custom = out.get("custom")
        if "text" in out and isinstance(custom, dict) and custom.get("type") in TEXT_SAYS_IT_ALL:
            del out["custom"]
        if len(out) > 1:
            await self._persist_message(out)


def one_message_per_reply(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[Any]]:
    async def handle(message: UserMessage) -> Any:
        if isinstance(message.output_channel, CollectingOutputChannel):
            message.output_channel = WholeMessages(message.output_channel)
        return await on_new_message(message)

    return handle


class GuardedRestInput(RestInput):
    """RestInput with its inputs checked and one message per bot message; the channel keeps Rasa's name,
    hence its path."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Any:
        return super().blueprint(one_message_per_reply(on_new_message))

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        return checked_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # not the client's to choose: analytics count channels

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
