"""Replies every action may need: the privacy notice said once, the outage message, yes/no questions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .common import NOTHING, holds_patient_identity, lang_of
from .formatting import t


def privacy_once(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The privacy notice, on the first reply of a conversation whatever it answers; never again."""
    if tracker.get_slot("privacy_said"):
        return []
    dispatcher.utter_message(text=t("privacy", lang_of(tracker)))
    return [SlotSet("privacy_said", True)]


def patient_data_warning(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> bool:
    """A message holding a patient's identity is not used: said so (what is kept, how to have it erased)."""
    if not holds_patient_identity(text):
        return False
    dispatcher.utter_message(text=t("patient_data", lang_of(tracker)))
    return True


def api_down(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The API cannot be reached: said plainly; nothing of the failed call is kept in the conversation."""
    dispatcher.utter_message(text=t("api_down", lang_of(tracker)))
    return [SlotSet("yes_no", NOTHING)]


def ask_yes_no(dispatcher: CollectingDispatcher, response: str, about: str, **kwargs: Any) -> list[EventType]:
    """Ask a yes/no question (a response with Oui/Non buttons whose payloads are /affirm and /deny) and
    remember what a typed yes or no will answer."""
    dispatcher.utter_message(response=response, **kwargs)
    return [SlotSet("yes_no", about)]
