"""Hand-off to a human advisor: name, a valid e-mail, explicit consent, then a structured case; afterwards
the founder may add a note for the advisor."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiRejected, ApiUnavailable, get_client
from .common import NOTE, intent_of, is_question, lang_of, profile_from_slots, transcript, typed_text
from .knowledge import answer
from .replies import api_down, ask_yes_no
from .settings import settings

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
STOP = {"requested_slot": None}  # ends the form: with no consent, action_file_handoff stores nothing


class ValidateHandoffForm(FormValidationAction):
    """A "no" at any step withdraws the request; "je ne sais pas", a yes or a question is no name or
    address (a question is answered, then asked again)."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def _not_an_answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        intent, text = intent_of(tracker), typed_text(tracker)
        if intent == "deny":
            return {slot: None, "consent": False, **STOP}
        if is_question(text) and intent != "give_contact":
            await answer(dispatcher, tracker, text)
        return {slot: None}

    async def validate_person_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        text = typed_text(tracker)
        if intent_of(tracker) in ("dont_know", "deny", "affirm") or is_question(text):
            return await self._not_an_answer("person_name", dispatcher, tracker)
        name = " ".join(str(value or "").split())
        return {"person_name": name if 2 <= len(name) <= 100 and not name.startswith("/") else None}

    async def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> Dict[Text, Any]:
        match = re.search(r"[^@\s<>,;]+@[^@\s<>,;]+", str(value or ""))
        email = match.group(0).strip(".") if match else ""
        if EMAIL.match(email):
            return {"email": email}
        if intent_of(tracker) in ("dont_know", "deny", "affirm") or is_question(typed_text(tracker)):
            return await self._not_an_answer("email", dispatcher, tracker)
        dispatcher.utter_message(response="utter_invalid_email")
        return {"email": None}

    def validate_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> Dict[Text, Any]:
        return {"consent": value if isinstance(value, bool) else None}


class ActionFileHandoff(Action):
    """Files the case through the API (profile, levers with verdicts, transcript), gives a reference and the
    expected response time, and offers to add a note for the advisor."""

    def name(self) -> Text:
        return "action_file_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        forget = [SlotSet("consent", None), SlotSet("person_name", None), SlotSet("email", None)]
        if tracker.get_slot("consent") is not True:  # refused: nothing is stored, nothing is kept
            dispatcher.utter_message(response="utter_handoff_declined")
            return forget
        payload = {
            "conversation_id": tracker.sender_id,
            "name": tracker.get_slot("person_name"),
            "email": tracker.get_slot("email"),
            "consent": True,
            "lang": lang,
            "profile": profile_from_slots(tracker),
            "project_text": tracker.get_slot("project_text"),
            "levers": tracker.get_slot("recommended") or [],
            "transcript": transcript(tracker),
        }
        try:
            res = await get_client().handoff(payload)
        except ApiUnavailable as exc:
            log.warning("handoff: %s", exc)
            return api_down(dispatcher, tracker)
        return [SlotSet("consent", None), SlotSet("handoff_ref", res["reference"])] + ask_yes_no(
            dispatcher, "utter_handoff_done", NOTE, name=payload["name"], email=payload["email"],
            ref=res["reference"], days=settings().advisor_reply_days)


class ActionAddHandoffNote(Action):
    """Adds the founder's note to the case just filed, for the advisor."""

    def name(self) -> Text:
        return "action_add_handoff_note"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        note, ref = (tracker.get_slot("handoff_note") or "").strip(), tracker.get_slot("handoff_ref")
        done = [SlotSet("handoff_note", None)]
        if not note or not ref:
            return done
        try:
            await get_client().handoff_note(ref, tracker.sender_id, note)
        except ApiUnavailable as exc:
            log.warning("handoff note: %s", exc)
            return done + api_down(dispatcher, tracker)
        except ApiRejected:
            return done
        dispatcher.utter_message(response="utter_note_added", ref=ref)
        return done
