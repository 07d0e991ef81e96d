"""Run in .venv-rasa (tests/bot/test_actions.py): the dialogue's actions on tracker fixtures, with a fake API.

Each case builds a rasa_sdk Tracker (slots, the latest message, events), runs one action with a
CollectingDispatcher and a fake GuichetClient, and reports what was said (texts, responses, buttons) and
the events returned. The cases are named on the command line; one JSON report for all.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))

LEVERS = [
    {"id": "imaging", "name": {"fr": "Filière imagerie médicale", "en": "Medical imaging sector"}},
    {"id": "clinical-evaluation",
     "name": {"fr": "Subvention à l'évaluation clinique", "en": "Clinical evaluation subsidy"}},
    {"id": "gnius", "name": {"fr": "G_NIUS, le guichet national", "en": "G_NIUS, the national single window"}},
]
LABELS = {"prototype": "Prototype", "marketed": "Sur le marché", "startup": "Start-up",
          "hospital": "Établissement de santé", "software": "Logiciel",
          "funding-innovation": "Financer le développement d'une innovation"}


class FakeClient:
    """The API as the actions see it: canned answers, every call recorded; `down` makes it unreachable."""

    def __init__(self, read: dict[str, Any] | None = None, ask: dict[str, Any] | None = None, down: bool = False):
        self.read, self.answer, self.down, self.calls = read or {}, ask, down, []

    def _call(self, *what: Any) -> None:
        from actions.client import ApiUnavailable

        self.calls.append(list(what))
        if self.down:
            raise ApiUnavailable("connection refused")

    async def route(self, text, profile, lang):
        self._call("route", text)
        read = {k: None for k in ("stage", "organisation_type", "product_kind", "medical_device", "ce_marked", "ai")}
        return {"in_scope": True, "profile": {**read, "needs": [], **(self.read if text else profile)}, "ask": [],
                "levers": [{"id": "bpifrance-innovation", "name": "Aide", "reasons": [], "criteria": []}]}

    async def ask(self, question, lang, levers=None):
        self._call("ask", question)
        return self.answer or {"answer": "Réponse.", "citations": [], "in_scope": True, "found": True}

    async def lever_index(self):
        from guichet_contract import LeverIndex

        self._call("levers")
        return LeverIndex.build(LEVERS)

    async def lever(self, lever_id):
        self._call("lever", lever_id)
        found = next((lv for lv in LEVERS if lv["id"] == lever_id), None)
        return {**found, "summary": {"fr": "Résumé.", "en": "Summary."}} if found else None

    async def labels(self, lang):
        self._call("labels")
        return LABELS


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, entities: list[dict] | None = None,
            loop: str | None = None, events: list[dict] | None = None):
    from rasa_sdk import Tracker

    base = {"language": "fr", "yes_no": "nothing", "privacy_said": True}
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    return Tracker("test", {**base, **(slots or {})}, message,
                   [*(events or []), {"event": "user", "text": text, "parse_data": message}], False, None,
                   {"name": loop} if loop else {}, "action_listen")


CONFIRMING = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software",
              "needs": ["funding-innovation"], "yes_no": "profile"}


def cases() -> dict[str, Any]:
    from actions.knowledge import ActionAnswerQuestion, ActionExplainLever
    from actions.qualification import ActionPrefillProfile, ValidateQualificationForm
    from actions.recommendation import ActionConfirmProfile

    lever = [{"entity": "lever", "value": "medical imaging programme"}]
    return {
        "lever_phrase_resolved": (ActionExplainLever(), FakeClient(),
                                  tracker("tell me about the medical imaging programme", "ask_about_lever",
                                          entities=lever)),
        "lever_phrase_unresolved": (ActionExplainLever(), FakeClient(),
                                    tracker("is the strawberry call open?", "ask_about_lever",
                                            entities=[{"entity": "lever", "value": "strawberry call"}])),
        "lever_api_down": (ActionExplainLever(), FakeClient(down=True),
                           tracker("tell me about the medical imaging programme", "ask_about_lever", entities=lever)),
        "patient": (ActionAnswerQuestion(),
                    FakeClient(ask={"answer": "Voyez votre médecin ; 15 ou 112.", "in_scope": False, "patient": True}),
                    tracker("j'ai mal au ventre", "out_of_scope")),
        "off_topic": (ActionAnswerQuestion(), FakeClient(ask={"answer": "Hors sujet.", "in_scope": False}),
                      tracker("une recette de crêpes ?", "out_of_scope")),
        "off_topic_in_form": (ActionAnswerQuestion(), FakeClient(ask={"answer": "Hors sujet.", "in_scope": False}),
                              tracker("une recette de crêpes ?", "out_of_scope", loop="qualification_form")),
        "correction_at_confirmation": (ActionPrefillProfile(),
                                       FakeClient(read={"medical_device": True, "ce_marked": True}),
                                       tracker("non en fait on a déjà le marquage CE", "deny", CONFIRMING)),
        "bare_no_at_confirmation": (ActionPrefillProfile(), FakeClient(), tracker("non", "deny", CONFIRMING)),
        "question_at_confirmation": (ActionPrefillProfile(), FakeClient(),
                                     tracker("et c'est combien cette aide ?", "describe_project", CONFIRMING)),
        "dont_know_flag": (ActionPrefillProfile(), FakeClient(read={"medical_device": True}),
                           tracker("je sais pas si c'est un dispositif médical", "dont_know", CONFIRMING)),
        "question_in_form": (ValidateQualificationForm(), FakeClient(),
                             tracker("attends, le PECAN ça s'applique à nous ?", "describe_project",
                                     {"requested_slot": "stage", "needs": ["market-access"], "to_ask": ["stage"]},
                                     loop="qualification_form")),
        "correction_in_form": (ValidateQualificationForm(), FakeClient(read={"organisation_type": "hospital"}),
                               tracker("on est pas une startup, on est un CHU", "describe_project",
                                       {**CONFIRMING, "stage": None, "requested_slot": "stage", "to_ask": ["stage"],
                                        "yes_no": "nothing"}, loop="qualification_form")),
        "skip_in_form": (ValidateQualificationForm(), FakeClient(),
                         tracker("aucune idée", "dont_know", {"requested_slot": "stage", "needs": ["training"],
                                                              "to_ask": ["stage", "organisation_type"]},
                                 loop="qualification_form")),
        "confirm_again_unchanged": (ActionConfirmProfile(), FakeClient(),
                                    tracker("c'est combien ?", "ask_question", {
                                        **CONFIRMING, "summary_shown": "Logiciel ; stade : Prototype ; Start-up ; "
                                        "dispositif médical : à préciser ; "
                                        "besoin : Financer le développement d'une innovation"})),
        "confirm_after_questions": (ActionConfirmProfile(), FakeClient(),
                                    tracker("oui", "affirm", {**CONFIRMING, "yes_no": "nothing"}, events=[
                                        {"event": "action", "name": "action_prefill_profile"},
                                        {"event": "slot", "name": "requested_slot", "value": "stage"}])),
    }


async def run(name: str, action: Any, client: FakeClient, t: Any) -> dict[str, Any]:
    import actions.client
    from rasa_sdk.executor import CollectingDispatcher

    actions.client._client = client
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return {
        "said": [{k: m[k] for k in ("text", "response", "buttons") if m.get(k)} for m in dispatcher.messages],
        "events": [{k: e.get(k) for k in ("event", "name", "value") if k in e} for e in events],
        "calls": client.calls,
    }


def main() -> None:
    table = cases()
    report = {name: asyncio.run(run(name, *table[name])) for name in sys.argv[1:]}
    print("REPORT " + json.dumps(report, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
