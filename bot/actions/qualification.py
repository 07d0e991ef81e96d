"""The qualification flow: pre-fill the profile from the founder's words, ask only what decides, recommend."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiUnavailable, get_client
from .common import PROFILE_SLOTS, UNKNOWN, first_message, free_texts, lang_of, last_free_text, profile_from_slots
from .formatting import card, card_buttons, cards_text, profile_summary, roadmap_text, t

log = logging.getLogger(__name__)

STAGES = {"idea", "research", "prototype", "validation", "marketed", "scaling"}
# Slots the form can ask about (each has an utter_ask_<slot> response), and how many questions at most
# beyond the need: the founder is asked only what decides the eligibility of the levers shown first.
ASKABLE = ("stage", "product_kind", "organisation_type", "medical_device")
MAX_QUESTIONS = 2
MAX_CARDS = 3
# Intents whose message is an attempt at answering the pending question; others (a question, a request
# for an advisor…) leave the form to the rules, which resume it afterwards.
ANSWERING = {"inform", "deny", "affirm", "describe_project", "nlu_fallback", "give_contact", "dont_know"}
# "I don't know" to the need means the founder wants to be oriented (the need question's own button).
DONT_KNOW_NEED = ["orientation"]


def _slot_value(slot: str, value: Any) -> Any:
    return str(value).lower() if isinstance(value, bool) else value


def profile_events(read: Dict[str, Any], tracker: Tracker, override: bool) -> List[EventType]:
    """SlotSet events for what the API read: corrections (override) win, otherwise only blanks are filled."""
    events: List[EventType] = []
    for slot in PROFILE_SLOTS:
        value = read.get(slot)
        if slot == "needs":
            known = tracker.get_slot("needs") or []
            merged = list(dict.fromkeys([*(value or []), *known]))
            if merged != known:
                events.append(SlotSet("needs", merged))
        elif value is not None and (override or tracker.get_slot(slot) in (None, UNKNOWN)):
            new = _slot_value(slot, value)
            if new != tracker.get_slot(slot):
                events.append(SlotSet(slot, new))
    return events


def _apply(tracker: Tracker, events: List[EventType]) -> Dict[str, Any]:
    """The profile as it will be once these SlotSet events are applied."""
    return profile_from_slots(_Overlay(tracker, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}))


class _Overlay:
    """A tracker seen with some slots replaced (for computing a profile before the events land)."""

    def __init__(self, tracker: Tracker, slots: Dict[str, Any]):
        self._tracker, self._slots = tracker, slots

    def get_slot(self, name: str) -> Any:
        return self._slots[name] if name in self._slots else self._tracker.get_slot(name)


def askable(slots: Optional[List[str]]) -> List[str]:
    """The slots among these that the form can ask, at most MAX_QUESTIONS of them."""
    return [s for s in slots or [] if s in ASKABLE][:MAX_QUESTIONS]


async def questions_to_ask(text: Optional[str], profile: Dict[str, Any], lang: str) -> List[str]:
    """The API's deciding unknown slots for this profile, restricted to what the form can ask."""
    res = await get_client().route(text or None, profile, lang)
    return askable(res.get("ask"))


def _same_profile(slots: Dict[str, Any], routed: Dict[str, Any]) -> bool:
    """Whether the profile from the slots is the one the API routed with (profile_from_slots' keys)."""
    return all(
        (list(slots.get(k) or []) == list(routed.get(k) or [])) if k == "needs" else slots.get(k) == routed.get(k)
        for k in slots
    )


class ActionPrefillProfile(Action):
    """Reads stage, product, needs… out of the founder's own words through the API's /route.

    What the latest message says overrides the slots (it may be a correction: "non, on a déjà le marquage
    CE"); the earlier messages only fill blanks. Then it asks the API which unknown slots would decide.
    """

    def name(self) -> Text:
        return "action_prefill_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        if first_message(tracker):  # a conversation opened with the project itself: no greeting said it
            dispatcher.utter_message(text=t("privacy", lang))
        latest = last_free_text(tracker) if not (tracker.latest_message.get("text") or "").startswith("/") else ""
        text = " ".join(free_texts(tracker)[-3:])[-2000:]
        events: List[EventType] = [SlotSet("project_text", text)] if text else []
        try:
            said: Dict[str, Any] = {}
            if latest:
                said = await get_client().route(latest, {}, lang)
                events += profile_events(said.get("profile", {}), tracker, override=True)
            profile = _apply(tracker, events)
            if said and text == latest and _same_profile(profile, said.get("profile") or {}):
                # Same words, same profile (typically the first message): the API's answer already says
                # which questions decide; asking it again would return the same.
                ask = askable(said.get("ask"))
            else:
                ask = await questions_to_ask(text, profile, lang)
        except ApiUnavailable as exc:
            log.warning("prefill: %s", exc)
            return events + [SlotSet("api_down", True)]
        return events + [SlotSet("to_ask", ask), SlotSet("api_down", False)]


