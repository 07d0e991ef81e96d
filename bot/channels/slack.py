"""The Slack channel: signed Events API and interactivity requests on /webhooks/slack/webhook.

Settings come from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, SLACK_CHANNEL),
so the server starts without them and this channel answers 503. Every request's signature is checked (a
missing, wrong or stale one gets 401 and nothing happens); replies go to the thread they answer; an event
Slack delivers again is answered once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Set, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from .ids import slack_sender
from .recent import Recent
from .rest import guarded
from .slack_blocks import messages
from .text import slack_unescape

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
MAX_AGE_SECONDS = 5 * 60  # Slack's advice: refuse requests signed more than five minutes away
NOT_CONFIGURED = "Slack is not configured on this server (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are unset)."
BAD_SIGNATURE = "Missing, invalid or expired Slack signature."
SELF_RENDERED = {"roadmap", "answer", "lever"}  # custom messages whose text part already says everything
RICH = {"lever_cards", "answer", "roadmap"}  # custom messages laid out with the text they come with
OnMessage = Callable[[UserMessage], Awaitable[Any]]


def signature_ok(secret: str, timestamp: Optional[str], signature: Optional[str], body: bytes, now: float) -> bool:
    """Slack's v0 signature: HMAC-SHA256 of `v0:<timestamp>:<body>`, timestamp within five minutes."""
    if not secret or not timestamp or not signature:
        return False
    try:
        if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
            return False
    except ValueError:
        return False
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v0={digest}", signature)


class SlackOutput(SlackBot):
    """Posts Block Kit messages through the Web API at a configurable base URL, in the conversation's thread."""

    def __init__(self, token: Text, api_url: Text, channel: Text, thread_ts: Optional[Text]) -> None:
        self.slack_channel, self.thread_id, self.proxy = channel, thread_ts, None
        self.client = AsyncWebClient(token=token, base_url=api_url, timeout=15)
        self._rendered: Set[int] = set()

    @classmethod
    def name(cls) -> Text:
        return "slack"

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        kwargs.pop("as_user", None)  # refused for the granular bot tokens of current Slack apps
        kwargs.pop("type", None)
        if self.thread_id:
            kwargs["thread_ts"] = self.thread_id
        try:
            await self.client.chat_postMessage(channel=self.slack_channel or channel, **kwargs)
        except SlackApiError as exc:
            log.error("Slack refused a message: %s", exc.response.get("error"))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            log.error("Slack's Web API is unreachable: %s", type(exc).__name__)

    async def _post_all(self, recipient_id: Text, parts: List[Dict[str, Any]]) -> None:
        for part in parts:
            await self._post_message(recipient_id, **part)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._post_all(recipient_id, self._parts(text, [], kwargs.get("custom")))

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._post_all(recipient_id, self._parts(text, buttons, kwargs.get("custom")))

    def _parts(self, text: Text, buttons: List[Dict[Text, Any]], custom: Any) -> List[Dict[str, Any]]:
        """The messages for a text, its buttons and the rich payload sent with it (cards, answer, roadmap)."""
        if not isinstance(custom, dict) or custom.get("type") not in RICH:
            return messages(text, buttons)
        self._rendered.add(id(custom))  # laid out with this text: send_custom_json skips it
        lang = custom.get("lang", "fr")
        return messages(text, buttons, custom.get("levers") or [] if custom["type"] == "lever_cards" else None,
                        lang, custom)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        kind = json_message.get("type")
        if id(json_message) in self._rendered or kind in SELF_RENDERED:
            return
        if kind == "lever_cards":
            await self._post_all(recipient_id, messages("", None, json_message.get("levers") or [],
                                                        json_message.get("lang", "fr")))
        elif "blocks" in json_message or "text" in json_message:  # a Slack-native message from a response
            native = {k: json_message[k] for k in ("text", "blocks", "attachments") if k in json_message}
            await self._post_message(recipient_id, **native)
        else:
            log.debug("custom message of type %r has no Slack rendering", kind)


