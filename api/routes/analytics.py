"""Staff route (API key): the figures of the staff page."""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import nullcontext
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from ..core.analytics import analytics
from ..core.memo import Memo, fingerprint
from ..core.tracker import tracker_state
from ..deps import SessionDep, StaffRead, TrackerDep
from ..staff_schemas import Analytics
from .conversations import check_range, tracker_conn

router = APIRouter(prefix="/staff", tags=["staff"])
log = logging.getLogger(__name__)


def warm(app: Any) -> None:
    """Compute the staff page's default figures (all time) once after start, off the request path, so its
    first load reads them from the memo (over 10 000 conversations they take ~0.5 s and the first request of
    a new process more). Served only while nothing changed since (no grace); any failure leaves the page to
    compute them itself."""
    try:
        tracker = app.state.tracker
        state = tracker_state(tracker)
        with app.state.sessions() as session, tracker_conn(tracker) if state == "ok" else nullcontext() as conn:
            fp = fingerprint(conn, session)
            body = {**analytics(conn, session, None, None), "tracker": state}
        app.state.analytics_memo.put((state, None, None), fp, body, exact_only=True)
    except Exception as exc:  # a warm-up only: the staff page computes the figures when it asks
        log.warning("staff figures not precomputed at start (%s)", type(exc).__name__)


@router.get("/analytics", response_model=Analytics)
def read_analytics(
    request: Request,
    tracker: TrackerDep,
    session: SessionDep,
    _: StaffRead,
    since: Annotated[dt.date | None, Query(description="conversations started on or after this UTC day")] = None,
    until: Annotated[dt.date | None, Query(description="conversations started on or before this UTC day")] = None,
) -> dict:
    """Conversations per day, funnel, levers shown, needs, unanswered questions grouped, feedback reasons."""
    check_range(since, until)
    state = tracker_state(tracker)
    memo = getattr(request.app.state, "analytics_memo", None)
    if memo is None:
        memo = request.app.state.analytics_memo = Memo()
    with tracker_conn(tracker) if state == "ok" else nullcontext() as conn:
        fp, key = fingerprint(conn, session), (state, since, until)
        body = memo.get(key, fp)
        if body is None:
            body = {**analytics(conn, session, since, until), "tracker": state}
            memo.put(key, fp, body)
    return body
