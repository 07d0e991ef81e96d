"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from .. import responses as out
from ..core.tracker import tracker_state
from ..deps import BrainDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=out.Health)
def health(brain: BrainDep) -> out.Health:
    return out.health(brain)


@router.get("/ready", response_model=out.Ready, responses={503: {"model": out.Ready, "description": "Not ready"}})
def ready(brain: BrainDep, request: Request, response: Response) -> out.Ready:
    """Readiness: 200 when every part serves, 503 naming what is down; degraded modes are listed."""
    checks: dict[str, str] = {"index": f"{brain.retriever.index.chunk_count()} chunks", "search": brain.mode}
    backend = getattr(brain.retriever.embedder, "backend", None)
    if backend:
        checks["query_embedding"] = backend
    cache = getattr(brain.retriever.embedder, "query_cache", None)
    if cache is not None and cache.size:
        st = cache.stats()
        checks["query_cache"] = f"{st['entries']}/{st['size']} entries, {st['hits']} hits, {st['misses']} misses"
    ok = True
    try:
        with request.app.state.sessions() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means the same: the database cannot serve
        checks["database"] = f"down ({type(exc).__name__})"
        ok = False
    # Rasa's store is reported, not required: search, routing and answers serve without it.
    checks["conversations"] = tracker_state(request.app.state.tracker)
    degraded = list(brain.notes)
    if checks["conversations"].startswith("down"):
        degraded.append("conversation store unreadable: staff conversations and analytics are unavailable")
    response.status_code = 200 if ok else 503
    return out.Ready(status="ready" if ok else "not ready", checks=checks, degraded=degraded)
