"""Rasa's REST channel on the same path (/webhooks/rest/webhook), refusing malformed or oversized bodies and
sending each bot message as one message (text, buttons and custom payload together).

Rasa 3.6's own channel answers 500 to an empty body or a JSON list, 200 with a traceback in its log to a
message that is not a string, and has no size limit: one 1 MB single-word message held the whole server
for longer than 20 s (tests/bot/test_rest_input.py). Here each of those is a clear 4xx and reaches neither
NLU nor the tracker store; so does a message over the rate limits (bot/channels/limits.py): a 429 whose body
is the usual list of bot messages, holding the one that says so, and a sender id of another channel's
conversations (the widget's sessions, Slack's, Teams'): a 403.
"""

from __future__ import annotations

from typing import Any

from guichet_contract import TEXT_SAYS_IT_ALL, sender_problem
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import response
from sanic.exceptions import Forbidden, InvalidUsage, PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from .gate import MAX_TEXT_CHARS, OnMessage, chat_limits, slow_down
from .ids import foreign_sender
from .limits import client_address
from .settings import settings

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


def checked_text(text: Any) -> str:
    """The message if it is a string of a sane length, else the 4xx that says why."""
    if not isinstance(text, str):
        raise InvalidUsage("'message' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadTooLarge(f"'message' is over {MAX_TEXT_CHARS} characters")
    return text


def _body(req: Request) -> dict[str, Any]:
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
    def name(cls) -> str:
        return cls.__name__

    async def _persist_message(self, message: dict[str, Any]) -> None:
        await self.inner._persist_message(message)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        out: dict[str, Any] = {"recipient_id": recipient_id}
        for key in ("text", "buttons", "image", "attachment", "custom"):
            value = message.get(key) or (message.get("quick_replies") if key == "buttons" else None)
            if value:
                out[key] = value
        custom = out.get("custom")
        if "text" in out and isinstance(custom, dict) and custom.get("type") in TEXT_SAYS_IT_ALL:
            del out["custom"]
        if len(out) > 1:
            await self._persist_message(out)


def one_message_per_reply(on_new_message: OnMessage) -> OnMessage:
    async def handle(message: UserMessage) -> Any:
        if isinstance(message.output_channel, CollectingOutputChannel):
            message.output_channel = WholeMessages(message.output_channel)
        return await on_new_message(message)

    return handle


class GuardedRestInput(RestInput):
    """RestInput with its inputs checked, its rate limited and one message per bot message; the channel keeps
    Rasa's name, hence its path."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnMessage) -> Any:
        bp = super().blueprint(one_message_per_reply(on_new_message))

        @bp.middleware("request")
        async def limit(request: Request) -> HTTPResponse | None:
            """Counts each message against its sender and its client's address before Rasa reads it."""
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            sender = await self._extract_sender(request)
            text = self._extract_message(request)
            trusted = settings().limits.trusted_proxies
            address = client_address(request.ip, request.headers.get("X-Forwarded-For"), trusted)
            verdict = chat_limits().check(sender or "", address)
            if verdict.allowed:
                return None
            said = slow_down(verdict, text, self.get_metadata(request))
            return response.json([{"recipient_id": sender, "text": said}], status=429,
                                 headers={"Retry-After": str(verdict.retry_after)})

        return bp

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if sender_problem(sender):  # length, NUL, control and bidi characters (guichet_contract.inputs)
            raise InvalidUsage(sender_problem(sender))
        owner = foreign_sender(sender)
        if owner:
            raise Forbidden(f"'sender' names a conversation of the {owner} channel: it cannot be joined from here")
        return sender

    def _extract_message(self, req: Request) -> str | None:
        return checked_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # not the client's to choose: analytics count channels

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