class ValidateQualificationForm(FormValidationAction):
    """Asks the need, then at most two deciding slots; free-text answers are read through the API."""

    def name(self) -> Text:
        return "validate_qualification_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        to_ask = askable(tracker.get_slot("to_ask"))
        return ["needs", *to_ask]

    async def extract_needs(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(dispatcher, tracker, "needs")

    async def extract_stage(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(dispatcher, tracker, "stage")

    async def extract_product_kind(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(dispatcher, tracker, "product_kind")

    async def extract_organisation_type(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return await self._read(dispatcher, tracker, "organisation_type")

    async def extract_medical_device(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if tracker.get_slot("requested_slot") == "medical_device" and not tracker.get_slot("medical_device"):
            intent = (tracker.latest_message.get("intent") or {}).get("name")
            if intent in ("affirm", "deny"):
                return {"medical_device": "true" if intent == "affirm" else "false"}
            # dont_know is not a "no": _read sets it to UNKNOWN (and says the question is skipped)
        return await self._read(dispatcher, tracker, "medical_device")

    async def _read(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> Dict[Text, Any]:
        """Read the pending slot from a free-text answer; an answer that says nothing usable is 'unknown'."""
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot(slot) or not text or text.startswith("/") or tracker.get_slot("requested_slot") != slot:
            return {}
        if intent not in ANSWERING:
            return {}
        if intent == "dont_know":  # not asked again: the API gets it as unknown
            if slot == "needs":
                return {"needs": DONT_KNOW_NEED}
            dispatcher.utter_message(response="utter_skip_question")
            return {slot: UNKNOWN}
        try:
            res = await get_client().route(text, profile_from_slots(tracker), lang_of(tracker))
        except ApiUnavailable:
            return {}
        value = res.get("profile", {}).get(slot)
        if value in (None, []):
            if slot == "needs":
                return {}  # the need is what routing rests on: ask again (the buttons help)
            dispatcher.utter_message(response="utter_skip_question")
            return {slot: UNKNOWN}
        return {slot: _slot_value(slot, value)}

    async def validate_stage(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"stage": await _code_or_previous(tracker, "stage", value)}

    async def validate_product_kind(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"product_kind": await _code_or_previous(tracker, "product_kind", value)}

    async def validate_organisation_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return {"organisation_type": await _code_or_previous(tracker, "organisation_type", value)}

    def validate_medical_device(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        value = str(value).lower()
        return {"medical_device": value if value in ("true", "false", UNKNOWN) else None}

    async def validate_needs(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        """A new need changes which levers come first, hence which questions decide: ask the API again."""
        needs = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
        needs = list(dict.fromkeys(needs))
        if not needs:
            return {"needs": None}
        profile = {**profile_from_slots(tracker), "needs": needs}
        try:
            ask = await questions_to_ask(tracker.get_slot("project_text"), profile, lang_of(tracker))
        except ApiUnavailable:
            return {"needs": needs}
        return {"needs": needs, "to_ask": ask}


VOCABULARY = {"stage": "stages", "product_kind": "product_kinds", "organisation_type": "organisation_types"}


async def _code_or_previous(tracker: Tracker, slot: str, value: Any) -> Any:
    """A value NLU read that is not a vocabulary code (a span such as "prototype de") gives way to the
    slot's last valid value, so a sloppy entity never overwrites what the API read."""
    try:
        codes = (await get_client().codes()).get(VOCABULARY[slot], set())
    except ApiUnavailable:
        codes = STAGES if slot == "stage" else set()
    valid = codes | {UNKNOWN}
    if value in valid or not codes:
        return value
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == slot and event.get("value") in valid:
            return event["value"]
    return None


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


class ActionRoadmap(Action):
    """The roadmap to take away: the recommended levers in order with verdicts, steps, dates and sources.

    The chat gets a compact version (each lever and its first step); the whole Markdown document (criteria
    verdicts, dated figures, sources) travels as a custom payload the widget offers as a download.
    """

    def name(self) -> Text:
        return "action_roadmap"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        text = tracker.get_slot("project_text") or None
        profile = profile_from_slots(tracker)
        try:
            routed = await get_client().route(text, profile, lang)
            markdown = await get_client().roadmap(text, profile, lang)
        except ApiUnavailable as exc:
            log.warning("roadmap: %s", exc)
            dispatcher.utter_message(text=t("api_down", lang))
            return [SlotSet("api_down", True)]
        cards = [card(lv, lang) for lv in routed.get("levers", [])[:MAX_CARDS]]
        dispatcher.utter_message(
            text=roadmap_text(cards, lang),
            buttons=[{"title": t("advisor", lang), "payload": "/request_advisor"}],
            json_message={"type": "roadmap", "lang": lang, "markdown": markdown, "filename": t("roadmap_file", lang)},
        )
        return [SlotSet("api_down", False)]


class ActionResetProfile(Action):
    """Forgets the profile for a fresh start."""

    def name(self) -> Text:
        return "action_reset_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slots = [*PROFILE_SLOTS, "project_text", "recommended", "profile_confirmed", "lever", "to_ask"]
        return [SlotSet(s, None) for s in slots]
