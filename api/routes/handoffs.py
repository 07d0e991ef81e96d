"""Hand-offs to a human advisor: filed by the bot with the founder's consent."""

from __future__ import annotations

import secrets

from fastapi import APIRouter

from ..deps import BrainDep, SessionDep
from ..models import Handoff
from ..schemas import HandoffIn

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
