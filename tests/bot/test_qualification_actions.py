"""bot/actions/qualification.py and recommendation.py on tracker fixtures with a fake API
(tests/bot/rasa_side/qualification_check.py, run in .venv-rasa with rasa-sdk's CollectingDispatcher): a
description read once, the form's questions, the profile said back, the levers, the roadmap, a fresh start.
The paths of issue 16 (corrections, questions and don't-knows at each point) are in test_actions.py."""

from __future__ import annotations

import pytest

from .conftest import rasa_side_report

SUMMARY = ("Logiciel ; stade : Prototype ; Start-up ; dispositif médical : à préciser ; "
           "besoin : Financer le développement d'une innovation")
PROFILE_SLOTS = ["product_kind", "stage", "organisation_type", "medical_device", "ce_marked", "ai", "needs"]


@pytest.fixture(scope="module")
def report() -> dict:
    return rasa_side_report("qualification_check.py")


def said(case: dict) -> list[str]:
    return [m.get("response") or m.get("text") or "" for m in case["said"]]


def slots(case: dict) -> dict:
    return {e["name"]: e["value"] for e in case["events"] if e["event"] == "slot"}


def followup(case: dict) -> str | None:
    return next((e["name"] for e in case["events"] if e["event"] == "followup"), None)


def test_a_first_description_is_read_once_into_the_slots(report: dict) -> None:
    """One /route call reads the profile (flags as the slots' "true"), keeps the founder's words, and its
    deciding slots become the form's questions (only askable ones, two at most); the privacy line comes first."""
    case = report["first_description"]
    assert [c[0] for c in case["calls"]] == ["route"]
    assert slots(case) == {
        "privacy_said": True, "project_text": case["calls"][0][1], "product_kind": "software", "stage": "prototype",
        "organisation_type": "startup", "medical_device": "true", "needs": ["funding-innovation"],
        "to_ask": ["medical_device", "stage"],
    }
    assert said(case)[0].startswith("Confidentialité") and len(case["said"]) == 1


def test_a_detail_added_to_a_known_profile_is_said_back_and_the_questions_asked_again(report: dict) -> None:
    """"on utilise de l'IA": "Noté : IA : oui", the words added to the project text, and /route asked again
    with the whole profile for what now decides."""
    case = report["detail_added"]
    assert case["said"] == [{"response": "utter_noted", "kwargs": {"changes": "IA : oui"}}]
    assert slots(case) == {"project_text": "Une appli logicielle pour les soignants on utilise de l'IA",
                           "ai": "true", "to_ask": ["product_kind"]}
    assert case["calls"][-1][0] == "route" and case["calls"][-1][2]["ai"] is True


def test_a_meaning_chosen_from_the_clarification_reads_the_previous_message(report: dict) -> None:
    """The button "/describe_project" (action_clarify) has the message before it read as the description."""
    case = report["meaning_chosen"]
    assert case["calls"][0][:2] == ["route", "on fait une appli pour les diabétiques"]
    assert slots(case)["product_kind"] == "software"


def test_an_off_topic_message_before_any_project_is_answered(report: dict) -> None:
    """The API finds it off the field and nothing is known yet: answered as a question (an advisor offered
    outside a form), then the bot listens; nothing is read into the profile."""
    case = report["off_topic_first"]
    assert case["calls"][-1] == ["ask", "je cherche un appartement à Lyon"]
    assert said(case) == ["utter_offer_advisor"] and slots(case) == {"yes_no": "advisor"}
    assert followup(case) == "action_listen"


def test_an_unreachable_api_while_reading_is_said_and_the_bot_listens(report: dict) -> None:
    case = report["prefill_api_down"]
    assert "indisponible" in said(case)[0] and slots(case) == {"yes_no": "nothing"}
    assert followup(case) == "action_listen"


def test_dont_know_to_the_need_means_orientation(report: dict) -> None:
    """The need becomes "orientation" and the API's deciding slots for it are asked, the first one next."""
    case = report["need_dont_know"]
    assert slots(case)["needs"] == ["orientation"] and slots(case)["to_ask"] == ["stage", "product_kind"]
    assert slots(case)["requested_slot"] == "stage"
    assert case["calls"] == [["route", None, {**dict.fromkeys(PROFILE_SLOTS), "needs": ["orientation"]}]]


def test_a_need_button_keeps_only_the_contracts_codes(report: dict) -> None:
    case = report["need_button"]
    assert slots(case)["needs"] == ["funding-innovation"] and slots(case)["to_ask"] == ["organisation_type"]
    assert slots(case)["requested_slot"] == "organisation_type"


