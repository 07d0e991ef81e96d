"""A fake Slack Web API: chat.postMessage with Slack's token check and Block Kit limits, calls recorded."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from tests.bot.fakes.server import FakeServer, Reply, Request

# Slack's published limits, enforced like Slack does (invalid_blocks / msg_too_long).
MAX_BLOCKS, SECTION_CHARS, BUTTON_TEXT_CHARS, BUTTON_VALUE_CHARS = 50, 3000, 75, 2000
ACTION_ELEMENTS, TEXT_CHARS = 25, 40000


def blocks_problem(blocks: Any) -> str | None:
    """Why Slack would refuse these blocks, or None."""
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
        return "too many blocks"
    action_ids: set[str] = set()
    for block in blocks:
        kind = block.get("type")
        if kind == "section" and not 0 < len(block["text"]["text"]) <= SECTION_CHARS:
            return "section text length"
        if kind == "actions":
            if not 0 < len(block["elements"]) <= ACTION_ELEMENTS:
                return "actions elements"
            for el in block["elements"]:
                if len(el["text"]["text"]) > BUTTON_TEXT_CHARS or len(el.get("value", "")) > BUTTON_VALUE_CHARS:
                    return "button too long"
                if el["action_id"] in action_ids:
                    return "duplicate action_id"
                action_ids.add(el["action_id"])
        if kind not in ("section", "actions", "divider", "header", "context"):
            return f"unexpected block {kind}"
    return None


class FakeSlack(FakeServer):
    """POST /api/chat.postMessage as Slack answers it; `posts` holds the accepted messages."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.api_url = f"{self.url}/api/"
        self.posts: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self._ts = itertools.count(1)
        self.changed = threading.Condition(self.lock)
        self.route("POST", "/api/chat.postMessage", self._post_message)

    def _post_message(self, req: Request) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        args = req.json() if req.headers.get("content-type", "").startswith("application/json") else req.form()
        problem = None if args.get("channel") else "channel_not_found"
        if problem is None and not (args.get("text") or args.get("blocks")):
            problem = "no_text"
        if problem is None and len(args.get("text") or "") > TEXT_CHARS:
            problem = "msg_too_long"
        if problem is None and "blocks" in args and blocks_problem(args["blocks"]):
            problem = "invalid_blocks"
        if problem:
            with self.lock:
                self.refused.append(problem)
            return Reply(200, {"ok": False, "error": problem})
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        with self.changed:
            self.posts.append({**args, "ts": ts})
            self.changed.notify_all()
        return Reply(200, {"ok": True, "channel": args["channel"], "ts": ts, "message": {**args, "ts": ts}})

    def posts_in(self, channel: str, thread: str | None) -> list[dict[str, Any]]:
        with self.lock:
            return [p for p in self.posts if p["channel"] == channel and p.get("thread_ts") == thread]
