"""The Slack channel: signed Events API and interactivity requests on /webhooks/slack/webhook.

Settings come from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, SLACK_CHANNEL:
channels/settings.py), so the server starts without them and this channel answers 503. Every request's
signature is checked (a missing, wrong or stale one gets 401 and nothing happens); replies go to the thread
they answer; an event Slack delivers again is answered once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import Any

import aiohttp
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from .gate import OnMessage
from .ids import slack_sender
from .platform import LazyClient, Part, PlatformInput, RichOutput
from .recent import Recent
from .settings import SlackSettings
from .slack_blocks import messages
from .text import unescape_markup

log = logging.getLogger(__name__)

MAX_AGE_SECONDS = 5 * 60  # Slack's advice: refuse requests signed more than five minutes away
TIMEOUT_SECONDS = 15
NOT_CONFIGURED = "Slack is not configured on this server (SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are unset)."
BAD_SIGNATURE = "Missing, invalid or expired Slack signature."


def signature_ok(secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float) -> bool:
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


class SlackOutput(RichOutput, SlackBot):
    """Posts Block Kit messages through the channel's Web API client, in the conversation's thread."""

    render = staticmethod(messages)
    native_marks = ("blocks", "text")
    native_keys = ("text", "blocks", "attachments")

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None) -> None:
        self.slack_channel, self.thread_id, self.proxy = channel, thread_ts, None
        self.client = client
        self._rendered = set()

    @classmethod
    def name(cls) -> str:
        return "slack"

    async def post(self, recipient_id: str, part: Part) -> None:
        await self._post_message(recipient_id, **part)

    async def _post_message(self, channel: str, **kwargs: Any) -> None:
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


def web_client(slack: SlackSettings) -> AsyncWebClient:
    """The channel's Web API client, over one aiohttp session (slack_sdk opens a session per call without)."""
    return AsyncWebClient(token=slack.token, base_url=slack.api_url, timeout=TIMEOUT_SECONDS,
                          session=aiohttp.ClientSession())


async def close_web_client(client: AsyncWebClient) -> None:
    if client.session is not None:
        await client.session.close()


class SlackInput(PlatformInput, RasaSlackInput):
    """Rasa's Slack connector with settings from the environment, strict signatures and retry handling."""

    channel, settings_key, not_configured = "slack", "slack", NOT_CONFIGURED

    def __init__(self, slack: SlackSettings) -> None:
        super().__init__(slack.token, slack.channel, None, use_threads=True, slack_signing_secret=slack.signing_secret)
        self.settings = slack
        self.web: LazyClient[AsyncWebClient] = LazyClient(lambda: web_client(slack), close_web_client)
        self.http_clients = [self.web]
        self._tasks = self._background_tasks
        self._seen = Recent(10_000, 3600)  # event ids and clicks already answered
        self._threads = Recent(10_000, 7 * 24 * 3600)  # channel threads the bot takes part in

    def _validate_credentials(self) -> None:
        """Unset settings are allowed: the channel then answers 503 instead of stopping the server."""

    async def webhook(self, request: Request, on_new_message: OnMessage) -> HTTPResponse:
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

    async def _on_event(self, body: dict[str, Any], on_new_message: OnMessage) -> HTTPResponse:
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
        bots = [str(a["user_id"]) for a in body.get("authorizations") or [] if isinstance(a, dict) and a.get("user_id")]
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
        words = unescape_markup(self._sanitize_user_message(text, bots))
        if not words.strip():
            return response.json({"ok": True})
        return self._dispatch(on_new_message, words, str(body.get("team_id") or ""), channel, thread, user, bots)

    async def _on_interaction(self, payload: dict[str, Any], on_new_message: OnMessage) -> HTTPResponse:
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
                  channel: str, thread: str | None, user: str, bots: list[str]) -> HTTPResponse:
        """Hands the message to Rasa in the background: Slack wants its answer within three seconds."""
        metadata = {"out_channel": channel, "thread_id": thread, "users": bots}
        message = UserMessage(text, self.get_output_channel(channel, thread), slack_sender(team, channel, thread, user),
                              input_channel=self.name(), metadata=metadata)
        self.dispatch(on_new_message, message)
        return response.json({"ok": True})

    def get_output_channel(self, channel: str | None = None, thread_id: str | None = None) -> OutputChannel:
        return SlackOutput(self.web.get(), channel or self.slack_channel or "", thread_id)
