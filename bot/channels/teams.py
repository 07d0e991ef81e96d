"""The Microsoft Teams channel (Bot Framework) on /webhooks/botframework/webhook, settings from the environment.

Replaces what Rasa 3.6's connector hard-codes or skips: the token endpoint and OpenID metadata URLs are
settings; signing keys load lazily with a timeout (a server without Microsoft's network still starts);
issuer, audience, expiry, key endorsement and serviceUrl are all checked and every bad token gets 401;
replies are posted without blocking the server, as Adaptive Cards whose buttons post back (messageBack).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text, Tuple

import httpx
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from .ids import teams_sender
from .recent import Recent
from .rest import guarded
from .teams_auth import AuthError, KeySet, KeysUnavailable, TokenChecker
from .teams_cards import activities

log = logging.getLogger(__name__)

DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_ISSUERS = "https://api.botframework.com"
DEFAULT_SERVICE_HOSTS = "smba.trafficmanager.net"
SCOPE = "https://api.botframework.com/.default"
NOT_CONFIGURED = "Teams is not configured on this server (TEAMS_APP_ID and TEAMS_APP_PASSWORD are unset)."
BAD_TOKEN = "Missing or invalid Bot Framework token."
MENTION = re.compile(r"<at>[^<]*</at>")
SELF_RENDERED = {"roadmap", "answer", "lever"}
RICH = {"lever_cards", "answer", "roadmap"}  # custom messages laid out with the text they come with
_tokens: Dict[Tuple[str, str], Tuple[str, float]] = {}  # (token url, app id) -> (access token, expiry)


def _csv(value: Optional[str], default: str) -> List[str]:
    return [v.strip() for v in (value or default).split(",") if v.strip()]


class TeamsOutput(BotFramework):
    """Posts replies to the activity's conversation with an app token from the configured token endpoint."""

    def __init__(self, app_id: Text, app_password: Text, conversation: Dict[Text, Any], bot: Dict[Text, Any],
                 service_url: Text, token_url: Text, reply_to: Optional[Text] = None,
                 user: Optional[Dict[Text, Any]] = None) -> None:
        super().__init__(app_id, app_password, conversation, bot, service_url)
        self.token_url, self.reply_to, self.user = token_url, reply_to, user
        self._rendered: Set[int] = set()

    def prepare_message(self, recipient_id: Text, message_data: Dict[Text, Any]) -> Dict[Text, Any]:
        """Addressed to the person's Teams account (Rasa would put its own conversation key there)."""
        data = super().prepare_message(recipient_id, message_data)
        if self.user:
            data["recipient"] = {k: v for k, v in self.user.items() if k in ("id", "name", "aadObjectId")}
        return data

    @classmethod
    def name(cls) -> Text:
        return "botframework"

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        key = (self.token_url, self.app_id)
        cached = _tokens.get(key)
        if cached is None or cached[1] < time.time():
            form = {"grant_type": "client_credentials", "client_id": self.app_id,
                    "client_secret": self.app_password, "scope": SCOPE}
            try:
                async with httpx.AsyncClient(timeout=10) as client:
                    reply = await client.post(self.token_url, data=form)
                reply.raise_for_status()
                data = reply.json()
                cached = (str(data["access_token"]), time.time() + max(int(data.get("expires_in", 3600)) - 60, 30))
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                log.error("could not get a Bot Framework token: %s", type(exc).__name__)
                return None
            _tokens[key] = cached
        return {"Authorization": f"Bearer {cached[0]}", "Content-Type": "application/json"}

    async def send(self, message_data: Dict[Text, Any]) -> None:
        headers = await self._get_headers()
        if headers is None:
            return
        if self.reply_to:
            message_data.setdefault("replyToId", self.reply_to)
        message_data.setdefault("conversation", {"id": self.conversation["id"]})
        url = f"{self.global_uri}conversations/{self.conversation['id']}/activities"
        try:
            async with httpx.AsyncClient(timeout=15) as client:
                reply = await client.post(url, headers=headers, json=message_data)
            if reply.status_code >= 400:
                log.error("the Bot Framework refused a reply: HTTP %s", reply.status_code)
        except httpx.HTTPError as exc:
            log.error("the Bot Framework is unreachable: %s", type(exc).__name__)

    async def _send_all(self, recipient_id: Text, parts: List[Dict[str, Any]]) -> None:
        for part in parts:
            await self.send(self.prepare_message(recipient_id, part))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_all(recipient_id, self._parts(text, [], kwargs.get("custom")))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_all(recipient_id, self._parts(text, buttons, kwargs.get("custom")))

    def _parts(self, text: Text, buttons: List[Dict[Text, Any]], custom: Any) -> List[Dict[str, Any]]:
        """The activities for a text, its buttons and the rich payload sent with it (cards, answer, roadmap)."""
        if not isinstance(custom, dict) or custom.get("type") not in RICH:
            return activities(text, buttons)
        self._rendered.add(id(custom))  # laid out with this text: send_custom_json skips it
        cards = custom.get("levers") or [] if custom["type"] == "lever_cards" else None
        return activities(text, buttons, cards, custom.get("lang", "fr"), custom)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        kind = json_message.get("type")
        if id(json_message) in self._rendered or kind in SELF_RENDERED:
            return
        if kind == "lever_cards":
            await self._send_all(recipient_id, activities("", None, json_message.get("levers") or [],
                                                          json_message.get("lang", "fr")))
        elif "attachments" in json_message:  # a Bot Framework-native message from a response
            await self.send(self.prepare_message(recipient_id, {k: json_message[k] for k in ("text", "attachments")
                                                                 if k in json_message}))
        else:
            log.debug("custom message of type %r has no Teams rendering", kind)

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        await self.send_text_message(recipient_id, image)


