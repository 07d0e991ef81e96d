"""Hand-off to a human advisor: name, a valid e-mail, explicit consent, then a structured case; afterwards
the founder may add a note for the advisor."""

from __future__ import annotations

import logging
import re
from typing import Any

from guichet_contract import name_problem, tidy_name, unsafe_character
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiRejected, ApiUnavailable, get_client
from .common import NOTE, intent_of, is_question, is_withdrawal, lang_of, profile_from_slots, typed_text
from .filed import amend_filed
from .knowledge import answer
from .replies import api_down, ask_yes_no
from .settings import settings

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_ADDRESS = re.compile(r"[^@\s<>,;]+@[^@\s<>,;]+")  # an address inside a sentence ("c'est marie@exemple.fr.")
STOP = {"requested_slot": None}  # ends the form: with no consent, action_file_handoff stores nothing
# Typed name and address live only in the hand-off record: every exit of the form clears them (and the tracker
# store keeps redacted events only, bot/redaction.py).
FORGET = {"consent": None, "person_name": None, "email": None}


class ValidateHandoffForm(FormValidationAction):
    """A "no" at any step withdraws the request; "je ne sais pas", a yes or a question is no name or
    address (a question is answered, then asked again)."""

    def name(self) -> str:
        return "validate_handoff_form"

    async def _not_an_answer(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        intent, text = intent_of(tracker), typed_text(tracker)
        if intent == "deny" or is_withdrawal(text):
            return {slot: None, "consent": False, **STOP}
        if is_question(text) and intent != "give_contact":
            await answer(dispatcher, tracker, text)
        return {slot: None}

    async def validate_person_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        text = typed_text(tracker)
        if intent_of(tracker) in ("dont_know", "deny", "affirm") or is_question(text) or is_withdrawal(text):
            return await self._not_an_answer("person_name", dispatcher, tracker)
        if _a_sentence(tracker):  # "donne moi une recette de crêpes": answered (off-topic here), no name
            await answer(dispatcher, tracker, text)
            return {"person_name": None}
        # Blank, control or bidi characters, no letter: said, then asked again. The typed text is checked too: an
        # NLU entity may have taken only the letters of it.
        if name_problem(value) or unsafe_character(text, allow_whitespace=True):
            dispatcher.utter_message(response="utter_invalid_name")
            return {"person_name": None}
        return {"person_name": tidy_name(value)}

    async def extract_email(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> dict[str, Any]:
        """An address typed at the consent question ("ah non pardon, c'est julie@medtech.fr") corrects the one
        given: validated as any address, then the consent is asked again, naming it."""
        if tracker.get_slot("requested_slot") != "consent":
            return {}
        found = _address(typed_text(tracker))
        return {"email": found} if found else {}

    async def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        email = _address(str(value or ""))
        if _valid(email):
            return {"email": email}
        text = typed_text(tracker)
        if intent_of(tracker) in ("dont_know", "deny", "affirm") or is_question(text) or is_withdrawal(text):
            return await self._not_an_answer("email", dispatcher, tracker)
        dispatcher.utter_message(response="utter_invalid_email")
        return {"email": None}

    async def extract_consent(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """A refusal put in words the NLU reads as no "no" ("finalement non, annulez") is a refusal: the request
        is not recorded, rather than asked again after an answer to a question nobody asked."""
        if tracker.get_slot("requested_slot") != "consent" or intent_of(tracker) in ("affirm", "deny"):
            return {}
        return {"consent": False} if is_withdrawal(typed_text(tracker)) else {}

    def validate_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        # An address typed at this question corrects the address ("ah non pardon, c'est …"): no yes, no refusal.
        if _address(typed_text(tracker)):
            return {"consent": None}
        return {"consent": value if isinstance(value, bool) else None}


# A name is a few words: a longer message the NLU reads neither as contact details nor as a name is something
# else said at the name question ("donne moi une recette de crêpes", "on développe une appli de suivi").
NAME_WORDS = 4
CONTACT_INTENTS = ("give_contact", "inform")


def _a_sentence(tracker: Tracker) -> bool:
    named = any(e.get("entity") == "person_name" for e in tracker.latest_message.get("entities") or [])
    return (not named and intent_of(tracker) not in CONTACT_INTENTS
            and len(typed_text(tracker).split()) >= NAME_WORDS)


def _valid(email: str) -> bool:
    """An address the form accepts: well formed, without control or bidi characters."""
    return bool(EMAIL.match(email)) and not unsafe_character(email)


def _address(text: str) -> str:
    """The e-mail address a text holds, without a sentence's final dot; "" when none."""
    match = _ADDRESS.search(text)
    return match.group(0).strip(".") if match else ""


class ActionFileHandoff(Action):
    """Files the case through the API (profile, levers with verdicts; the API reads the transcript itself), gives
    a reference and the expected response time, and offers to add a note for the advisor. Whatever happens, the
    name and address leave the slots: the hand-off record is their only home."""

    def name(self) -> str:
        return "action_file_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        forget = [SlotSet(slot, value) for slot, value in FORGET.items()]
        if tracker.get_slot("consent") is not True:  # refused: nothing is stored, nothing is kept
            dispatcher.utter_message(response="utter_handoff_declined")
            return forget
        payload = {
            "conversation_id": tracker.sender_id,
            "name": tracker.get_slot("person_name"),
            "email": tracker.get_slot("email"),
            "consent": True,
            "lang": lang_of(tracker),
            "profile": profile_from_slots(tracker),
            "project_text": tracker.get_slot("project_text"),
            "levers": tracker.get_slot("recommended") or [],
        }
        try:
            res = await get_client().handoff(payload)
        except ApiUnavailable as exc:
            log.warning("handoff: %s", exc)
            return forget + api_down(dispatcher, tracker)
        except ApiRejected:  # the conversation filed its most hand-offs (or is not at the consent question)
            dispatcher.utter_message(response="utter_handoff_refused")
            return forget
        return forget + [SlotSet("handoff_ref", res["reference"])] + ask_yes_no(
            dispatcher, "utter_handoff_done", NOTE, name=payload["name"], email=payload["email"],
            ref=res["reference"], days=settings().advisor_reply_days)


class ActionAddHandoffNote(Action):
    """Adds the founder's note to the case just filed, for the advisor."""

    def name(self) -> str:
        return "action_add_handoff_note"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
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


class ActionAmendHandoff(Action):
    """Contact details given once a request is filed correct the request: an address ("je me suis trompée
    d'email, c'est …"), else a name the NLU found ("je me suis trompé de nom, c'est Julien Moreno"); anything else
    is told how to correct or withdraw it."""

    def name(self) -> str:
        return "action_amend_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = typed_text(tracker)
        email = _address(text)
        if _valid(email):
            return await amend_filed(dispatcher, tracker, "email", email)
        if email:  # an address, but not a valid one: said, the request unchanged
            dispatcher.utter_message(response="utter_invalid_email")
            return []
        name = next((str(e.get("value")) for e in tracker.latest_message.get("entities") or []
                     if e.get("entity") == "person_name" and e.get("value")), "")
        if name and not name_problem(name) and not unsafe_character(text, allow_whitespace=True):
            return await amend_filed(dispatcher, tracker, "person_name", tidy_name(name))
        dispatcher.utter_message(response="utter_handoff_amend_how", ref=tracker.get_slot("handoff_ref"))
        return []
