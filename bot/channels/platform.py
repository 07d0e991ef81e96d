"""What the Slack and Teams channels share: a bot utterance rendered into the platform's messages and posted
part by part; the health and webhook routes; one HTTP client per channel; messages handed to Rasa in the
background (both platforms want their answer within seconds) through the length and rate gate.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from guichet_contract import TEXT_SAYS_IT_ALL, PayloadType
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .gate import OnMessage, guarded
from .settings import Platform, settings

log = logging.getLogger(__name__)

# Custom payloads laid out together with the text they come with (the text is only their fallback).
RICH = frozenset({PayloadType.LEVER_CARDS.value, PayloadType.ANSWER.value, PayloadType.ROADMAP.value})
Part = dict[str, Any]
Client = TypeVar("Client")


class RichOutput:
    """The sending half of an OutputChannel (mixed in before Rasa's platform output): `render` lays out
    (text, buttons, lever cards, language, custom payload) as the platform's messages, `post` sends one."""

    render: Callable[..., list[Part]]  # a staticmethod: slack_blocks.messages, teams_cards.activities
    native_marks: tuple[str, ...] = ()  # keys by which a custom payload is already a platform message
    native_keys: tuple[str, ...] = ()  # the keys of such a payload that are sent
    _rendered: set[int]

    async def post(self, recipient_id: str, part: Part) -> None:
        raise NotImplementedError

    async def _post_all(self, recipient_id: str, parts: list[Part]) -> None:
        for part in parts:
            await self.post(recipient_id, part)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._post_all(recipient_id, self._parts(text, [], kwargs.get("custom")))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self._post_all(recipient_id, self._parts(text, buttons, kwargs.get("custom")))

    def _parts(self, text: str, buttons: list[dict[str, Any]], custom: Any) -> list[Part]:
        """The messages for a text, its buttons and the rich payload sent with it (cards, answer, roadmap)."""
        if not isinstance(custom, dict) or custom.get("type") not in RICH:
            return self.render(text, buttons)
        self._rendered.add(id(custom))  # laid out with this text: send_custom_json skips it
        cards = custom.get("levers") or [] if custom["type"] == PayloadType.LEVER_CARDS.value else None
        return self.render(text, buttons, cards, custom.get("lang", "fr"), custom)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        kind = json_message.get("type")
        if id(json_message) in self._rendered or kind in TEXT_SAYS_IT_ALL:
            return
        if kind == PayloadType.LEVER_CARDS.value:
            parts = self.render("", None, json_message.get("levers") or [], json_message.get("lang", "fr"))
        elif any(key in json_message for key in self.native_marks):  # a platform-native message from a response
            parts = [{k: json_message[k] for k in self.native_keys if k in json_message}]
        else:
            log.debug("custom message of type %r has no rendering on %s", kind, type(self).__name__)
            return
        await self._post_all(recipient_id, parts)


class LazyClient(Generic[Client]):
    """A channel's one HTTP client: made when first needed (inside the server's event loop), closed when the
    server stops."""

    def __init__(self, make: Callable[[], Client], close: Callable[[Client], Awaitable[Any]]) -> None:
        self.make, self._close = make, close
        self._client: Client | None = None

    def get(self) -> Client:
        if self._client is None:
            self._client = self.make()
        return self._client

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await self._close(client)


class PlatformInput:
    """The receiving half shared by the Slack and Teams input channels (mixed in before Rasa's)."""

    channel: str  # Rasa's name for the channel, hence its path: /webhooks/<channel>/webhook
    settings_key: str  # which part of channels/settings.py's Settings is this platform's
    not_configured: str  # the 503's detail: which settings are missing
    settings: Platform
    http_clients: list[LazyClient]
    _tasks: set[asyncio.Task[Any]]

    @classmethod
    def name(cls) -> str:
        return cls.channel

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> Any:
        """From the environment (credentials.yml lists the channel with no values): unset, it answers 503."""
        return cls(getattr(settings(), cls.settings_key))  # type: ignore[call-arg]

    async def webhook(self, request: Request, on_new_message: OnMessage) -> HTTPResponse:
        """The platform's POST /webhook, once the channel is configured."""
        raise NotImplementedError

    def blueprint(self, on_new_message: OnMessage) -> Blueprint:
        """GET / (health) and POST /webhook (503 until configured)."""
        bp = Blueprint(f"{self.name()}_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.settings.configured})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.settings.configured:
                return response.json({"detail": self.not_configured}, status=503)
            return await self.webhook(request, on_new_message)

        @bp.listener("after_server_stop")
        async def close(*_: Any) -> None:
            for client in self.http_clients:
                await client.close()

        return bp

    def dispatch(self, on_new_message: OnMessage, message: UserMessage) -> None:
        """Hands the message to Rasa in the background, through the gate: the platform's conversations share
        one rate ceiling besides each conversation's own."""
        task = asyncio.create_task(guarded(on_new_message, platform=self.name())(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
