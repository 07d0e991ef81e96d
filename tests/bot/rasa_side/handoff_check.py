"""Run in .venv-rasa (tests/bot/test_handoff_actions.py): the hand-off actions (bot/actions/handoff.py) on
tracker fixtures, with a fake API (action_fixtures.py): the form's validation of the name, the address and the
consent, the filing of the case, and the note added to it. One JSON report for the cases named."""

from __future__ import annotations

import sys
from typing import Any

from action_fixtures import FakeClient, report, tracker

FORM = "handoff_form"
PROFILE = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software",
           "medical_device": "true", "needs": ["funding-innovation"]}
CONSENTED = {**PROFILE, "person_name": "Marie Curie", "email": "marie@exemple.fr", "consent": True,
             "project_text": "Une appli de suivi des patients", "recommended": ["imaging", "gnius"]}


def asked(slot: str, text: str, intent: str = "give_contact", **kwargs: Any) -> Any:
    """The founder's answer while the form asks `slot`."""
    return tracker(text, intent, {"requested_slot": slot}, loop=FORM, **kwargs)


def cases() -> dict[str, tuple]:
    from actions.handoff import ActionAddHandoffNote, ActionAmendHandoff, ActionFileHandoff, ValidateHandoffForm
    from actions.knowledge import ActionAnswerQuestion

    form, name, email = ValidateHandoffForm(), "validate_person_name", "validate_email"
    question = {"answer": "Le guichet oriente les porteurs de projets.", "in_scope": True, "citations": []}
    return {
        # the form's validation, method by method, as rasa-sdk calls them
        "name_typed": (form, FakeClient(), asked("person_name", "  marie   curie "), name, "  marie   curie "),
        "name_bidi": (form, FakeClient(), asked("person_name", "Marie\u202eCurie"), name, "MarieCurie"),
        "name_no_letter": (form, FakeClient(), asked("person_name", "1234"), name, "1234"),
        "name_no": (form, FakeClient(), asked("person_name", "non", "deny"), name, "non"),
        # something else said at the name question: answered (off-topic here), no name; a long name is a name
        "name_a_sentence": (form, FakeClient(ask={"answer": "Hors sujet.", "in_scope": False}),
                            asked("person_name", "donne moi une recette de crepes", "out_of_scope"), name,
                            "donne moi une recette de crepes"),
        "name_long": (form, FakeClient(), asked("person_name", "Fatima Zahra El Idrissi", "give_contact"), name,
                      "Fatima Zahra El Idrissi"),
        "name_long_entity": (form, FakeClient(),
                             asked("person_name", "Jean de la Fontaine", "out_of_scope",
                                   entities=[{"entity": "person_name", "value": "Jean de la Fontaine"}]),
                             name, "Jean de la Fontaine"),
        "name_cancel_request": (form, FakeClient(), asked("person_name", "je veux annuler ma demande",
                                                          "ask_question"), name, "je veux annuler ma demande"),
        "name_dont_know": (form, FakeClient(), asked("person_name", "je sais pas", "dont_know"), name, "je sais pas"),
        # leaving the form however the NLU read it: "annuler" taken as a name, "stop" as an address
        "name_cancel": (form, FakeClient(), asked("person_name", "annuler", "inform"), name, "annuler"),
        "email_stop": (form, FakeClient(), asked("email", "stop", "inform"), email, "stop"),
        "email_refused": (form, FakeClient(), asked("email", "I don't want to give my email", "inform"), email,
                          "I don't want to give my email"),
        "name_question": (form, FakeClient(ask=question),
                          asked("person_name", "c'est quoi ce guichet ?", "ask_question"), name,
                          "c'est quoi ce guichet ?"),
        "email_in_a_sentence": (form, FakeClient(), asked("email", "c'est marie@exemple.fr."), email,
                                "c'est marie@exemple.fr."),
        "email_no_domain": (form, FakeClient(), asked("email", "marie@exemple"), email, "marie@exemple"),
        "email_no": (form, FakeClient(), asked("email", "non merci", "deny"), email, "non merci"),
        "email_question": (form, FakeClient(ask=question), asked("email", "pourquoi mon adresse ?", "ask_question"),
                           email, "pourquoi mon adresse ?"),
        "consent_yes": (form, FakeClient(), asked("consent", "oui", "affirm"), "validate_consent", True),
        "consent_text": (form, FakeClient(), asked("consent", "yes", "affirm"), "validate_consent", "yes"),
        # the whole validation step as the action server runs it: the slot mappings' candidate, validated
        "form_run_name": (form, FakeClient(), asked("person_name", "Marie Curie",
                                                    candidates={"person_name": "  Marie  Curie"})),
        "form_run_bad_email": (form, FakeClient(),
                               asked("email", "marie at exemple", candidates={"email": "marie at"})),
        # an address typed at the consent question, read by the NLU as a "no": the address corrected, no refusal
        "form_run_address_at_consent": (form, FakeClient(),
                                        tracker("ah non pardon c'est julie@medtech-exemple.fr", "deny",
                                                {"requested_slot": "consent", "person_name": "Julie Martin",
                                                 "email": "julie@exemple.fr"},
                                                loop=FORM, candidates={"consent": False})),
        # a refusal the NLU read as a question: a refusal all the same (no candidate from the slot mappings)
        "form_run_cancel_at_consent": (form, FakeClient(),
                                       tracker("finalement non, annulez", "ask_question",
                                               {"requested_slot": "consent", "person_name": "Julie Martin",
                                                "email": "julie@exemple.fr"},
                                               loop=FORM, candidates={})),
        # filing the case
        "file_declined": (ActionFileHandoff(), FakeClient(), tracker("non", "deny", {**CONSENTED, "consent": False})),
        "file_unanswered": (ActionFileHandoff(), FakeClient(),
                            tracker("bof", "inform", {**CONSENTED, "consent": None})),
        "file_filed": (ActionFileHandoff(), FakeClient(), tracker("oui", "affirm", CONSENTED, sender="conv-42")),
        "file_api_down": (ActionFileHandoff(), FakeClient(down=True), tracker("oui", "affirm", CONSENTED)),
        "file_refused": (ActionFileHandoff(), FakeClient(rejected=True), tracker("oui", "affirm", CONSENTED)),
        # the note for the advisor
        "note_added": (ActionAddHandoffNote(), FakeClient(),
                       tracker("merci", "inform", {"handoff_note": "  Nous avons un essai en cours.  ",
                                                   "handoff_ref": "GU-7K2P"}, sender="conv-42")),
        "note_without_case": (ActionAddHandoffNote(), FakeClient(),
                              tracker("merci", "inform", {"handoff_note": "Un mot.", "handoff_ref": None})),
        "note_blank": (ActionAddHandoffNote(), FakeClient(),
                       tracker("merci", "inform", {"handoff_note": "   ", "handoff_ref": "GU-7K2P"})),
        "note_api_down": (ActionAddHandoffNote(), FakeClient(down=True),
                          tracker("merci", "inform", {"handoff_note": "Un mot.", "handoff_ref": "GU-7K2P"})),
        "note_refused": (ActionAddHandoffNote(), FakeClient(rejected=True),
                         tracker("merci", "inform", {"handoff_note": "Un mot.", "handoff_ref": "GU-7K2P"})),
        # after filing: the address corrected, the request withdrawn (also on an erasure request)
        "amend_address": (ActionAmendHandoff(), FakeClient(), filed("je me suis trompée d'email, c'est "
                                                                      "marie.curie@exemple.fr")),
        "amend_closed": (ActionAmendHandoff(), FakeClient(rejected=409), filed("marie.curie@exemple.fr")),
        "amend_gone": (ActionAmendHandoff(), FakeClient(gone=True), filed("marie.curie@exemple.fr")),
        "amend_api_down": (ActionAmendHandoff(), FakeClient(down=True), filed("marie.curie@exemple.fr")),
        "amend_name_only": (ActionAmendHandoff(), FakeClient(), filed("Marie Curie")),
        "amend_name": (ActionAmendHandoff(), FakeClient(),
                       tracker("je me suis trompée de nom, c'est  Marie  Sklodowska", "give_contact",
                               {**PROFILE, "handoff_ref": "GU-7K2P"}, sender="conv-42",
                               entities=[{"entity": "person_name", "value": "Marie  Sklodowska"}])),
        "amend_bad_address": (ActionAmendHandoff(), FakeClient(), filed("c'est marie.curie@exemple")),
        "withdraw_filed": (ActionAnswerQuestion(), FakeClient(ask=about("withdraw")),
                           filed("je veux annuler ma demande", "ask_question")),
        "withdraw_nothing_filed": (ActionAnswerQuestion(), FakeClient(ask=about("withdraw")),
                                   filed("je veux annuler ma demande", "ask_question", ref=None)),
        "withdraw_already_gone": (ActionAnswerQuestion(), FakeClient(ask=about("withdraw"), gone=True),
                                  filed("je veux annuler ma demande", "ask_question")),
        "erase_filed": (ActionAnswerQuestion(), FakeClient(ask=about("erase")),
                        filed("please delete everything you have on me", "ask_question")),
        "erase_nothing_filed": (ActionAnswerQuestion(), FakeClient(ask=about("erase")),
                                filed("please delete everything you have on me", "ask_question", ref=None)),
    }


def filed(text: str, intent: str = "give_contact", ref: str | None = "GU-7K2P") -> Any:
    """The founder's message once the conversation conv-42 filed request `ref` (None: filed nothing)."""
    return tracker(text, intent, {**PROFILE, "handoff_ref": ref}, sender="conv-42")


def about(kind: str) -> dict[str, Any]:
    """/ask's reply to a question about Guichet that the bot finishes (withdraw, erase)."""
    return {"answer": f"Texte du service ({kind}).", "citations": [], "in_scope": True, "found": True,
            "follow_up": kind}


if __name__ == "__main__":
    report(cases(), sys.argv[1:])
