"""Reading the founder's project: each message is read once, through the API's /route, for everything it
says (a first description, an answer to the form's question, a correction); a question is answered."""

from __future__ import annotations

import logging
from typing import Any

from guichet_contract import CODES, LIMITS, UNKNOWN
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import profile as prof
from .client import ApiUnavailable, get_client
from .common import (
    FRESH_START,
    NOTHING,
    PROFILE,
    intent_of,
    is_another_project,
    lang_of,
    last_free_text,
    profile_from_slots,
    split_question,
    typed_text,
)
from .knowledge import answer
from .replies import api_down, patient_data_warning, privacy_once

log = logging.getLogger(__name__)

# Slots the form can ask about (each has an utter_ask_<slot> response), and how many questions at most
# beyond the need: the founder is asked only what decides the eligibility of the levers shown first.
ASKABLE = ("stage", "product_kind", "organisation_type", "medical_device")
MAX_QUESTIONS = 2
# Intents whose message is an attempt at answering the pending question; others (a question, a request
# for an advisor…) leave the form to the rules, which resume it afterwards.
ANSWERING = {"inform", "deny", "affirm", "describe_project", "nlu_fallback", "give_contact", "dont_know"}
# "I don't know" to the need means the founder wants to be oriented (the need question's own button).
DONT_KNOW_NEED = ["orientation"]


def askable(slots: list[str] | None) -> list[str]:
    """The slots among these that the form can ask, at most MAX_QUESTIONS of them."""
    return [s for s in slots or [] if s in ASKABLE][:MAX_QUESTIONS]


class _Overlay:
    """A tracker seen with some slots replaced (a profile computed before the events land)."""

    def __init__(self, tracker: Tracker, events: list[EventType]):
        self._tracker = tracker
        self._slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}

    def get_slot(self, name: str) -> Any:
        return self._slots[name] if name in self._slots else self._tracker.get_slot(name)

    def __getattr__(self, name: str) -> Any:  # anything else: the tracker's own (events, latest message, loop)
        return getattr(self._tracker, name)


def _slot_events(changed: dict[str, Any]) -> list[EventType]:
    return [SlotSet(slot, prof.slot_value(slot, value)) for slot, value in changed.items()]


def _project_text(tracker: Tracker, text: str) -> str:
    """The founder's project in their own words: the messages that described it, the latest last."""
    return " ".join(filter(None, [tracker.get_slot("project_text"), text]))[-LIMITS.PROJECT_TEXT:]


async def _questions(text: str | None, profile: dict[str, Any], lang: str) -> list[str]:
    """The API's deciding unknown slots for this profile, restricted to what the form can ask."""
    return askable((await get_client().route(text or None, profile, lang)).get("ask"))


async def _noted(dispatcher: CollectingDispatcher, changed: dict[str, Any], lang: str) -> None:
    """Say back what a message changed in a profile already known ("Noté : marquage CE : obtenu.")."""
    labels = await get_client().labels(lang)
    dispatcher.utter_message(response="utter_noted", changes=prof.summary(changed, labels, lang, list(changed)))


# What a message read outside the form leads to (see `outcome`).
READ, ANSWER, WHICH_CORRECTION, CONFIRM_AGAIN = "read", "answer", "which correction", "confirm again"


def outcome(changed: dict[str, Any], *, question: bool, in_scope: bool, known: bool, pending: str | None,
            intent: str | None) -> str:
    """A message whose statements change the profile is read (its question, if any, answered first). One
    that changes nothing is answered as a question if it asks one, or if the API finds it off the field
    before any project is known; at the profile's confirmation, a bare "no" asks what to correct and anything
    else asks the confirmation again; otherwise the form asks what it still needs."""
    if changed:
        return READ
    if question or not (in_scope or known):
        return ANSWER
    if pending == PROFILE:
        return WHICH_CORRECTION if intent == "deny" else CONFIRM_AGAIN
    return READ


