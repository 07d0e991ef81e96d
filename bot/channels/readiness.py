"""A readiness route on the Rasa server: GET /webhooks/ready/ says whether conversations are really stored.

Listed as a channel in credentials.yml (`channels.readiness.ReadinessInput`: a channel is the way to add a route
to Rasa's server). It unwraps Rasa's fail-safe wrappers and answers 503 when the store in use is not the
configured CheckedSQLTrackerStore (an import failure makes Rasa fall back to memory), when its probe fails, or
when a save has failed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from stores import CheckedSQLTrackerStore


def _unwrap(store: Any) -> Any:
    """The store behind Rasa's FailSafeTrackerStore / AwaitableTrackerStore wrappers."""
    seen = 0
    while hasattr(store, "_tracker_store") and seen < 5:
        store, seen = store._tracker_store, seen + 1
    return store


def store_state(store: Any) -> dict[str, Any]:
    inner = _unwrap(store)
    if not isinstance(inner, CheckedSQLTrackerStore):
        return {"ready": False, "store": type(inner).__name__, "problem": "conversations are kept in memory only"}
    problem: str | None = inner.probe()
    if problem is None and inner.failed_saves:
        problem = f"{inner.failed_saves} save(s) failed ({inner.last_error})"
    return {"ready": problem is None, "store": type(inner).__name__, "problem": problem}


class ReadinessInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "ready"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("ready_webhook", __name__)

        @bp.route("/", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            agent = request.app.ctx.agent
            if agent is None or not agent.is_ready():
                return response.json({"ready": False, "problem": "no model loaded"}, status=503)
            state = store_state(agent.tracker_store)
            return response.json(state, status=200 if state["ready"] else 503)

        return bp