class TeamsInput(BotFrameworkInput):
    """Rasa's Bot Framework connector with settings from the environment and complete token checks."""

    @classmethod
    def name(cls) -> Text:
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "TeamsInput":
        app_id, password = env.get("TEAMS_APP_ID", "").strip(), env.get("TEAMS_APP_PASSWORD", "").strip()
        if bool(app_id) != bool(password):
            log.warning("Teams is half-configured: set both TEAMS_APP_ID and TEAMS_APP_PASSWORD")
        keys = KeySet(env.get("TEAMS_OPENID_URL", "").strip() or DEFAULT_OPENID_URL,
                      timeout=float(env.get("TEAMS_HTTP_TIMEOUT") or 5),
                      min_refresh=float(env.get("TEAMS_KEYS_MIN_REFRESH_SECONDS") or 60))
        return cls(app_id, password, env.get("TEAMS_TOKEN_URL", "").strip() or DEFAULT_TOKEN_URL, keys,
                   _csv(env.get("TEAMS_ALLOWED_ISSUERS"), DEFAULT_ISSUERS),
                   _csv(env.get("TEAMS_ALLOWED_SERVICE_HOSTS"), DEFAULT_SERVICE_HOSTS))

    def __init__(self, app_id: Text, app_password: Text, token_url: Text = DEFAULT_TOKEN_URL,
                 keys: Optional[KeySet] = None, issuers: Optional[List[str]] = None,
                 service_hosts: Optional[List[str]] = None) -> None:
        # Rasa's __init__ fetches the keys with a blocking call here; they are fetched when first needed.
        self.app_id, self.app_password, self.token_url = app_id, app_password, token_url
        self.configured = bool(app_id and app_password)
        self.keys = keys or KeySet(DEFAULT_OPENID_URL)
        self.checker = TokenChecker(app_id, self.keys, issuers or [DEFAULT_ISSUERS],
                                    service_hosts or [DEFAULT_SERVICE_HOSTS])
        self._seen = Recent(10_000, 3600)
        self._tasks: Set[asyncio.Task] = set()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("botframework_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"detail": NOT_CONFIGURED}, status=503)
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
            return self._on_activity(activity, on_new_message)

        return bp

    def _on_activity(self, activity: Dict[str, Any],
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        conversation, sender, bot = activity.get("conversation"), activity.get("from"), activity.get("recipient")
        if not (isinstance(conversation, dict) and isinstance(conversation.get("id"), str)
                and isinstance(sender, dict) and isinstance(sender.get("id"), str) and isinstance(bot, dict)):
            return response.json({"detail": "The activity lacks its conversation, sender or recipient."}, status=400)
        if activity.get("type") != "message" or not self._seen.add(str(activity.get("id") or "")):
            return response.json({})
        text = self._text(activity)
        if not text:
            return response.json({})
        out = TeamsOutput(self.app_id, self.app_password, conversation, bot, str(activity["serviceUrl"]),
                          self.token_url, activity["id"] if isinstance(activity.get("id"), str) else None, sender)
        message = UserMessage(text, out, teams_sender(conversation["id"], sender.get("aadObjectId") or sender["id"]),
                              input_channel=self.name(), metadata=self.get_metadata(None))
        task = asyncio.create_task(guarded(on_new_message)(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return response.json({}, status=202)

    @staticmethod
    def _text(activity: Dict[str, Any]) -> str:
        """A button click's payload (messageBack value), else the typed text without the bot's @mention."""
        value = activity.get("value")
        if isinstance(value, dict) and isinstance(value.get("payload"), str) and value["payload"].strip():
            return value["payload"].strip()
        text = activity.get("text")
        return MENTION.sub(" ", text).strip() if isinstance(text, str) else ""
