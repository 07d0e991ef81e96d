"""Staff route (API key): the figures of the staff page."""

from __future__ import annotations

from contextlib import nullcontext

from fastapi import APIRouter

from ..core.tracker import tracker_state
from ..deps import DaysDep, FiguresDep, SessionDep, StaffRead, TrackerDep
from ..staff_schemas import Analytics
from .conversations import tracker_conn

router = APIRouter(prefix="/staff", tags=["staff"])


@router.get("/analytics", response_model=Analytics)
def read_analytics(tracker: TrackerDep, session: SessionDep, figures: FiguresDep, _: StaffRead, days: DaysDep) -> dict:
    """Conversations per day, funnel, levers shown, needs, unanswered questions grouped, feedback reasons."""
    state = tracker_state(tracker)
    with tracker_conn(tracker) if state == "ok" else nullcontext() as conn:
        return figures.read(conn, session, state, days.since, days.until)
