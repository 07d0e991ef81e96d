"""Free questions, lever details, the greeting and clarification: every message the bot can read as a
question is answered, through the API's /ask when nothing more specific applies."""

from __future__ import annotations

import logging
import re
from typing import Any

from guichet_contract import PayloadType
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from . import profile as prof
from .client import ApiRejected, ApiUnavailable, get_client
from .common import ADVISOR, is_question, lang_of, last_free_text, profile_from_slots, typed_text
from .filed import withdraw_filed
from .formatting import INTENT_LABELS, answer_text, eligibility_text, t, why_text
from .replies import api_down, ask_yes_no, patient_data_warning, privacy_once
from .settings import settings

log = logging.getLogger(__name__)
MAX_LEVERS_EXPLAINED = 2  # "la différence entre X et Y": both
FOCUS = 3  # the levers an answer was about that the next question may refer to


async def answer(dispatcher: CollectingDispatcher, tracker: Tracker, question: str, *,
                 may_guide: bool = False) -> list[EventType]:
    """The API's answer to a question, in the conversation's language. The API decides what the question
    is: in the field (a cited answer, or an honest "I don't know"), a person's own health (their doctor or
    pharmacist, 15 or 112: no advisor offer), or off-topic (said so; outside a form, an advisor is offered).
    A request for guidance put as a question ("vous pouvez m'aider à trouver un financement ?") starts the
    guidance with it where the caller allows (`may_guide`: an action of its own, outside the form)."""
    lang = lang_of(tracker)
    shown = tracker.get_slot("focus") or tracker.get_slot("recommended") or []
    try:
        res = await get_client().ask(question, lang, shown, tracker.get_slot("topic"))
        if res.get("follow_up") == "guide" and may_guide and not tracker.active_loop.get("name"):
            return chosen_meaning("describe_project")
        # Answered from the profile; a lever named ("on est éligible au PECAN ?"): its conditions as the knowledge
        # says them follow the verdict, with their sources (some, "présumé innovant", no profile can tell).
        if res.get("follow_up") in FROM_PROFILE and await follow_up(dispatcher, tracker, res, lang) and not (
            res.get("citations")
        ):
            return []
        if res.get("follow_up") == "reply":  # when an advisor answers: this deployment's figure
            dispatcher.utter_message(text=t("reply_time", lang, days=settings().advisor_reply_days))
            return []
        if res.get("follow_up") in ("withdraw", "erase"):  # the request this conversation filed goes first
            withdrawn = await withdraw_filed(dispatcher, tracker)
            if res["follow_up"] == "withdraw":
                if withdrawn is None:
                    dispatcher.utter_message(response="utter_no_handoff_filed")
                return withdrawn or []
            if withdrawn is not None:  # erasure: then what else is kept and who can erase it
                dispatcher.utter_message(text=res["answer"])
                return withdrawn
        last_sources: list[str] = tracker.get_slot("last_sources") or []
        if res.get("follow_up") == "sources" and last_sources:
            dispatcher.utter_message(text="\n".join([t("last_sources", lang), *last_sources]))
            return []
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
    # What the answer was about becomes the subject of the next questions ("et c'est encore ouvert ?", "et quelle
    # classe ?"): its levers, and the fiche it came from. An answer from passages, or "I don't know", keeps the
    # subject it was asked about.
    about = [SlotSet("focus", res["levers"][:FOCUS])] if res.get("found") and res.get("levers") else []
    about += [SlotSet("topic", res["fiche"])] if res.get("found") and res.get("fiche") else []
    return about + ([SlotSet("last_sources", sources)] if sources else [])


