"""Hand-offs to a human advisor: filed by the bot (its service credential) with the founder's consent."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import func, select

from ..core.conversations import handoff_context, scrub
from ..core.rasa_store import has_events
from ..deps import BrainDep, FiguresDep, SessionDep, TrackerDep
from ..models import Handoff
from ..responses import Amended, Filed, Noted, Withdrawn
from ..schemas import HandoffChangeIn, HandoffIn, HandoffNoteIn, HandoffWithdrawalIn
from ..security import ServiceCaller

router = APIRouter(tags=["handoffs"])
BOT_ONLY: dict[int | str, dict[str, Any]] = {401: {"description": "without the bot's service credential"}}
NOT_OWN: dict[int | str, dict[str, Any]] = {404: {"description": "no such case in this conversation"}}
NOT_IN_THIS_CONVERSATION = "no hand-off with this reference in this conversation"
CORRECTED = {"email": "adresse e-mail corrigée / e-mail address corrected", "name": "nom corrigé / name corrected"}


@router.post(
    "/handoffs",
    status_code=201,
    responses={
        201: {"model": Filed, "description": "Filed"},
        **BOT_ONLY,
        404: {"description": "the tracker store holds no such conversation"},
        409: {"description": "the conversation is not at the consent question, or filed its most hand-offs"},
    },
)
def file_handoff(body: HandoffIn, _: ServiceCaller, request: Request, brain: BrainDep, session: SessionDep,
                 tracker: TrackerDep) -> dict:
    """Store the case with the levers' criteria verdicts and sources and the conversation's own transcript, so
    the advisor starts where the bot stopped."""
    context = None
    if has_events(tracker):
        with tracker.connect() as conn:
            context = handoff_context(conn, body.conversation_id)
    if context is None:
        raise HTTPException(404, "no conversation with this id")
    if not context.consent_asked:
        raise HTTPException(409, "this conversation is not at the hand-off's consent question")
    filed = session.scalar(select(func.count()).where(Handoff.conversation_id == body.conversation_id)) or 0
    if filed >= request.app.state.settings.handoffs_per_conversation:
        raise HTTPException(409, f"this conversation already filed {filed} hand-off(s), the most it may")
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
        transcript=context.turns,
        status="open",
    )
    session.add(case)
    session.commit()
    return {"reference": case.reference, "status": case.status}


def _own_case(session: SessionDep, reference: str, conversation_id: str) -> Handoff:
    """The case with this reference if this conversation filed it: a founder reaches only their own (404)."""
    case = session.scalar(
        select(Handoff).where(Handoff.reference == reference, Handoff.conversation_id == conversation_id)
    )
    if case is None:
        raise HTTPException(404, NOT_IN_THIS_CONVERSATION)
    return case


def _founder_turn(text: str, intent: str) -> dict:
    return {"role": "founder", "text": text, "at": dt.datetime.now(dt.UTC).isoformat(), "intent": intent}


@router.post("/handoffs/{reference}/notes", status_code=201,
             responses={201: {"model": Noted, "description": "Noted"}, **BOT_ONLY, **NOT_OWN})
def add_note(reference: str, body: HandoffNoteIn, _: ServiceCaller, session: SessionDep) -> dict:
    """A note for the advisor, added by the founder after filing: a founder's turn of the case's transcript
    marked as a note. Only the conversation that filed the case can add one (404 otherwise)."""
    case = _own_case(session, reference, body.conversation_id)
    case.transcript = [*case.transcript, _founder_turn(body.text, "note")]
    session.commit()
    return {"reference": case.reference, "notes": sum(1 for t in case.transcript if t.get("intent") == "note")}


@router.patch("/handoffs/{reference}", response_model=Amended,
              responses={**BOT_ONLY, **NOT_OWN,
                         409: {"description": "an advisor already closed the case"}})
def amend(reference: str, body: HandoffChangeIn, _: ServiceCaller, session: SessionDep) -> dict:
    """The founder corrects the address or the name of the case they filed ("je me suis trompée d'email, c'est
    …"), as long as no advisor closed it. The case's transcript says what changed (not to what: the case holds
    it)."""
    case = _own_case(session, reference, body.conversation_id)
    if case.status == "closed":
        raise HTTPException(409, "an advisor already closed this hand-off")
    changed = [(field, value) for field, value in (("email", body.email), ("name", body.name))
               if value is not None and value != getattr(case, field)]
    for field, value in changed:
        setattr(case, field, value)
    if changed:
        said = " ; ".join(CORRECTED[field] for field, _ in changed)
        case.transcript = [*case.transcript, _founder_turn(f"[{said}]", "amended")]
        session.commit()
    return {"reference": case.reference, "status": case.status}


@router.post("/handoffs/{reference}/withdraw", response_model=Withdrawn,
             responses={**BOT_ONLY, **NOT_OWN})
def withdraw(reference: str, body: HandoffWithdrawalIn, _: ServiceCaller, session: SessionDep,
             figures: FiguresDep) -> dict:
    """The founder withdraws the case they filed: it is deleted, with their name and address (what they consented
    to give), whatever its status. The conversation itself stays under the retention rules (docs/security.md)."""
    case = _own_case(session, reference, body.conversation_id)
    session.delete(case)
    session.commit()
    scrub(session.get_bind().engine)  # committed: now out of the SQLite -wal file too
    figures.forget()
    return {"reference": reference, "status": "withdrawn"}