class ActionPrefillProfile(Action):
    """Reads a description, a detail or a correction given outside the form (see `outcome`), then lets the
    form ask what still decides; a message answered as a question resumes the conversation where it was."""

    def name(self) -> str:
        return "action_prefill_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        lang, text, intent = lang_of(tracker), typed_text(tracker), intent_of(tracker)
        if patient_data_warning(dispatcher, tracker, text):
            return events + [FollowupAction("action_listen")]
        chosen = not text and (tracker.latest_message.get("text") or "").strip() == f"/{intent}"
        if chosen:  # a meaning chosen for the previous message (action_clarify's buttons, knowledge.chosen_meaning)
            text = last_free_text(tracker)
        pending, current = tracker.get_slot("yes_no"), profile_from_slots(tracker)
        # A message chosen as a description is read whole ("vous pouvez m'aider à trouver un financement ?").
        stated, question = (text, "") if chosen else split_question(text)
        if stated and is_another_project(stated) and prof.is_known(current):
            # "on recommence, j'ai un autre projet : …": the previous project is forgotten, this one read afresh
            events += [SlotSet(slot, None) for slot in FRESH_START]
            tracker = _Overlay(tracker, [SlotSet(slot, None) for slot in FRESH_START])  # type: ignore[assignment]
            pending, current = None, profile_from_slots(tracker)
        resume = "action_confirm_profile" if pending == PROFILE else "action_listen"
        try:
            said: dict[str, Any] = (await get_client().route(stated, {}, lang) if stated
                                    else {"profile": {}, "in_scope": not text})
            changed = prof.changes(said.get("profile") or {}, current, dont_know=intent == "dont_know",
                                   unwanted=said.get("unwanted"))
            step = outcome(changed, question=bool(question), in_scope=bool(said.get("in_scope")),
                           known=prof.is_known(current), pending=pending, intent=intent)
            if step == WHICH_CORRECTION:
                dispatcher.utter_message(response="utter_which_correction")
                return events + [SlotSet("yes_no", NOTHING), FollowupAction("action_listen")]
            if step == CONFIRM_AGAIN:
                return events + [FollowupAction("action_confirm_profile")]
            if question or step == ANSWER:  # off the field before any project: answered too (outcome)
                events += await answer(dispatcher, tracker, text)
            if step == ANSWER:
                return events + [FollowupAction(resume)]
            if changed and prof.is_known(current):
                await _noted(dispatcher, changed, lang)
            profile = {**current, **changed}
            project_text = _project_text(tracker, stated) if (changed or not prof.is_known(current)) else None
            same = said.get("profile") == profile and project_text == stated  # typically the first message
            ask = askable(said.get("ask")) if same else await _questions(
                project_text or tracker.get_slot("project_text"), profile, lang)
        except ApiUnavailable as exc:
            log.warning("prefill: %s", exc)
            return events + api_down(dispatcher, tracker) + [FollowupAction("action_listen")]
        if project_text:
            events.append(SlotSet("project_text", project_text))
        return events + _slot_events(changed) + [SlotSet("to_ask", ask)]


