"""Staff routes (API key): conversations as Rasa recorded them, read and erased."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from ..core.analytics import handoff_ids
from ..core.conversations import LEVER_ID, Filters, erase, list_conversations, scrub, summary_of, transcript
from ..core.tracker import day_bounds, has_events, tracker_state
from ..deps import DaysDep, FiguresDep, SessionDep, StaffAdmin, StaffRead, TrackerDep
from ..errors import errors
from ..models import Feedback, Handoff
from ..staff_schemas import ConversationDetail, ConversationPage, Erasure

router = APIRouter(prefix="/staff", tags=["staff"])
log = logging.getLogger("guichet.staff")
ConversationId = Annotated[str, Path(min_length=1, max_length=255)]
NOT_FOUND = "no conversation with this id"
NO_CONVERSATION = errors(404, e404=NOT_FOUND)


@contextmanager
def tracker_conn(engine: Engine, write: bool = False) -> Iterator[Connection]:
    """A connection on Rasa's store; a failing store is a 503 that says so, not a 500."""
    try:
        with engine.begin() if write else engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        log.error("conversation store failed: %s", type(exc).__name__)
        raise HTTPException(503, "the conversation store (Rasa's tracker store) cannot be reached") from exc


@router.get("/conversations", response_model=ConversationPage)
def list_(
    tracker: TrackerDep,
    session: SessionDep,
    _: StaffRead,
    days: DaysDep,
    lang: Literal["fr", "en"] | None = None,
    lever: Annotated[str | None, Query(max_length=64, pattern=LEVER_ID.pattern)] = None,
    has_handoff: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict:
    state = tracker_state(tracker)
    page: dict = {"total": 0, "limit": limit, "offset": offset, "tracker": state, "conversations": []}
    if state != "ok":
        return page
    held = handoff_ids(session)
    lo, hi = day_bounds(days.since, days.until)
    with tracker_conn(tracker) as conn:
        total, rows = list_conversations(conn, Filters(lo, hi, lang, lever, held, has_handoff), limit, offset, held)
    return {**page, "total": total, "conversations": [vars(s) for s in rows]}


@router.get("/conversations/{conversation_id}", response_model=ConversationDetail, responses=NO_CONVERSATION)
def read(conversation_id: ConversationId, tracker: TrackerDep, session: SessionDep, _: StaffRead) -> dict:
    if not has_events(tracker):
        raise HTTPException(404, NOT_FOUND)
    refs = list(session.scalars(select(Handoff.reference).where(Handoff.conversation_id == conversation_id)))
    with tracker_conn(tracker) as conn:
        summary = summary_of(conn, conversation_id, handoff=bool(refs))
        if summary is None:
            raise HTTPException(404, NOT_FOUND)
        turns, actions = transcript(conn, conversation_id)
    notes = session.scalars(
        select(Feedback).where(Feedback.conversation_id == conversation_id).order_by(Feedback.created_at)
    )
    feedback = [
        {
            "rating": f.rating,
            "reasons": f.reasons,
            "comment": f.comment,
            "message_id": f.message_id,
            "created_at": f.created_at.isoformat(),
        }
        for f in notes
    ]
    return {**vars(summary), "transcript": turns, "actions": actions, "handoffs": refs, "feedback": feedback}


@router.delete("/conversations/{conversation_id}", response_model=Erasure, responses=NO_CONVERSATION)
def delete(
    conversation_id: ConversationId, tracker: TrackerDep, session: SessionDep, figures: FiguresDep, _: StaffAdmin
) -> dict:
    """Erasure (GDPR art. 17): the conversation's events in Rasa's store and its feedback and hand-offs."""
    if has_events(tracker):
        with tracker_conn(tracker, write=True) as conn:  # rolled back if the API's side fails
            erased = erase(conn, session, conversation_id)
    else:
        erased = erase(None, session, conversation_id)
    if not erased.anything:
        raise HTTPException(404, NOT_FOUND)
    scrub(tracker, session.get_bind().engine)  # committed: now out of the SQLite -wal files too
    figures.forget()  # the figures must not show an erased conversation, not even for a few seconds
    deleted = {"events": erased.events, "feedback": erased.feedback, "handoffs": erased.handoffs}
    log.info("conversation erased: %(events)d events, %(feedback)d feedback, %(handoffs)d hand-offs", deleted)
    return {"id": conversation_id, "deleted": deleted}
