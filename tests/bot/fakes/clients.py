"""A Slack user and a Teams user talking to the real Rasa server, seen like the REST channel's replies.

`say(sender, message)` sends a signed Slack event (or Teams activity); a message that is the payload of a
button shown earlier in that conversation is sent as a click on that button instead (a Slack
`block_actions` interaction, a Teams messageBack). It waits until Rasa has stored the turn (the last event
of the conversation in its SQLite tracker store is `action_listen` again: every reply has been posted by
then), and returns the replies the fake received, decoded as REST messages: text, buttons, custom.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import sqlite3
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from tests.bot.fakes.botframework import FakeBotFramework
from tests.bot.fakes.slack import FakeSlack

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bot"))
from channels.ids import slack_sender, teams_sender  # noqa: E402

TEAM, BOT_USER, SLACK_CHANNEL = "T0GUICHET", "U0GUICHETBOT", "C0GUICHET"


def tracker(db: Path, sender: str) -> list[tuple[str, str | None]]:
    """(type_name, action_name) of the conversation's stored events, oldest first."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            rows = conn.execute("SELECT type_name, action_name FROM events WHERE sender_id = ? ORDER BY id", (sender,))
            return list(rows.fetchall())
    except sqlite3.OperationalError:
        return []


def user_turns(db: Path, sender: str) -> int:
    return sum(1 for kind, _ in tracker(db, sender) if kind == "user")


