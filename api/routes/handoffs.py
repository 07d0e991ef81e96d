"""Hand-offs to a human advisor: filed by the bot with the founder's consent."""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from ..deps import BrainDep, SessionDep
from ..models import Handoff
from ..schemas import HandoffIn, HandoffNoteIn

router = APIRouter(tags=["handoffs"])


@router.post("/handoffs", status_code=201)
def file_handoff(body: HandoffIn, brain: BrainDep, session: SessionDep) -> dict:
    """Store the case with the levers' criteria verdicts and sources, so the advisor starts where the bot stopped."""
    routed = brain.route(body.project_text, body.profile, body.lang)
    cards = [lv for lv in routed.get("levers", []) if not body.levers or lv["id"] in body.levers]
    case = Handoff(
        reference=f"GN-{secrets.token_hex(4).upper()}",
        conversation_id=body.conversation_id,
        name=body.name,
        email=body.email,
        consent=True,
        lang=body.lang,
        profile=routed.get("profile", body.profile.model_dump()),
        project_text=body.project_text,
        levers=cards,
        transcript=[t.model_dump() for t in body.transcript],
        status="open",
    )
    session.add(case)
    session.commit()
    return {"reference": case.reference, "status": case.status}


@router.post("/handoffs/{reference}/notes", status_code=201)
def add_note(reference: str, body: HandoffNoteIn, session: SessionDep) -> dict:
    """A note for the advisor, added by the founder after filing: a founder's turn of the case's transcript
    marked as a note. Only the conversation that filed the case can add one (404 otherwise)."""
    case = session.scalar(
        select(Handoff).where(Handoff.reference == reference, Handoff.conversation_id == body.conversation_id)
    )
    if case is None:
        raise HTTPException(404, "no hand-off with this reference in this conversation")
    note = {"role": "founder", "text": body.text, "at": dt.datetime.now(dt.UTC).isoformat(), "intent": "note"}
    case.transcript = [*case.transcript, note]
    session.commit()
    return {"reference": case.reference, "notes": sum(1 for t in case.transcript if t.get("intent") == "note")}