class SlackInput(RasaSlackInput):
    """Rasa's Slack connector with settings from the environment, strict signatures and retry handling."""

    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls.from_env(os.environ)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "SlackInput":
        token, secret = env.get("SLACK_BOT_TOKEN", "").strip(), env.get("SLACK_SIGNING_SECRET", "").strip()
        if bool(token) != bool(secret):
            log.warning("Slack is half-configured: set both SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET")
        return cls(token, secret, env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL,
                   env.get("SLACK_CHANNEL", "").strip() or None)

    def __init__(self, token: Text, signing_secret: Text, api_url: Text = DEFAULT_API_URL,
                 channel: Optional[Text] = None) -> None:
        super().__init__(token, channel, None, use_threads=True, slack_signing_secret=signing_secret)
        self.api_url = api_url if api_url.endswith("/") else api_url + "/"
        self.configured = bool(token and signing_secret)
        self._seen = Recent(10_000, 3600)  # event ids and clicks already answered
        self._threads = Recent(10_000, 7 * 24 * 3600)  # channel threads the bot takes part in

    def _validate_credentials(self) -> None:
        """Unset settings are allowed: the channel then answers 503 instead of stopping the server."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("slack_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": self.configured})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.configured:
                return response.json({"detail": NOT_CONFIGURED}, status=503)
            headers = request.headers
            if not signature_ok(self.slack_signing_secret, headers.get("X-Slack-Request-Timestamp"),
                                headers.get("X-Slack-Signature"), request.body or b"", time.time()):
                return response.json({"detail": BAD_SIGNATURE}, status=401)
            kind = (request.content_type or "").split(";")[0].strip().lower()
            try:
                if kind == "application/json":
                    body = json.loads(request.body or b"")
                    if isinstance(body, dict):
                        return await self._on_event(body, on_new_message)
                elif kind == "application/x-www-form-urlencoded":
                    payload = json.loads((request.form or {}).get("payload") or "")
                    if isinstance(payload, dict):
                        return await self._on_interaction(payload, on_new_message)
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
            return response.json({"detail": "Not a Slack event or interaction payload."}, status=400)

        return bp

    async def _on_event(self, body: Dict[str, Any], on_new_message: OnMessage) -> HTTPResponse:
        if body.get("type") == "url_verification":
            return response.json({"challenge": str(body.get("challenge", ""))})
        event = body.get("event")
        if body.get("type") != "event_callback" or not isinstance(event, dict):
            return response.json({"ok": True})
        if not self._seen.add(str(body.get("event_id") or "")):
            return response.json({"ok": True, "duplicate": True}, headers={"X-Slack-No-Retry": "1"})
        text, user, channel = event.get("text"), event.get("user"), event.get("channel")
        if (event.get("type") not in ("message", "app_mention") or event.get("bot_id")
                or event.get("subtype") not in (None, "thread_broadcast")  # edits, joins, bots' messages…
                or not isinstance(user, str) or not isinstance(channel, str) or not isinstance(text, str)):
            return response.json({"ok": True})
        bots = [a.get("user_id") for a in body.get("authorizations") or [] if isinstance(a, dict) and a.get("user_id")]
        thread = event.get("thread_ts") if isinstance(event.get("thread_ts"), str) else None
        if event.get("type") == "message" and event.get("channel_type") != "im":
            if any(f"<@{b}>" in text for b in bots):
                return response.json({"ok": True})  # Slack sends the same message as an app_mention
            if channel != self.slack_channel and (thread is None or f"{channel}/{thread}" not in self._threads):
                return response.json({"ok": True})  # not addressed to the bot
        if event.get("channel_type") != "im" and thread is None:
            thread = str(event.get("ts") or "") or None  # answer a channel message in its own thread
        if thread and event.get("channel_type") != "im":
            self._threads.add(f"{channel}/{thread}")
        words = slack_unescape(self._sanitize_user_message(text, bots))
        if not words.strip():
            return response.json({"ok": True})
        return self._dispatch(on_new_message, words, str(body.get("team_id") or ""), channel, thread, user, bots)

    async def _on_interaction(self, payload: Dict[str, Any], on_new_message: OnMessage) -> HTTPResponse:
        actions = payload.get("actions") or []
        if payload.get("type") != "block_actions" or not actions or not isinstance(actions[0], dict):
            return response.json({"ok": True})
        value = actions[0].get("value") if actions[0].get("type") == "button" else None
        user = (payload.get("user") or {}).get("id")
        container = payload.get("container") or {}
        channel = (payload.get("channel") or {}).get("id") or container.get("channel_id")
        message = payload.get("message") or {}
        thread = message.get("thread_ts") or container.get("thread_ts")
        if not isinstance(value, str) or not value or not isinstance(user, str) or not isinstance(channel, str):
            return response.json({"ok": True})
        if not self._seen.add(f"click:{user}:{actions[0].get('action_ts')}:{payload.get('trigger_id')}"):
            return response.json({"ok": True, "duplicate": True})
        team = (payload.get("team") or {}).get("id") or ""
        return self._dispatch(on_new_message, value, str(team), channel, thread, user, [])

    def _dispatch(self, on_new_message: OnMessage, text: str, team: str,
                  channel: str, thread: Optional[str], user: str, bots: List[str]) -> HTTPResponse:
        """Hands the message to Rasa in the background: Slack wants its answer within three seconds."""
        output = SlackOutput(self.slack_token, self.api_url, channel, thread)
        metadata = {"out_channel": channel, "thread_id": thread, "users": bots}
        message = UserMessage(text, output, slack_sender(team, channel, thread, user), input_channel=self.name(),
                              metadata=metadata)
        task = asyncio.create_task(guarded(on_new_message)(message))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)
        return response.json({"ok": True})

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackOutput(self.slack_token, self.api_url, channel or self.slack_channel or "", thread_id)