def test_a_button_value_that_is_no_code_gives_way_to_the_previous_value(report: dict) -> None:
    case = report["bad_button"]
    assert slots(case)["stage"] == "idea" and case["calls"] == []


def test_a_typed_yes_to_the_medical_device_question_sets_it(report: dict) -> None:
    """The API reads nothing in "oui": the affirm intent answers the yes/no slot; no question left, and the
    project's description is left as it was."""
    case = report["medical_device_yes"]
    assert slots(case)["medical_device"] == "true" and slots(case)["requested_slot"] is None
    assert "project_text" not in slots(case)  # "oui" says nothing of the project: not added to its description


def test_an_unreachable_api_in_the_form_keeps_its_question(report: dict) -> None:
    case = report["form_api_down"]
    assert "indisponible" in said(case)[0]
    assert "stage" not in slots(case) and slots(case)["requested_slot"] == "stage"


def test_the_profile_is_first_said_back_as_a_question(report: dict) -> None:
    """The summary in the API's labels, as a yes/no question (yes_no=profile), remembered as said."""
    case = report["confirm_first"]
    assert case["said"] == [{"response": "utter_confirm_profile", "kwargs": {"summary": SUMMARY}}]
    assert slots(case) == {"summary_shown": SUMMARY, "yes_no": "profile"}


def test_once_confirmed_a_change_shows_the_profile_with_the_levers_at_once(report: dict) -> None:
    case = report["confirm_again_after_levers"]
    assert said(case)[0] == "utter_profile_line" and said(case)[1].startswith("Voici les leviers")
    assert slots(case)["recommended"] == ["lever-1", "lever-2", "lever-3"]


def test_an_unreachable_api_at_the_confirmation_is_said(report: dict) -> None:
    case = report["confirm_api_down"]
    assert "indisponible" in said(case)[0] and slots(case) == {"yes_no": "nothing"}


def test_the_levers_are_the_top_three_as_cards_with_their_buttons(report: dict) -> None:
    """Three cards of five levers: the text, a details button each then the roadmap and the advisor, the cards
    as a lever_cards payload; the levers remembered, the profile confirmed, no yes/no pending."""
    case = report["recommend_top"]
    assert said(case)[0].startswith("Confidentialité")
    cards = case["said"][1]
    assert [b["payload"] for b in cards["buttons"]] == [
        '/ask_about_lever{"lever":"lever-1"}', '/ask_about_lever{"lever":"lever-2"}',
        '/ask_about_lever{"lever":"lever-3"}', "/request_roadmap", "/request_advisor"]
    assert cards["custom"]["type"] == "lever_cards" and [c["id"] for c in cards["custom"]["levers"]] == [
        "lever-1", "lever-2", "lever-3"]
    assert "Levier 3" in cards["text"] and "Levier 4" not in cards["text"]
    assert slots(case) == {"privacy_said": True, "profile_confirmed": True, "focus": ["lever-1", "lever-2", "lever-3"],
                           "recommended": ["lever-1", "lever-2", "lever-3"], "topic": None, "yes_no": "nothing"}


def test_no_lever_offers_an_advisor(report: dict) -> None:
    case = report["recommend_nothing"]
    assert said(case) == ["utter_no_lever"]
    assert slots(case) == {"profile_confirmed": True, "recommended": [], "focus": [], "topic": None,
                           "yes_no": "advisor"}


def test_the_roadmap_is_a_short_text_and_the_whole_document_to_download(report: dict) -> None:
    case = report["roadmap"]
    [message] = case["said"]
    assert message["text"].splitlines()[1:4] == ["1. Levier 1 — étape 1", "2. Levier 2 — étape 2",
                                                 "3. Levier 3 — étape 3"]
    assert message["custom"] == {"type": "roadmap", "lang": "fr", "markdown": "# Feuille de route\n",
                                 "filename": "feuille-de-route.md"}
    assert [c[0] for c in case["calls"]] == ["route", "roadmap"] and case["events"] == []


def test_a_fresh_start_forgets_the_profile(report: dict) -> None:
    case = report["reset"]
    forgotten = [*PROFILE_SLOTS, "project_text", "recommended", "focus", "topic", "profile_confirmed", "to_ask",
                 "summary_shown"]
    assert slots(case) == {**dict.fromkeys(forgotten), "yes_no": "nothing"} and case["said"] == []