def chosen_meaning(intent: str) -> list[EventType]:
    """The founder's latest message taken with this meaning, as if they had chosen it among action_clarify's
    buttons: the rules run on (action_prefill_profile reads the message itself)."""
    chosen = {"text": f"/{intent}", "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return [ActionExecuted("action_listen"), UserUttered(f"/{intent}", parse_data=chosen)]


# Follow-up questions (the API's `follow_up`) that the founder's profile answers, not the knowledge base alone.
FROM_PROFILE = ("why", "eligible", "project")


async def follow_up(dispatcher: CollectingDispatcher, tracker: Tracker, res: dict[str, Any], lang: str) -> bool:
    """Why the levers shown were chosen, whether the founder meets their criteria, what Guichet knows of the
    project: answered from the profile the dialogue holds and the levers /route gives for it. False (the API's
    own reply is said instead) when nothing of the project is known yet or no lever shown is routed."""
    profile = profile_from_slots(tracker)
    if not prof.is_known(profile):
        return False
    summary = prof.summary(profile, await get_client().labels(lang), lang)
    kind, ids = res["follow_up"], res.get("levers") or []
    if kind == "project":
        dispatcher.utter_message(text=t("project_known", lang, summary=summary))
        return True
    about = ids if kind == "eligible" else None  # a lever named ("on est éligible au PECAN ?"), shown or not
    routed = await get_client().route(tracker.get_slot("project_text") or None, profile, lang, about)
    chosen = {lv["id"]: lv for lv in routed.get("levers") or []}
    left = {x["id"]: x for x in routed.get("excluded") or []}
    if kind == "eligible":
        # Asking about a lever says the founder wants what it answers: its need is not held against them.
        asked = {x["id"]: {**x, "criteria": [c for c in x["criteria"] if c.get("slot") != "needs"]}
                 for x in routed.get("asked") or []}
        lines = eligibility_text([chosen.get(i) or asked[i] for i in ids if i in chosen or i in asked], lang)
    else:
        lines = why_text([chosen[i] for i in ids if i in chosen], lang)
        lines += [t("not_shown", lang, name=left[i]["name"], why=left[i]["why"]) for i in ids if i in left]
    if not lines:
        return False
    outro = [t("eligible_outro", lang)] if kind == "eligible" else []
    dispatcher.utter_message(text="\n".join([t(f"{kind}_intro", lang, summary=summary), *lines, *outro]))
    return True


class ActionAnswerQuestion(Action):
    """Answers the founder's latest typed message as a question (see `answer`)."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        text = last_free_text(tracker)
        if patient_data_warning(dispatcher, tracker, text):
            return events
        return events + await answer(dispatcher, tracker, text, may_guide=True)


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
            # A lever named in full in the message ("la bourse french tech") wins over a shorter one the NLU tagged
            # inside it ("french tech").
            spelled = index.spelled(last_free_text(tracker)) if index else []
            tagged = [i for i in (index.resolve(p) for p in phrases) if i] if index else []
            ids = list(dict.fromkeys([*(i for i, _ in spelled), *(
                i for i in tagged if not any(i in slug and i != own for own, slug in spelled))]))
            levers = [lv for lv in [await get_client().lever(i) for i in ids[:MAX_LEVERS_EXPLAINED]] if lv]
        except ApiUnavailable as exc:
            log.warning("levers %s: %s", phrases, exc)
            return events + api_down(dispatcher, tracker)
        if not levers:
            return events + await answer(dispatcher, tracker, last_free_text(tracker))
        for lever in levers:
            dispatcher.utter_message(text=lever_text(lever, lang),
                                     json_message={"type": PayloadType.LEVER.value, "lang": lang, "lever": lever})
        return events + [SlotSet("focus", [lv["id"] for lv in levers]), SlotSet("topic", None)]


def lever_text(lever: dict[str, Any], lang: str) -> str:
    lines = [f"{lever['name'][lang]}", lever["summary"][lang]]
    for a in lever.get("amounts", []):
        lines.append(f"• {a['label'][lang]} ({t('as_of', lang, date=a['as_of'])})")
    steps = lever.get("next_steps", {}).get(lang, [])
    if steps:
        lines.append(f"{t('next', lang)} : {steps[0]}" if lang == "fr" else f"{t('next', lang)}: {steps[0]}")
    return "\n".join(lines)


class ActionClarify(Action):
    """When the NLU is unsure: a message that asks something is answered; one that says something new of the
    project ("on n'a pas encore le marquage CE") is read as a detail or a correction, as if the founder had
    chosen that meaning; otherwise the two or three likeliest meanings are offered as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events = privacy_once(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        if is_question(text):
            return events + await answer(dispatcher, tracker, text, may_guide=True)
        lang = lang_of(tracker)
        if text and not text.startswith("/") and await _tells_project(tracker, text, lang):
            return events + chosen_meaning("inform")  # "préciser mon profil", taken for the founder
        ranking = tracker.latest_message.get("intent_ranking") or []
        options = [r["name"] for r in ranking if r.get("name") in INTENT_LABELS][:3]
        if not options:
            options = ["describe_project", "ask_question", "request_advisor"]
        buttons = [{"title": INTENT_LABELS[o][lang], "payload": f"/{o}"} for o in options]
        dispatcher.utter_message(text=t("clarify", lang), buttons=buttons)
        return events


async def _tells_project(tracker: Tracker, text: str, lang: str) -> bool:
    """Whether the message states something of the project that the profile does not hold yet."""
    try:
        said = await get_client().route(text, {}, lang)
    except (ApiUnavailable, ApiRejected):  # unread: the buttons are offered as before
        return False
    return bool(prof.changes(said.get("profile") or {}, profile_from_slots(tracker), dont_know=False,
                             unwanted=said.get("unwanted")))


class ActionGreet(Action):
    """The greeting, with the privacy notice in the same message if nothing has said it yet; a question asked
    with it ("re-bonjour, j'ai oublié : il faut être hébergé HDS ?") is answered after it."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said = bool(tracker.get_slot("privacy_said"))
        notice = "" if said else "\n\n" + t("privacy", lang_of(tracker))
        dispatcher.utter_message(response="utter_greet", privacy=notice)
        events: list[EventType] = [] if said else [SlotSet("privacy_said", True)]
        text = typed_text(tracker)
        said_more = len(_GREETING.sub("", text).split()) >= SAID_MORE
        if (is_question(text) or said_more) and not patient_data_warning(dispatcher, tracker, text):
            events += await answer(dispatcher, tracker, text)
        return events


# A greeting that goes on ("Bonjour, je voudrais que vous supprimiez toutes mes données svp") asks something even
# without a question's form: from this many words after the greeting, the message is answered too.
_GREETING = re.compile(r"^\W*(re-?)?(bonjour|bonsoir|salut|coucou|hello|hi|hey|good (morning|afternoon|evening))\b\W*",
                       re.IGNORECASE)
SAID_MORE = 4
