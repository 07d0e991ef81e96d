"""Staff route (API key): the figures of the staff page."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ..core.analytics import analytics
from ..core.memo import Memo, fingerprint
from ..core.tracker import tracker_state
from ..deps import SessionDep, StaffRead, TrackerDep
from ..staff_schemas import Analytics
from .conversations import check_range, tracker_conn

router = APIRouter(prefix="/staff", tags=["staff"])


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
