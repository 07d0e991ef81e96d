"""The Microsoft Teams channel (Bot Framework) on /webhooks/botframework/webhook, settings from the environment.

Replaces what Rasa 3.6's connector hard-codes or skips: the token endpoint and OpenID metadata URLs are
settings (channels/settings.py); signing keys load lazily with a timeout (a server without Microsoft's network
still starts); issuer, audience, expiry, key endorsement and serviceUrl are all checked and every bad token gets
401; replies are posted without blocking the server, as Adaptive Cards whose buttons post back (messageBack).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import UserMessage
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from .gate import OnMessage
from .ids import teams_sender
from .platform import LazyClient, Part, PlatformInput, RichOutput
from .recent import Recent
from .settings import TeamsSettings
from .teams_auth import AppToken, AuthError, KeySet, KeysUnavailable, TokenChecker
from .teams_cards import activities

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15
NOT_CONFIGURED = "Teams is not configured on this server (TEAMS_APP_ID and TEAMS_APP_PASSWORD are unset)."
BAD_TOKEN = "Missing or invalid Bot Framework token."
MENTION = re.compile(r"<at>[^<]*</at>")


class TeamsOutput(RichOutput, BotFramework):
    """Posts replies to the activity's conversation through the channel's HTTP client, with the app's token."""

    render = staticmethod(activities)
    native_marks = ("attachments",)
    native_keys = ("text", "attachments")

    def __init__(self, http: httpx.AsyncClient, token: AppToken, conversation: dict[str, Any],
                 bot: dict[str, Any], service_url: str, reply_to: str | None = None,
                 user: dict[str, Any] | None = None) -> None:
        # The password stays with the token. `bot` is the activity's recipient, a dict, as Rasa's own webhook
        # passes it (BotFramework's annotation says str).
        super().__init__(token.app_id, "", conversation, bot, service_url)  # type: ignore[arg-type]
        self.http, self.token, self.reply_to, self.user = http, token, reply_to, user
        self._rendered = set()

    def prepare_message(self, recipient_id: str, message_data: dict[str, Any]) -> dict[str, Any]:
        """Addressed to the person's Teams account (Rasa would put its own conversation key there)."""
        data = super().prepare_message(recipient_id, message_data)
        if self.user:
            data["recipient"] = {k: v for k, v in self.user.items() if k in ("id", "name", "aadObjectId")}
        return data

    @classmethod
    def name(cls) -> str:
        return "botframework"

    async def post(self, recipient_id: str, part: Part) -> None:
        await self.send(self.prepare_message(recipient_id, part))

    async def send(self, message_data: dict[str, Any]) -> None:
        headers = await self.token.headers()
        if headers is None:
            return
        if self.reply_to:
            message_data.setdefault("replyToId", self.reply_to)
        message_data.setdefault("conversation", {"id": self.conversation["id"]})
        url = f"{self.global_uri}conversations/{self.conversation['id']}/activities"
        try:
            reply = await self.http.post(url, headers=headers, json=message_data)
            if reply.status_code >= 400:
                log.error("the Bot Framework refused a reply: HTTP %s", reply.status_code)
        except httpx.HTTPError as exc:
            log.error("the Bot Framework is unreachable: %s", type(exc).__name__)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)


async def close_http(client: httpx.AsyncClient) -> None:
    await client.aclose()


class TeamsInput(PlatformInput, BotFrameworkInput):
    """Rasa's Bot Framework connector with settings from the environment and complete token checks."""

    channel, settings_key, not_configured = "botframework", "teams", NOT_CONFIGURED

    def __init__(self, teams: TeamsSettings) -> None:
        # Rasa's __init__ fetches the keys with a blocking call here; they are fetched when first needed.
        self.settings, self.app_id, self.app_password = teams, teams.app_id, teams.app_password
        self.http: LazyClient[httpx.AsyncClient] = LazyClient(lambda: httpx.AsyncClient(timeout=TIMEOUT_SECONDS),
                                                              close_http)
        self.http_clients = [self.http]
        self.keys = KeySet(teams.openid_url, self.http.get, timeout=teams.http_timeout,
                           min_refresh=teams.keys_min_refresh)
        self.checker = TokenChecker(teams.app_id, self.keys, list(teams.issuers), list(teams.service_hosts))
        self.token = AppToken(self.http.get, teams.token_url, teams.app_id, teams.app_password)
        self._seen = Recent(10_000, 3600)
        self._tasks = set()

    async def webhook(self, request: Request, on_new_message: OnMessage) -> HTTPResponse:
        if not request.headers.get("Authorization"):
            return response.json({"detail": BAD_TOKEN}, status=401)
        try:
            activity = request.json
        except Exception:  # sanic raises its own error type for a body that is not JSON
            activity = None
        if not isinstance(activity, dict):
            return response.json({"detail": "The body is not a Bot Framework activity."}, status=400)
        try:
            await self.checker.check(request.headers.get("Authorization"), activity)
        except AuthError as exc:
            log.warning("refused a Bot Framework activity: %s", exc)
            return response.json({"detail": BAD_TOKEN}, status=401)
        except KeysUnavailable:
            log.error("Bot Framework signing keys are unreachable; activity refused with 503")
            return response.json({"detail": "Signing keys are unavailable; retry later."}, status=503)
        return self._on_activity(activity, on_new_message, self.get_metadata(request))

    def _on_activity(self, activity: dict[str, Any], on_new_message: OnMessage,
                     metadata: dict[str, Any] | None) -> HTTPResponse:
        conversation, sender, bot = activity.get("conversation"), activity.get("from"), activity.get("recipient")
        if not (isinstance(conversation, dict) and isinstance(conversation.get("id"), str)
                and isinstance(sender, dict) and isinstance(sender.get("id"), str) and isinstance(bot, dict)):
            return response.json({"detail": "The activity lacks its conversation, sender or recipient."}, status=400)
        if activity.get("type") != "message" or not self._seen.add(str(activity.get("id") or "")):
            return response.json({})
        text = self._text(activity)
        if not text:
            return response.json({})
        out = TeamsOutput(self.http.get(), self.token, conversation, bot, str(activity["serviceUrl"]),
                          activity["id"] if isinstance(activity.get("id"), str) else None, sender)
        message = UserMessage(text, out, teams_sender(conversation["id"], sender.get("aadObjectId") or sender["id"]),
                              input_channel=self.name(), metadata=metadata)
        self.dispatch(on_new_message, message)
        return response.json({}, status=202)

    @staticmethod
    def _text(activity: dict[str, Any]) -> str:
        """A button click's payload (messageBack value), else the typed text without the bot's @mention."""
        value = activity.get("value")
        if isinstance(value, dict) and isinstance(value.get("payload"), str) and value["payload"].strip():
            return value["payload"].strip()
        text = activity.get("text")
        return MENTION.sub(" ", text).strip() if isinstance(text, str) else ""
