"""Thumbs up or down on an answer, from the widget or a channel."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from sqlalchemy import func, select

from ..core.conversations import bot_messages
from ..core.rasa_store import has_events
from ..deps import SessionDep, TrackerDep
from ..models import Feedback
from ..responses import Recorded
from ..schemas import FeedbackIn
from ..security import MaybeService

router = APIRouter(tags=["feedback"])


@router.post(
    "/feedback",
    status_code=201,
    openapi_extra={"security": [{}]},  # added to FastAPI's HTTPBearer: the credential is optional (the widget has none)
    responses={
        201: {"model": Recorded, "description": "Recorded"},
        401: {"description": "a wrong service credential"},
        404: {"description": "the tracker store holds no such conversation (callers without the credential)"},
        409: {"description": "this message was rated already, or every message of the conversation was"},
    },
)
def give_feedback(body: FeedbackIn, service: MaybeService, session: SessionDep, tracker: TrackerDep) -> dict:
    """The widget has no secret: its conversation id (64 random hex characters, known to the founder's tab) is
    its proof, so a caller without the service credential rates only a conversation the tracker store holds,
    each message once and no more messages than the bot sent."""
    if not service:
        sent = 0
        if has_events(tracker):
            with tracker.connect() as conn:
                sent = bot_messages(conn, body.conversation_id)
        if not sent:
            raise HTTPException(404, "no conversation with this id")
        mine = Feedback.conversation_id == body.conversation_id
        if (session.scalar(select(func.count()).where(mine)) or 0) >= sent:
            raise HTTPException(409, "every message of this conversation has been rated")
        if body.message_id and session.scalar(select(Feedback.id).where(mine, Feedback.message_id == body.message_id)):
            raise HTTPException(409, "this message has been rated already")
    item = Feedback(**{**body.model_dump(), "reasons": list(dict.fromkeys(body.reasons))})
    session.add(item)
    session.commit()
    return {"id": item.id, "status": "recorded"}
