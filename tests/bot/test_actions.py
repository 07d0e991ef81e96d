"""The dialogue's actions on tracker fixtures with a fake API (tests/bot/rasa_side/actions_check.py, in .venv-rasa):
what each says and which events it returns, for the paths issue 16 is about."""

from __future__ import annotations

import pytest

from .conftest import rasa_side_report

CASES = [
    "lever_phrase_resolved",
    "lever_phrase_unresolved",
    "lever_api_down",
    "patient",
    "off_topic",
    "off_topic_in_form",
    "correction_at_confirmation",
    "bare_no_at_confirmation",
    "question_at_confirmation",
    "dont_know_flag",
    "question_in_form",
    "correction_in_form",
    "skip_in_form",
    "confirm_again_unchanged",
    "confirm_after_questions",
    "eligible_named",
    "eligible_named_no_project",
    "greet_with_request",
    "greet_alone",
    "answer_sets_topic",
    "unknown_keeps_topic",
]


@pytest.fixture(scope="module")
def report() -> dict:
    return rasa_side_report("actions_check.py", *CASES)


def said(case: dict) -> str:
    return " | ".join(m.get("text") or m.get("response") or "" for m in case["said"])


def slots(case: dict) -> dict:
    return {e["name"]: e["value"] for e in case["events"] if e["event"] == "slot"}


def followup(case: dict) -> str | None:
    return next((e["name"] for e in case["events"] if e["event"] == "followup"), None)


@pytest.mark.slow
def test_a_lever_phrase_goes_through_the_resolver(report: dict) -> None:
    """"the medical imaging programme" is the imaging lever (closest name); a phrase no lever is close to is
    answered as a question. The lever explained becomes the focus of the next questions ("je suis éligible ?");
    nothing else is kept."""
    resolved, unresolved = report["lever_phrase_resolved"], report["lever_phrase_unresolved"]
    assert ["lever", "imaging"] in resolved["calls"] and "Filière imagerie médicale" in said(resolved)
    assert unresolved["calls"][-1][0] == "ask" and not any(c[0] == "lever" for c in unresolved["calls"])
    assert resolved["events"] == [{"event": "slot", "name": "focus", "value": ["imaging"]},
                                  {"event": "slot", "name": "topic", "value": None}]  # the lever, not the last fiche
    assert unresolved["events"] == []


@pytest.mark.slow
def test_unavailable_only_when_the_api_cannot_be_reached(report: dict) -> None:
    """An unreachable API is said plainly, and only the pending yes/no is cleared (no failed-lookup slot)."""
    down = report["lever_api_down"]
    assert "indisponible" in said(down) and slots(down) == {"yes_no": "nothing"}
    assert "indisponible" not in said(report["lever_phrase_unresolved"])


@pytest.mark.slow
def test_a_patient_is_sent_to_their_doctor_with_no_advisor_offer(report: dict) -> None:
    """The API's reply to a person's own health question is said as it is: no advisor offer, no yes/no."""
    patient = report["patient"]
    assert "médecin" in said(patient) and "utter_offer_advisor" not in said(patient) and slots(patient) == {}


@pytest.mark.slow
def test_off_topic_offers_an_advisor_as_a_yes_no_question_outside_the_form(report: dict) -> None:
    """Off-topic: the advisor offer (Oui/Non buttons), yes_no=advisor; in the form no offer (its question follows)."""
    assert said(report["off_topic"]) == "utter_offer_advisor" and slots(report["off_topic"]) == {"yes_no": "advisor"}
    assert said(report["off_topic_in_form"]) == "utter_out_of_scope" and slots(report["off_topic_in_form"]) == {}


@pytest.mark.slow
def test_a_correction_at_the_confirmation_is_taken_and_said_back(report: dict) -> None:
    """"non en fait on a déjà le marquage CE": medical device and CE status set, said back ("Noté")."""
    case = report["correction_at_confirmation"]
    assert said(case) == "utter_noted"
    assert slots(case)["ce_marked"] == "true" and slots(case)["medical_device"] == "true"
    assert followup(case) is None  # the form, then the confirmation, follow


