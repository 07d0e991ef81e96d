"""The qualification flow: pre-fill the profile from the first message, ask what is missing, recommend."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiUnavailable, get_client
from .common import PROFILE_SLOTS, free_texts, lang_of, profile_from_slots
from .formatting import card, card_buttons, cards_text, profile_summary, t

log = logging.getLogger(__name__)

STAGES = {"idea", "research", "prototype", "validation", "marketed", "scaling"}
MAX_CARDS = 3


def _profile_events(found: Dict[str, Any], tracker: Tracker) -> List[EventType]:
    """SlotSet events for what the API read and the slots do not know yet."""
    events: List[EventType] = []
    for slot in PROFILE_SLOTS:
        value = found.get(slot)
        if slot == "needs":
            known = tracker.get_slot("needs") or []
            merged = list(dict.fromkeys([*known, *(value or [])]))
            if merged != known:
                events.append(SlotSet("needs", merged))
        elif value is not None and tracker.get_slot(slot) is None:
            events.append(SlotSet(slot, str(value).lower() if isinstance(value, bool) else value))
    return events


class ActionPrefillProfile(Action):
    """Reads stage, product, needs… out of the founder's own words through the API's /route."""

    def name(self) -> Text:
        return "action_prefill_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = " ".join(free_texts(tracker)[-3:])
        events: List[EventType] = [SlotSet("project_text", text[-2000:])]
        if not text:
            return events
        try:
            res = await get_client().route(text, profile_from_slots(tracker), lang_of(tracker))
        except ApiUnavailable as exc:
            log.warning("prefill: %s", exc)
            return events + [SlotSet("api_down", True)]
        return events + _profile_events(res.get("profile", {}), tracker) + [SlotSet("api_down", False)]


class ValidateQualificationForm(FormValidationAction):
    """Keeps only known codes; free-text answers are read through the API when NLU found nothing."""

    def name(self) -> Text:
        return "validate_qualification_form"

    async def extract_needs(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(tracker, "needs")

    async def extract_stage(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(tracker, "stage")

    async def extract_product_kind(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(tracker, "product_kind")

    async def _read(self, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        """Ask the API to read the latest free-text answer when the slot is still empty."""
        text = tracker.latest_message.get("text") or ""
        if tracker.get_slot(slot) or not text or text.startswith("/") or tracker.get_slot("requested_slot") != slot:
            return {}
        try:
            res = await get_client().route(text, profile_from_slots(tracker), lang_of(tracker))
        except ApiUnavailable:
            return {}
        value = res.get("profile", {}).get(slot)
        return {slot: value} if value else {}

    def validate_stage(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"stage": value if value in STAGES else None}

    def validate_needs(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        needs = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
        return {"needs": list(dict.fromkeys(needs)) or None}


class ActionConfirmProfile(Action):
    """Says back the profile in one line and asks the founder to confirm or correct it."""

    def name(self) -> Text:
        return "action_confirm_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        try:
            labels = await get_client().labels(lang)
        except ApiUnavailable:
            labels = {}
        summary = profile_summary(profile_from_slots(tracker), labels, lang)
        dispatcher.utter_message(
            text=t("confirm", lang, summary=summary),
            buttons=[{"title": t("yes", lang), "payload": "/affirm"}, {"title": t("fix", lang), "payload": "/deny"}],
        )
        return [SlotSet("profile_confirmed", None)]


class ActionRecommend(Action):
    """Calls /route with the profile and the founder's words, and shows the top levers as cards."""

    def name(self) -> Text:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        text = tracker.get_slot("project_text") or " ".join(free_texts(tracker)[-3:])
        try:
            res = await get_client().route(text or None, profile_from_slots(tracker), lang)
        except ApiUnavailable as exc:
            log.warning("recommend: %s", exc)
            dispatcher.utter_message(text=t("api_down", lang))
            return [SlotSet("api_down", True)]
        levers = res.get("levers", [])[:MAX_CARDS]
        if not levers:
            dispatcher.utter_message(text=t("no_lever", lang), buttons=[{"title": t("advisor", lang), "payload": "/request_advisor"}])
            return [SlotSet("recommended", []), SlotSet("profile_confirmed", True), SlotSet("api_down", False)]
        cards = [card(lv, lang) for lv in levers]
        dispatcher.utter_message(
            text=cards_text(cards, lang),
            buttons=card_buttons(cards, lang),
            json_message={"type": "lever_cards", "lang": lang, "levers": cards},
        )
        return [SlotSet("recommended", [c["id"] for c in cards]), SlotSet("profile_confirmed", True), SlotSet("api_down", False)]


class ActionResetProfile(Action):
    """Forgets the profile for a fresh start."""

    def name(self) -> Text:
        return "action_reset_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = [*PROFILE_SLOTS, "project_text", "recommended", "profile_confirmed", "lever"]
        return [SlotSet(s, None) for s in slots]
