"""Closing a round of qualification: the profile said back (and confirmed, or shown with the levers), the
lever cards, the roadmap to take away, a fresh start."""

from __future__ import annotations

import logging

from guichet_contract import PayloadType
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import profile as prof
from .client import ApiUnavailable, get_client
from .common import (
    ADVISOR,
    FRESH_START,
    NOTHING,
    PROFILE,
    asked_since_reading,
    intent_of,
    is_question,
    lang_of,
    profile_from_slots,
    typed_text,
)
from .formatting import card, card_buttons, cards_text, roadmap_text, t
from .knowledge import answer
from .replies import api_down, ask_yes_no, privacy_once

log = logging.getLogger(__name__)
MAX_CARDS = 3


async def recommend(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The top levers for the profile and the founder's words, as cards with their buttons."""
    lang = lang_of(tracker)
    try:
        res = await get_client().route(tracker.get_slot("project_text") or None, profile_from_slots(tracker), lang)
    except ApiUnavailable as exc:
        log.warning("recommend: %s", exc)
        return api_down(dispatcher, tracker)
    levers = res.get("levers", [])[:MAX_CARDS]
    confirmed = [SlotSet("profile_confirmed", True)]
    if not levers:
        none = [SlotSet("recommended", []), SlotSet("focus", []), SlotSet("topic", None)]
        return confirmed + none + ask_yes_no(dispatcher, "utter_no_lever", ADVISOR)
    cards = [card(lv, lang) for lv in levers]
    dispatcher.utter_message(
        text=cards_text(cards, lang),
        buttons=card_buttons(cards, lang),
        json_message={"type": PayloadType.LEVER_CARDS.value, "lang": lang, "levers": cards},
    )
    shown = [c["id"] for c in cards]
    return confirmed + [SlotSet("recommended", shown), SlotSet("focus", shown), SlotSet("topic", None),
                        SlotSet("yes_no", NOTHING)]


class ActionConfirmProfile(Action):
    """Says the profile back. The first time, as a question (a typed or clicked yes shows the levers);
    after the form asked questions, or once the levers were shown (a correction), with the levers at once;
    when the profile has not changed since it was said (after a question, an aside, a don't-know), only
    the question again, short: the summary is never the reply to a question."""

    def name(self) -> str:
        return "action_confirm_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = lang_of(tracker)
        try:
            labels = await get_client().labels(lang)
        except ApiUnavailable as exc:
            log.warning("labels: %s", exc)
            return api_down(dispatcher, tracker)
        summary = prof.summary(profile_from_slots(tracker), labels, lang)
        shown = [SlotSet("summary_shown", summary)]
        if tracker.get_slot("yes_no") == PROFILE and summary == tracker.get_slot("summary_shown"):
            # "je sais pas si c'est un DM, comment savoir ?": the question is answered before the confirmation
            text = typed_text(tracker)
            asked = await answer(dispatcher, tracker, text) if intent_of(tracker) == "dont_know" and is_question(
                text) else []
            return asked + ask_yes_no(dispatcher, "utter_confirm_again", PROFILE)
        if asked_since_reading(tracker) or tracker.get_slot("profile_confirmed"):
            dispatcher.utter_message(response="utter_profile_line", summary=summary)
            return shown + await recommend(dispatcher, tracker)
        return shown + ask_yes_no(dispatcher, "utter_confirm_profile", PROFILE, summary=summary)


class ActionRecommend(Action):
    """The levers for the confirmed profile."""

    def name(self) -> str:
        return "action_recommend"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return privacy_once(dispatcher, tracker) + await recommend(dispatcher, tracker)


class ActionRoadmap(Action):
    """The roadmap to take away: the recommended levers in order with verdicts, steps, dates and sources.

    The chat gets a compact version (each lever and its first step); the whole Markdown document (criteria
    verdicts, dated figures, sources) travels as a custom payload the widget offers as a download.
    """

    def name(self) -> str:
        return "action_roadmap"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        lang = lang_of(tracker)
        text = tracker.get_slot("project_text") or None
        profile = profile_from_slots(tracker)
        try:
            routed = await get_client().route(text, profile, lang)
            markdown = await get_client().roadmap(text, profile, lang)
        except ApiUnavailable as exc:
            log.warning("roadmap: %s", exc)
            return events + api_down(dispatcher, tracker)
        cards = [card(lv, lang) for lv in routed.get("levers", [])[:MAX_CARDS]]
        dispatcher.utter_message(
            text=roadmap_text(cards, lang),
            buttons=[{"title": t("advisor", lang), "payload": "/request_advisor"}],
            json_message={"type": PayloadType.ROADMAP.value, "lang": lang, "markdown": markdown,
                          "filename": t("roadmap_file", lang)},
        )
        return events


class ActionResetProfile(Action):
    """Forgets the profile for a fresh start."""

    def name(self) -> str:
        return "action_reset_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        return [SlotSet(s, None) for s in FRESH_START] + [SlotSet("yes_no", NOTHING)]
