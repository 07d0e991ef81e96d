"""Free questions, lever details, the greeting and clarification: every message the bot can read as a
question is answered, through the API's /ask when nothing more specific applies."""

from __future__ import annotations

import logging
from typing import Any

from guichet_contract import PayloadType
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from .client import ApiRejected, ApiUnavailable, get_client
from .common import ADVISOR, is_question, lang_of, last_free_text
from .formatting import INTENT_LABELS, answer_text, t
from .replies import api_down, ask_yes_no, patient_data_warning, privacy_once

log = logging.getLogger(__name__)
MAX_LEVERS_EXPLAINED = 2  # "la différence entre X et Y": both


async def answer(dispatcher: CollectingDispatcher, tracker: Tracker, question: str) -> list[EventType]:
    """The API's answer to a question, in the conversation's language. The API decides what the question
    is: in the field (a cited answer, or an honest "I don't know"), a person's own health (their doctor or
    pharmacist, 15 or 112: no advisor offer), or off-topic (said so; outside a form, an advisor is offered)."""
    lang = lang_of(tracker)
    try:
        res = await get_client().ask(question, lang, tracker.get_slot("recommended") or [])
    except ApiUnavailable as exc:
        log.warning("ask: %s", exc)
        return api_down(dispatcher, tracker)
    except ApiRejected:
        res = {"in_scope": False}
    if res.get("patient"):
        dispatcher.utter_message(text=res["answer"])
        return []
    if not res.get("in_scope", True):
        if tracker.active_loop.get("name"):  # the form's pending question follows: no second question
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        return ask_yes_no(dispatcher, "utter_offer_advisor", ADVISOR)
    text, sources = answer_text(res, lang)
    colon = " :" if lang == "fr" else ":"
    body = f"{text}\n\n{t('sources', lang)}{colon}\n" + "\n".join(sources) if sources else text
    dispatcher.utter_message(text=body, json_message={"type": PayloadType.ANSWER.value, "lang": lang, **res})
    return []


class ActionAnswerQuestion(Action):
    """Answers the founder's latest typed message as a question (see `answer`)."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        text = last_free_text(tracker)
        if patient_data_warning(dispatcher, tracker, text):
            return events
        return events + await answer(dispatcher, tracker, text)


class ActionExplainLever(Action):
    """Details of the lever(s) the message names: summary, dated amounts, next step. A name no lever has
    (the NLU tags a phrase such as "the clinical evaluation call") goes through the resolver (id, name,
    closest name in either language); failing that, the message is answered as a question."""

    def name(self) -> str:
        return "action_explain_lever"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        lang = lang_of(tracker)
        phrases = list(dict.fromkeys(tracker.get_latest_entity_values("lever")))
        try:
            index = await get_client().lever_index() if phrases else None
            ids = list(dict.fromkeys(i for i in (index.resolve(p) for p in phrases) if i)) if index else []
            levers = [lv for lv in [await get_client().lever(i) for i in ids[:MAX_LEVERS_EXPLAINED]] if lv]
        except ApiUnavailable as exc:
            log.warning("levers %s: %s", phrases, exc)
            return events + api_down(dispatcher, tracker)
        if not levers:
            return events + await answer(dispatcher, tracker, last_free_text(tracker))
        for lever in levers:
            dispatcher.utter_message(text=lever_text(lever, lang),
                                     json_message={"type": PayloadType.LEVER.value, "lang": lang, "lever": lever})
        return events


def lever_text(lever: dict[str, Any], lang: str) -> str:
    lines = [f"{lever['name'][lang]}", lever["summary"][lang]]
    for a in lever.get("amounts", []):
        lines.append(f"• {a['label'][lang]} ({t('as_of', lang, date=a['as_of'])})")
    steps = lever.get("next_steps", {}).get(lang, [])
    if steps:
        lines.append(f"{t('next', lang)} : {steps[0]}" if lang == "fr" else f"{t('next', lang)}: {steps[0]}")
    return "\n".join(lines)


class ActionClarify(Action):
    """When the NLU is unsure: a message that asks something is answered; otherwise the two or three
    likeliest meanings are offered as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        if is_question(text):
            return events + await answer(dispatcher, tracker, text)
        lang = lang_of(tracker)
        ranking = tracker.latest_message.get("intent_ranking") or []
        options = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS][:3]
        if not options:
            options = ["describe_project", "ask_question", "request_advisor"]
        buttons = [{"title": INTENT_LABELS[o][lang], "payload": f"/{o}"} for o in options]
        dispatcher.utter_message(text=t("clarify", lang), buttons=buttons)
        return events


class ActionGreet(Action):
    """The greeting, with the privacy notice in the same message if nothing has said it yet."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said = bool(tracker.get_slot("privacy_said"))
        notice = "" if said else "\n\n" + t("privacy", lang_of(tracker))
        dispatcher.utter_message(response="utter_greet", privacy=notice)
        return [] if said else [SlotSet("privacy_said", True)]
