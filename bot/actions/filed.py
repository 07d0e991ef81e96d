"""The request this conversation filed (slot `handoff_ref`): its address or name corrected, or the request withdrawn.

The API only lets the conversation that filed a case change it. The address or name typed for a correction never
stays in the tracker store: it passes through its contact slot (`email`, `person_name`), which the store keeps only
as null outside the form, and every value those slots took is replaced by a placeholder wherever else it was stored
(bot/redaction.py)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .client import ApiRejected, ApiUnavailable, get_client
from .replies import api_down

log = logging.getLogger(__name__)
CONFLICT = 409  # the API's answer for a case an advisor already closed


async def amend_filed(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str, value: str) -> list[EventType]:
    """The filed request's address (`slot` "email") or name ("person_name") corrected to `value` (already
    checked), and said so."""
    ref = str(tracker.get_slot("handoff_ref"))  # the rule runs this only once a request is filed
    through_slot = [SlotSet(slot, value), SlotSet(slot, None)]
    field = "email" if slot == "email" else "name"
    try:
        await get_client().handoff_amend(ref, tracker.sender_id, **{field: value})
    except ApiUnavailable as exc:
        log.warning("handoff amend: %s", exc)
        return through_slot + api_down(dispatcher, tracker)
    except ApiRejected as exc:
        if exc.status == CONFLICT:
            dispatcher.utter_message(response="utter_handoff_closed", ref=ref)
            return through_slot
        # No such case in this conversation any more (erased by the team): nothing filed to correct.
        dispatcher.utter_message(response="utter_no_handoff_filed")
        return through_slot + [SlotSet("handoff_ref", None)]
    values: dict[str, Any] = {field: value, "ref": ref}  # the response's template variables
    dispatcher.utter_message(response=f"utter_handoff_{field}_amended", **values)
    return through_slot


async def withdraw_filed(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """The filed request withdrawn (the API deletes it) and said so; None when this conversation filed none.
    ApiUnavailable is the caller's to report (it answers the founder's message)."""
    ref = tracker.get_slot("handoff_ref")
    if not ref:
        return None
    try:
        await get_client().handoff_withdraw(ref, tracker.sender_id)
    except ApiRejected:  # already gone (erased by the team): nothing left to withdraw
        return None
    dispatcher.utter_message(response="utter_handoff_withdrawn", ref=ref)
    return [SlotSet("handoff_ref", None)]
