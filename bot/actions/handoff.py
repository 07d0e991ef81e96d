"""Hand-off to a human advisor: name, a valid e-mail, explicit consent, then a structured case."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiUnavailable, get_client
from .common import lang_of, profile_from_slots, transcript
from .formatting import t

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _intent(tracker: Tracker) -> Any:
    return (tracker.latest_message.get("intent") or {}).get("name")


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    def validate_person_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _intent(tracker) == "dont_know":  # "je ne sais pas" is no name (the rule has said what is needed)
            return {"person_name": None}
        name = " ".join(str(value or "").split())
        return {"person_name": name if 2 <= len(name) <= 100 and not name.startswith("/") else None}

    def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if _intent(tracker) == "dont_know":
            return {"email": None}
        match = re.search(r"[^@\s<>,;]+@[^@\s<>,;]+", str(value or ""))
        email = match.group(0).strip(".") if match else ""
        if not EMAIL.match(email):
            dispatcher.utter_message(response="utter_invalid_email")
            return {"email": None}
        return {"email": email}

    def validate_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"consent": value if isinstance(value, bool) else None}


class ActionFileHandoff(Action):
    """Files the case through the API (profile, levers with verdicts, transcript) and gives a reference."""

    def name(self) -> Text:
        return "action_file_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        if tracker.get_slot("consent") is not True:  # refused: nothing is stored, nothing is kept
            dispatcher.utter_message(response="utter_handoff_declined")
            return [SlotSet("consent", None), SlotSet("person_name", None), SlotSet("email", None)]
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
            dispatcher.utter_message(text=t("api_down", lang))
            return [SlotSet("api_down", True)]
        dispatcher.utter_message(text=t("handoff_done", lang, name=payload["name"], email=payload["email"], ref=res["reference"]))
        return [SlotSet("consent", None), SlotSet("api_down", False)]
