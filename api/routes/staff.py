"""Staff routes (API key): hand-offs to take over, and the knowledge records that have lapsed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ..core.lapsed import knowledge_lapses, report
from ..deps import BrainDep, Day, SessionDep, StaffAdmin, StaffRead
from ..errors import errors
from ..models import Handoff
from ..staff_schemas import HandoffDetail, HandoffList, HandoffSummary, Lapsed

router = APIRouter(prefix="/staff", tags=["staff"])
NO_CASE = errors(404, e404="no hand-off with this reference")


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignee: str = Field(min_length=1, max_length=100)


def _summary(h: Handoff) -> HandoffSummary:
    return HandoffSummary.model_validate(
        {
            "reference": h.reference,
            "status": h.status,
            "assignee": h.assignee,
            "lang": h.lang,
            "created_at": h.created_at.isoformat(),
            "levers": [lv["id"] for lv in h.levers],
            "conversation_id": h.conversation_id,
        }
    )


def _get(session: SessionDep, reference: str) -> Handoff:
    case = session.scalar(select(Handoff).where(Handoff.reference == reference))
    if case is None:
        raise HTTPException(404, f"no hand-off '{reference}'")
    return case


@router.get("/handoffs", response_model=HandoffList)
def list_handoffs(
    session: SessionDep,
    _: StaffRead,
    status: Literal["open", "assigned", "closed"] | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> HandoffList:
    q = select(Handoff).order_by(Handoff.created_at.desc()).limit(limit).offset(offset)
    if status:
        q = q.where(Handoff.status == status)
    return HandoffList(handoffs=[_summary(h) for h in session.scalars(q)])


@router.get("/handoffs/{reference}", response_model=HandoffDetail, responses=NO_CASE)
def read_handoff(reference: str, session: SessionDep, _: StaffRead) -> HandoffDetail:
    h = _get(session, reference)
    return HandoffDetail(
        **_summary(h).model_dump(),
        name=h.name,
        email=h.email,
        profile=h.profile,
        project_text=h.project_text,
        cards=h.levers,
        transcript=h.transcript,
    )


@router.post(
    "/handoffs/{reference}/assign",
    response_model=HandoffSummary,
    responses={**NO_CASE, **errors(409, e409="this hand-off is closed")},
)
def assign_handoff(reference: str, body: AssignIn, session: SessionDep, _: StaffAdmin) -> HandoffSummary:
    h = _get(session, reference)
    if h.status == "closed":
        raise HTTPException(409, "this hand-off is closed")
    h.assignee, h.status = body.assignee, "assigned"
    session.commit()
    return _summary(h)


@router.post("/handoffs/{reference}/close", response_model=HandoffSummary, responses=NO_CASE)
def close_handoff(reference: str, session: SessionDep, _: StaffAdmin) -> HandoffSummary:
    h = _get(session, reference)
    h.status = "closed"
    session.commit()
    return _summary(h)


@router.get("/knowledge/lapsed", response_model=Lapsed)
def knowledge_lapsed(
    request: Request,
    brain: BrainDep,
    _: StaffRead,
    today: Annotated[Day | None, Query(description="the day to check against (YYYY-MM-DD); default today")] = None,
) -> Lapsed:
    """What `guichet check` lists: records past review or validity, targets past due, past years written as
    ahead, calls shown as open on old news; what is wrong first, then what lapsed on purpose."""
    day = today or dt.date.today()
    documents = request.app.state.settings.knowledge_dir / "documents"
    return Lapsed.model_validate({"today": day, **report(knowledge_lapses(brain.catalogue, documents, day))})
