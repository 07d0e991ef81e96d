"""Free questions, lever details and clarification when the bot is unsure."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiUnavailable, get_client
from .common import first_message, lang_of, last_free_text
from .formatting import INTENT_LABELS, answer_text, t

log = logging.getLogger(__name__)


class ActionAnswerQuestion(Action):
    """Answers a free question through /ask, with its numbered sources; never invents a figure."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        question = last_free_text(tracker)
        if first_message(tracker):  # a conversation opened with a question: no greeting said it
            dispatcher.utter_message(text=t("privacy", lang))
        try:
            res = await get_client().ask(question, lang)
        except ApiUnavailable as exc:
            log.warning("ask: %s", exc)
            dispatcher.utter_message(text=t("api_down", lang))
            return [SlotSet("api_down", True)]
        if not res.get("in_scope", True):
            dispatcher.utter_message(text=t("out_of_scope", lang), buttons=[{"title": t("advisor", lang), "payload": "/request_advisor"}])
            return [SlotSet("api_down", False)]
        text, sources = answer_text(res, lang)
        body = text + ("\n\n" + t("sources", lang) + " :\n" if lang == "fr" else "\n\n" + t("sources", lang) + ":\n") + "\n".join(sources) if sources else text
        dispatcher.utter_message(text=body, json_message={"type": "answer", "lang": lang, **res})
        return [SlotSet("api_down", False)]


class ActionExplainLever(Action):
    """Details of one lever: summary, dated amounts, next steps and sources."""

    def name(self) -> Text:
        return "action_explain_lever"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        lever_id = tracker.get_slot("lever")
        if not lever_id:
            return await ActionAnswerQuestion().run(dispatcher, tracker, domain)
        try:
            lever = await get_client().lever(lever_id)
        except ApiUnavailable as exc:
            log.warning("lever %s: %s", lever_id, exc)
            dispatcher.utter_message(text=t("api_down", lang))
            return [SlotSet("api_down", True)]
        dispatcher.utter_message(text=lever_text(lever, lang), json_message={"type": "lever", "lang": lang, "lever": lever})
        return [SlotSet("api_down", False)]


def lever_text(lever: Dict[str, Any], lang: str) -> str:
    lines = [f"{lever['name'][lang]}", lever["summary"][lang]]
    for a in lever.get("amounts", []):
        lines.append(f"• {a['label'][lang]} ({t('as_of', lang, date=a['as_of'])})")
    steps = lever.get("next_steps", {}).get(lang, [])
    if steps:
        lines.append(f"{t('next', lang)} : {steps[0]}" if lang == "fr" else f"{t('next', lang)}: {steps[0]}")
    return "\n".join(lines)


class ActionClarify(Action):
    """When NLU is unsure: offer the two or three likeliest meanings as buttons."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        lang = lang_of(tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        options = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS][:3]
        if not options:
            options = ["describe_project", "ask_question", "request_advisor"]
        buttons = [{"title": INTENT_LABELS[o][lang], "payload": f"/{o}"} for o in options]
        dispatcher.utter_message(text=t("clarify", lang), buttons=buttons)
        return []