@pytest.mark.slow
def test_a_bare_no_asks_what_to_correct(report: dict) -> None:
    case = report["bare_no_at_confirmation"]
    assert said(case) == "utter_which_correction" and followup(case) == "action_listen"


@pytest.mark.slow
def test_a_question_at_the_confirmation_is_answered_then_the_confirmation_asked_again(report: dict) -> None:
    case = report["question_at_confirmation"]
    assert said(case) == "Réponse." and followup(case) == "action_confirm_profile"
    assert said(report["confirm_again_unchanged"]) == "utter_confirm_again"  # short: no summary as a reply


@pytest.mark.slow
def test_dont_know_never_turns_a_flag_to_yes(report: dict) -> None:
    """"je sais pas si c'est un dispositif médical": the medical-device slot is not set."""
    assert "medical_device" not in slots(report["dont_know_flag"])


@pytest.mark.slow
def test_the_form_answers_a_question_and_asks_its_question_again(report: dict) -> None:
    case = report["question_in_form"]
    assert said(case) == "Réponse." and slots(case)["requested_slot"] == "stage" and "stage" not in slots(case)


@pytest.mark.slow
def test_a_correction_in_the_form_is_taken_and_the_pending_question_asked_again(report: dict) -> None:
    case = report["correction_in_form"]
    assert said(case) == "utter_noted" and slots(case)["organisation_type"] == "hospital"
    assert slots(case)["requested_slot"] == "stage"


@pytest.mark.slow
def test_after_a_skipped_question_no_other_is_asked(report: dict) -> None:
    case = report["skip_in_form"]
    assert slots(case)["stage"] == "unknown" and slots(case)["requested_slot"] is None


@pytest.mark.slow
def test_after_the_forms_questions_the_levers_come_with_the_summary(report: dict) -> None:
    case = report["confirm_after_questions"]
    assert said(case).startswith("utter_profile_line | Voici les leviers") and slots(case)["recommended"]


def test_eligibility_to_a_named_lever_is_checked_against_the_profile(report: dict) -> None:
    """tester10's t1036 (and tester8's t840): "on vise le PECAN, on est éligible ?" was answered with the generic
    conditions. The lever is asked `about` of /route and its verdicts for this founder said, the need it answers
    not held against them; with no project known yet, the API's answer (the conditions) is said."""
    case = report["eligible_named"]
    route = next(c for c in case["calls"] if c[0] == "route")
    assert route[-1] == ["pecan"]
    text = said(case)
    assert "PECAN" in text and "Marquage CE déjà obtenu" in text and "Cherche un remboursement" not in text
    assert text.index("pas encore éligible") < text.index("Quatre conditions.")  # the verdict, then the conditions
    assert said(report["eligible_named_no_project"]).startswith("Quatre conditions.")


def test_a_greeting_that_goes_on_is_answered_too(report: dict) -> None:
    """tester10's t1003: "Bonjour, je voudrais que vous supprimiez toutes mes données svp" got the welcome only."""
    case = report["greet_with_request"]
    assert [c[0] for c in case["calls"]] == ["ask"]
    assert said(case).startswith("utter_greet") and "effacer la conversation" in said(case)
    assert report["greet_alone"]["calls"] == [] and said(report["greet_alone"]) == "utter_greet"


def test_the_fiche_an_answer_came_from_is_the_subject_of_the_next_question(report: dict) -> None:
    """tester9's t923: "et quelle classe ?" after "c'est un dispositif médical ?" got post-market surveillance. The
    fiche the last answer came from is sent with the next question (the API reads it with that subject) and the new
    answer's fiche takes its place; "I don't know" leaves the subject as it was."""
    sets, keeps = report["answer_sets_topic"], report["unknown_keeps_topic"]
    assert ["ask", "et quelle classe ?", "reg-software-dm"] in sets["calls"]
    assert slots(sets) == {"topic": "reg-rule-11", "last_sources": slots(sets)["last_sources"]}
    assert ["ask", "et ça coûte combien ?", "reg-software-dm"] in keeps["calls"] and "topic" not in slots(keeps)