def wait_turn(db: Path, sender: str, before: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = tracker(db, sender)
        if sum(1 for kind, _ in events if kind == "user") > before and events[-1] == ("action", "action_listen"):
            return
        time.sleep(0.2)
    raise AssertionError(f"Rasa did not finish the turn of {sender} within {timeout}s")


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()


def slack_to_rest(post: dict[str, Any]) -> dict[str, Any]:
    """A chat.postMessage call as the REST channel would have shown it."""
    texts, buttons, levers = [], [], []
    for block in post.get("blocks") or []:
        if block["type"] == "section":
            texts.append(html.unescape(block["text"]["text"]))
            if str(block.get("block_id", "")).startswith("lever:"):
                levers.append({"id": block["block_id"][len("lever:"):]})
        elif block["type"] == "actions":
            buttons += [{"title": e["text"]["text"], "payload": e["value"]} for e in block["elements"]]
    message: dict[str, Any] = {"text": "\n".join(texts) if texts else html.unescape(post.get("text", ""))}
    if buttons:
        message["buttons"] = buttons
    if levers:
        message["custom"] = {"type": "lever_cards", "levers": levers}
    return message


class SlackUser:
    """Each REST sender becomes a person writing in a new thread of the bot's channel."""

    def __init__(self, rasa: str, db: Path, fake: FakeSlack, secret: str) -> None:
        self.rasa, self.db, self.fake, self.secret = rasa, db, fake, secret
        self.threads: dict[str, tuple[str, str]] = {}  # REST sender -> (user, thread ts)
        self.shown: dict[str, list[tuple[dict, dict, dict]]] = {}  # sender -> (post, block, button) shown

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None,
             timestamp: int | None = None, secret: str | None = None) -> httpx.Response:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signed = {"X-Slack-Request-Timestamp": stamp,
                  "X-Slack-Signature": slack_signature(self.secret if secret is None else secret, stamp, body)}
        return httpx.post(f"{self.rasa}/webhooks/slack/webhook", content=body, timeout=10,
                          headers={"Content-Type": content_type, **signed, **(headers or {})})

    def event(self, user: str, text: str, thread: str | None, ts: str, channel: str = SLACK_CHANNEL,
              channel_type: str = "channel", kind: str = "message") -> dict[str, Any]:
        event = {"type": kind, "channel": channel, "channel_type": channel_type, "user": user, "text": text,
                 "ts": ts, "event_ts": ts, **({"thread_ts": thread} if thread else {})}
        return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0GUICHET", "type": "event_callback",
                "event_id": f"Ev{uuid.uuid4().hex[:12].upper()}", "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}], "event": event}

    def click(self, user: str, post: dict, block: dict, button: dict) -> dict[str, Any]:
        action = {"type": "button", "action_id": button["action_id"], "block_id": block.get("block_id", ""),
                  "text": button["text"], "value": button["value"], "action_ts": f"{time.time():.6f}"}
        return {"type": "block_actions", "team": {"id": TEAM, "domain": "guichet"},
                "user": {"id": user, "username": "founder", "team_id": TEAM}, "api_app_id": "A0GUICHET",
                "container": {"type": "message", "message_ts": post["ts"], "channel_id": post["channel"],
                              "is_ephemeral": False, "thread_ts": post.get("thread_ts")},
                "trigger_id": uuid.uuid4().hex, "channel": {"id": post["channel"], "name": "guichet"},
                "message": {"type": "message", "user": BOT_USER, "ts": post["ts"], "thread_ts": post.get("thread_ts"),
                            "text": post.get("text", ""), "blocks": post.get("blocks", [])},
                "response_url": "https://hooks.slack.invalid/actions/T0GUICHET/1/x", "actions": [action]}

    def send_event(self, envelope: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(json.dumps(envelope).encode(), "application/json", **kw)

    def send_click(self, payload: dict[str, Any], **kw: Any) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def say(self, sender: str, message: str) -> list[dict]:
        if sender not in self.threads:
            self.threads[sender] = (f"U{uuid.uuid4().hex[:10].upper()}", f"{time.time():.6f}")
        user, thread = self.threads[sender]
        conversation = slack_sender(TEAM, SLACK_CHANNEL, thread, user)
        before, seen = user_turns(self.db, conversation), len(self.fake.posts_in(SLACK_CHANNEL, thread))
        shown = [s for s in reversed(self.shown.get(sender, [])) if s[2]["value"] == message]
        if shown:
            r = self.send_click(self.click(user, *shown[0]))
        else:  # the first message starts the thread: its ts is the thread's
            first = before == 0
            ts = thread if first else f"{time.time():.6f}"
            r = self.send_event(self.event(user, message, None if first else thread, ts))
        assert r.status_code == 200, r.text
        wait_turn(self.db, conversation, before)
        posts = self.fake.posts_in(SLACK_CHANNEL, thread)[seen:]
        for post in posts:
            for block in post.get("blocks") or []:
                for button in block.get("elements", []) if block["type"] == "actions" else []:
                    self.shown.setdefault(sender, []).append((post, block, button))
        return [slack_to_rest(p) for p in posts]


def teams_to_rest(activity: dict[str, Any]) -> dict[str, Any]:
    """A reply activity as the REST channel would have shown it (buttons must be messageBack actions)."""
    texts, buttons, levers = [], [], []

    def walk(items: list[dict]) -> None:
        for item in items:
            if item["type"] == "TextBlock":
                texts.append(item["text"])
            elif item["type"] == "Container":
                if str(item.get("id", "")).startswith("lever:"):
                    levers.append({"id": item["id"][len("lever:"):]})
                walk(item.get("items", []))
            elif item["type"] == "ActionSet":
                for action in item["actions"]:
                    back = action["data"]["msteams"]
                    assert action["type"] == "Action.Submit" and back["type"] == "messageBack", action
                    buttons.append({"title": action["title"], "payload": back["value"]["payload"]})

    for attachment in activity.get("attachments") or []:
        walk(attachment["content"]["body"])
    message: dict[str, Any] = {"text": "\n".join(texts) if texts else html.unescape(activity.get("text", ""))}
    if buttons:
        message["buttons"] = buttons
    if levers:
        message["custom"] = {"type": "lever_cards", "levers": levers}
    return message


class TeamsUser:
    """Each REST sender becomes a person in a personal chat with the bot."""

    def __init__(self, rasa: str, db: Path, fake: FakeBotFramework) -> None:
        self.rasa, self.db, self.fake = rasa, db, fake
        self.chats: dict[str, tuple[str, str]] = {}  # REST sender -> (conversation id, user AAD id)
        self.shown: dict[str, set[str]] = {}

    def activity(self, conversation: str, user: str, text: str, value: Any = None, **extra: Any) -> dict[str, Any]:
        activity = {"type": "message", "id": uuid.uuid4().hex, "timestamp": "2026-11-24T10:00:00.000Z",
                    "serviceUrl": self.fake.service_url, "channelId": "msteams",
                    "from": {"id": f"29:{user}", "name": "Founder", "aadObjectId": user},
                    "conversation": {"conversationType": "personal", "tenantId": "tenant", "id": conversation},
                    "recipient": {"id": f"28:{self.fake.app_id}", "name": "Guichet"},
                    "text": text, "textFormat": "plain", "locale": "fr-FR", "channelData": {"tenant": {"id": "tenant"}},
                    **extra}
        if value is not None:
            activity["value"] = value
        return activity

    def post(self, activity: dict[str, Any], token: str | None = None, headers: dict | None = None) -> httpx.Response:
        auth = {"Authorization": f"Bearer {token or self.fake.token(activity['serviceUrl'])}"}
        return httpx.post(f"{self.rasa}/webhooks/botframework/webhook", json=activity, timeout=15,
                          headers=auth if headers is None else headers)

    def say(self, sender: str, message: str) -> list[dict]:
        if sender not in self.chats:
            self.chats[sender] = (f"a:{uuid.uuid4().hex}", str(uuid.uuid4()))
        conversation, user = self.chats[sender]
        key = teams_sender(conversation, user)
        before, seen = user_turns(self.db, key), len(self.fake.replies_in(conversation))
        click = message in self.shown.get(sender, set())
        activity = self.activity(conversation, user, message, {"payload": message} if click else None)
        r = self.post(activity)
        assert r.status_code in (200, 201, 202), r.text
        wait_turn(self.db, key, before)
        replies = [teams_to_rest(a) for a in self.fake.replies_in(conversation)[seen:]]
        self.shown.setdefault(sender, set()).update(b["payload"] for m in replies for b in m.get("buttons", []))
        return replies
