"""Thumbs up or down on an answer, from the widget or a channel."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import SessionDep
from ..models import Feedback
from ..schemas import FeedbackIn

router = APIRouter(tags=["feedback"])


@router.post("/feedback", status_code=201)
def give_feedback(body: FeedbackIn, session: SessionDep) -> dict:
    item = Feedback(**{**body.model_dump(), "reasons": list(dict.fromkeys(body.reasons))})
    session.add(item)
    session.commit()
    return {"id": item.id, "status": "recorded"}