class ValidateQualificationForm(FormValidationAction):
    """Asks the need, then at most two deciding slots. A typed answer is read like any message (a
    correction given instead is taken and the question asked again); a question is answered and the
    question asked again; "je ne sais pas" leaves the slot unknown, and a founder who could not answer
    one question is not asked another."""

    def name(self) -> str:
        return "validate_qualification_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        events: list[EventType] = []
        if requested and intent_of(tracker) in ANSWERING:
            try:
                events = await self._read(dispatcher, tracker, requested)
            except ApiUnavailable as exc:
                log.warning("form: %s", exc)
                events = api_down(dispatcher, tracker)
            events.append(SlotSet("to_ask", _Overlay(tracker, events).get_slot("to_ask")))
        if requested and not typed_text(tracker):
            events += await self._checked_buttons(tracker)
        view = _Overlay(tracker, events)
        return events + [SlotSet("requested_slot", self.next_slot(view))]

    @staticmethod
    def next_slot(view: Any) -> str | None:
        """The need first, then the deciding slots; none after a question the founder could not answer."""
        to_ask = askable(view.get_slot("to_ask"))
        if any(view.get_slot(s) == UNKNOWN for s in to_ask):
            to_ask = []
        return next((s for s in ["needs", *to_ask] if not view.get_slot(s)), None)

    async def _read(self, dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> list[EventType]:
        text, intent, lang = typed_text(tracker), intent_of(tracker), lang_of(tracker)
        if not text:  # a button: its value comes through the slot mappings (_checked_buttons)
            return []
        if patient_data_warning(dispatcher, tracker, text):  # not read: the pending question is asked again
            return []
        if intent == "dont_know":
            if slot == "needs":
                return _slot_events({"needs": DONT_KNOW_NEED}) + [await _to_ask(tracker, {"needs": DONT_KNOW_NEED})]
            dispatcher.utter_message(response="utter_skip_question")
            return [SlotSet(slot, UNKNOWN)]
        stated, question = split_question(text)
        events = await answer(dispatcher, tracker, text) if question else []
        if not stated:  # a question only: answered, and the pending question is asked again
            return events
        # The profile before this message: the pending slot was empty (a slot mapping may have put the NLU's
        # entity there since: a candidate, taken below only if the API read nothing for that slot).
        current = {**profile_from_slots(tracker), slot: [] if slot == "needs" else None}
        said = await get_client().route(stated, {}, lang)
        changed = prof.changes(said.get("profile") or {}, current, dont_know=False, unwanted=said.get("unwanted"))
        described = bool(changed)  # the words said something of the project ("oui" alone does not): kept
        if slot not in changed:
            candidate = _valid(slot, tracker.slots_to_validate().get(slot))
            if candidate is not None:
                changed[slot] = candidate
            elif slot == "medical_device" and intent in ("affirm", "deny"):
                changed[slot] = intent == "affirm"
        others = {k: v for k, v in changed.items() if k != slot}
        if others:
            await _noted(dispatcher, others, lang)
        events += _slot_events(changed)
        if described:  # a yes/no or an entity read for the pending slot leaves the description as it was
            events.append(SlotSet("project_text", _project_text(tracker, stated)))
        if not changed and slot != "needs" and not question:  # nothing usable: the question is skipped
            dispatcher.utter_message(response="utter_skip_question")
            events.append(SlotSet(slot, UNKNOWN))
        if "needs" in changed:
            events.append(await _to_ask(tracker, changed))
        return events

    async def _checked_buttons(self, tracker: Tracker) -> list[EventType]:
        """Values the slot mappings took from a button this turn, kept only if they are codes of the
        contract; anything else gives way to the slot's previous value."""
        events: list[EventType] = []
        for slot, value in tracker.slots_to_validate().items():
            if slot not in ASKABLE and slot != "needs":
                continue
            valid = _valid(slot, value)
            if slot == "needs" and valid:
                events += _slot_events({"needs": valid}) + [await _to_ask(tracker, {"needs": valid})]
            elif valid is None and value != UNKNOWN:
                events.append(SlotSet(slot, _previous(tracker, slot)))
        return events


def _valid(slot: str, value: Any) -> Any:
    """A slot mapping's candidate as an API value if it is one of the contract's (else None)."""
    if slot == "needs":
        needs = [v for v in (value if isinstance(value, list) else [value]) if v in CODES["needs"]]
        return list(dict.fromkeys(needs)) or None
    if slot == "medical_device":
        return {"true": True, "false": False}.get(str(value).lower())
    return value if value in CODES.get(slot, ()) else None


async def _to_ask(tracker: Tracker, changed: dict[str, Any]) -> EventType:
    """A new need changes which levers come first, hence which questions decide: ask the API again."""
    profile = {**profile_from_slots(tracker), **changed}
    return SlotSet("to_ask", await _questions(tracker.get_slot("project_text"), profile, lang_of(tracker)))


def _previous(tracker: Tracker, slot: str) -> Any:
    """The slot's last valid value before a candidate that is not one."""
    for event in reversed(tracker.events):
        if event.get("event") == "slot" and event.get("name") == slot and (
                event.get("value") == UNKNOWN or _valid(slot, event.get("value")) is not None):
            return event["value"]
    return None
