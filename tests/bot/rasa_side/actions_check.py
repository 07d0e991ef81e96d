"""Run in .venv-rasa (tests/bot/test_actions.py): the dialogue's actions on tracker fixtures, with a fake API.

Each case builds a rasa_sdk Tracker (slots, the latest message, events), runs one action with a
CollectingDispatcher and a fake GuichetClient (action_fixtures.py), and reports what was said (texts,
responses, buttons) and the events returned. The cases are named on the command line; one JSON report for all.
"""

from __future__ import annotations

import sys
from typing import Any

from action_fixtures import FakeClient, report, tracker

CITED = {"n": 1, "title": "PECAN", "publisher": "Ministère", "date": "2024-04-25", "url": "https://sante.gouv.fr/"}
CONFIRMING = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software",
              "needs": ["funding-innovation"], "yes_no": "profile"}


def cases() -> dict[str, Any]:
    from actions.knowledge import ActionAnswerQuestion, ActionExplainLever, ActionGreet
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
        # a greeting that goes on asks something even without a question's form; a bare greeting asks nothing
        "greet_with_request": (ActionGreet(), FakeClient(ask={"answer": "L'équipe peut effacer la conversation.",
                                                               "in_scope": True, "found": True, "citations": []}),
                               tracker("Bonjour, je voudrais que vous supprimiez toutes mes données svp", "greet")),
        "greet_alone": (ActionGreet(), FakeClient(), tracker("bonjour !", "greet")),
        # "on vise le PECAN, on est éligible ?": the API marks it, the lever's verdicts for this founder are said
        "eligible_named": (ActionAnswerQuestion(),
                           FakeClient(ask={"answer": "Quatre conditions.", "in_scope": True, "found": True,
                                           "citations": [CITED], "follow_up": "eligible", "levers": ["pecan"]}),
                           tracker("on vise le PECAN, on est éligible ?", "ask_question",
                                   {**CONFIRMING, "yes_no": "nothing", "ce_marked": False})),
        "eligible_named_no_project": (ActionAnswerQuestion(),
                                      FakeClient(ask={"answer": "Quatre conditions.", "in_scope": True,
                                                      "found": True, "citations": [], "follow_up": "eligible",
                                                      "levers": ["pecan"]}),
                                      tracker("je suis éligible à la PECAN ?", "ask_question")),
        # an answer from a fiche makes it the subject of the next question, which is sent with it
        "answer_sets_topic": (ActionAnswerQuestion(),
                              FakeClient(ask={"answer": "Règle 11 : classe IIa.", "in_scope": True, "found": True,
                                              "citations": [CITED], "levers": [], "fiche": "reg-rule-11"}),
                              tracker("et quelle classe ?", "ask_question", {"topic": "reg-software-dm"})),
        # "I don't know" keeps the subject asked about
        "unknown_keeps_topic": (ActionAnswerQuestion(),
                                FakeClient(ask={"answer": "Je ne sais pas.", "in_scope": True, "found": False,
                                                "citations": [], "levers": [], "fiche": None}),
                                tracker("et ça coûte combien ?", "ask_question", {"topic": "reg-software-dm"})),
    }


if __name__ == "__main__":
    report(cases(), sys.argv[1:])
