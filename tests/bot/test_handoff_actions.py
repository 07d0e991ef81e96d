"""bot/actions/handoff.py on tracker fixtures with a fake API (tests/bot/rasa_side/handoff_check.py, run in
.venv-rasa with rasa-sdk's CollectingDispatcher): the form's validation of the name, the address and the
consent; the filing of the case; the note added to it."""

from __future__ import annotations

import pytest

from .conftest import rasa_side_report

REPLY_DAYS = "3"  # GUICHET_ADVISOR_REPLY_DAYS for the action server under test (the default is 2)
FORGOTTEN = {"consent": None, "person_name": None, "email": None}


@pytest.fixture(scope="module")
def report() -> dict:
    return rasa_side_report("handoff_check.py", env={"GUICHET_ADVISOR_REPLY_DAYS": REPLY_DAYS})


def said(case: dict) -> list[str]:
    return [m.get("response") or m.get("text") or "" for m in case["said"]]


def slots(case: dict) -> dict:
    return {e["name"]: e["value"] for e in case["events"] if e["event"] == "slot"}


def test_a_typed_name_is_kept_tidied(report: dict) -> None:
    """Spaces around and inside the name are tidied; nothing is said, the API is not called."""
    case = report["name_typed"]
    assert case["returned"] == {"person_name": "marie curie"} and case["said"] == [] and case["calls"] == []


def test_a_name_with_bidi_characters_or_no_letter_is_refused_and_asked_again(report: dict) -> None:
    """A right-to-left override in the typed text (even if the NLU took only the letters) or a name without a
    letter: said so, and the slot left empty so the form asks again."""
    for name in ("name_bidi", "name_no_letter"):
        assert report[name]["returned"] == {"person_name": None}, name
        assert said(report[name]) == ["utter_invalid_name"], name


def test_a_no_at_any_step_withdraws_the_request(report: dict) -> None:
    """"non" to the name or to the address: no consent, and the form stops (requested_slot None)."""
    assert report["name_no"]["returned"] == {"person_name": None, "consent": False, "requested_slot": None}
    assert report["email_no"]["returned"] == {"email": None, "consent": False, "requested_slot": None}


def test_cancelling_in_words_withdraws_the_request_whatever_the_nlu_read(report: dict) -> None:
    """"annuler" is no name, "stop" or "I don't want to give my email" no address: the form stops, no consent."""
    assert report["name_cancel"]["returned"] == {"person_name": None, "consent": False, "requested_slot": None}
    for name in ("email_stop", "email_refused"):
        assert report[name]["returned"] == {"email": None, "consent": False, "requested_slot": None}, name


def test_a_dont_know_is_no_name(report: dict) -> None:
    case = report["name_dont_know"]
    assert case["returned"] == {"person_name": None} and case["said"] == [] and case["calls"] == []


def test_a_question_in_the_form_is_answered_and_no_name_or_address(report: dict) -> None:
    """The question goes to /ask and its answer is said; the pending slot stays empty (asked again)."""
    for name, slot in (("name_question", "person_name"), ("email_question", "email")):
        case = report[name]
        assert case["returned"] == {slot: None}, name
        assert said(case) == ["Le guichet oriente les porteurs de projets."] and case["calls"][0][0] == "ask", name


def test_an_address_is_taken_from_a_sentence(report: dict) -> None:
    """"c'est marie@exemple.fr." gives the address without the sentence's final dot."""
    case = report["email_in_a_sentence"]
    assert case["returned"] == {"email": "marie@exemple.fr"} and case["said"] == []


def test_an_address_without_a_domain_is_refused_and_asked_again(report: dict) -> None:
    case = report["email_no_domain"]
    assert case["returned"] == {"email": None} and said(case) == ["utter_invalid_email"]


def test_consent_is_only_a_clicked_or_affirmed_boolean(report: dict) -> None:
    assert report["consent_yes"]["returned"] == {"consent": True}
    assert report["consent_text"]["returned"] == {"consent": None}


def test_the_form_validates_the_candidates_of_the_slot_mappings(report: dict) -> None:
    """The validation step as the action server runs it: each candidate goes through its validate_ method."""
    assert report["form_run_name"]["events"] == [{"event": "slot", "name": "person_name", "value": "Marie Curie"}]
    bad = report["form_run_bad_email"]
    assert bad["events"] == [{"event": "slot", "name": "email", "value": None}]
    assert said(bad) == ["utter_invalid_email"]


def test_an_address_typed_at_the_consent_question_corrects_the_address(report: dict) -> None:
    """"ah non pardon c'est julie@medtech-exemple.fr" at the consent question is neither a yes nor a refusal,
    however the NLU read it: the new address replaces the old one and consent is asked again (naming it)."""
    case = report["form_run_address_at_consent"]
    assert slots(case)["email"] == "julie@medtech-exemple.fr"
    assert slots(case)["consent"] is None and case["said"] == []


def test_cancelling_in_words_at_the_consent_question_is_a_refusal(report: dict) -> None:
    """"finalement non, annulez" at the consent question, read by the NLU as a question: the form had no value,
    answered the "question" and asked consent again; it is a refusal, whatever the NLU read."""
    case = report["form_run_cancel_at_consent"]
    assert slots(case)["consent"] is False and case["said"] == []


def test_without_consent_nothing_is_filed_and_the_contact_is_forgotten(report: dict) -> None:
    """Consent refused or never given (only an explicit True files a case)."""
    for name in ("file_declined", "file_unanswered"):
        case = report[name]
        assert case["calls"] == [] and said(case) == ["utter_handoff_declined"] and slots(case) == FORGOTTEN, name


def test_a_filed_case_carries_the_profile_and_levers_and_gives_a_reference(report: dict) -> None:
    """The case: the conversation, the contact, the profile as the API's values (flags as booleans), the
    project text and the recommended levers; the reply names the reference and the settings' reply time, and
    offers a note (yes_no=note); the name and address leave the slots."""
    case = report["file_filed"]
    [(call, payload)] = case["calls"]
    assert call == "handoff"
    assert payload == {
        "conversation_id": "conv-42", "name": "Marie Curie", "email": "marie@exemple.fr", "consent": True,
        "lang": "fr", "project_text": "Une appli de suivi des patients", "levers": ["imaging", "gnius"],
        "profile": {"stage": "prototype", "organisation_type": "startup", "product_kind": "software",
                    "medical_device": True, "ce_marked": None, "ai": None, "needs": ["funding-innovation"]},
    }
    [done] = case["said"]
    assert done["response"] == "utter_handoff_done"
    assert done["kwargs"] == {"name": "Marie Curie", "email": "marie@exemple.fr", "ref": "GU-7K2P",
                              "days": int(REPLY_DAYS)}
    assert slots(case) == {**FORGOTTEN, "handoff_ref": "GU-7K2P", "yes_no": "note"}


def test_an_unreachable_api_is_said_and_the_contact_still_forgotten(report: dict) -> None:
    case = report["file_api_down"]
    assert "indisponible" in said(case)[0] and slots(case) == {**FORGOTTEN, "yes_no": "nothing"}


def test_a_refused_case_is_said_as_such_not_as_an_outage(report: dict) -> None:
    """A 4xx (the conversation filed its most hand-offs): utter_handoff_refused, no reference."""
    case = report["file_refused"]
    assert said(case) == ["utter_handoff_refused"] and slots(case) == FORGOTTEN


def test_a_note_reaches_the_case_just_filed(report: dict) -> None:
    case = report["note_added"]
    assert case["calls"] == [["handoff_note", "GU-7K2P", "conv-42", "Nous avons un essai en cours."]]
    assert case["said"] == [{"response": "utter_note_added", "kwargs": {"ref": "GU-7K2P"}}]
    assert slots(case) == {"handoff_note": None}


def test_a_note_without_a_case_or_blank_is_dropped_silently(report: dict) -> None:
    for name in ("note_without_case", "note_blank"):
        case = report[name]
        assert case["calls"] == [] and case["said"] == [] and slots(case) == {"handoff_note": None}, name


def test_a_note_the_api_cannot_take_is_said_only_when_it_is_unreachable(report: dict) -> None:
    down, refused = report["note_api_down"], report["note_refused"]
    assert "indisponible" in said(down)[0] and slots(down) == {"handoff_note": None, "yes_no": "nothing"}
    assert refused["said"] == [] and slots(refused) == {"handoff_note": None}


def test_an_address_given_after_filing_corrects_the_request_and_passes_through_the_email_slot(report: dict) -> None:
    """Before, a second form started ("quel est votre nom ?"). The address goes to the filed case (PATCH), the
    founder is told where the advisor will write, and the address passes through the `email` slot, set then
    cleared, so that the tracker store keeps it nowhere (bot/redaction.py scrubs what that slot held)."""
    case = report["amend_address"]
    assert case["calls"] == [["handoff_amend", "GU-7K2P", "conv-42", {"email": "marie.curie@exemple.fr"}]]
    assert said(case) == ["utter_handoff_email_amended"]
    assert case["said"][0]["kwargs"] == {"email": "marie.curie@exemple.fr", "ref": "GU-7K2P"}
    assert [(e["name"], e["value"]) for e in case["events"]] == [("email", "marie.curie@exemple.fr"), ("email", None)]


def test_a_name_given_after_filing_corrects_the_name_through_the_name_slot(report: dict) -> None:
    """"je me suis trompée de nom, c'est Marie Sklodowska" (the NLU's name entity): the name is corrected, tidied,
    and passes through `person_name` so that the store keeps it nowhere."""
    case = report["amend_name"]
    assert case["calls"] == [["handoff_amend", "GU-7K2P", "conv-42", {"name": "Marie Sklodowska"}]]
    assert said(case) == ["utter_handoff_name_amended"]
    assert [(e["name"], e["value"]) for e in case["events"]] == [("person_name", "Marie Sklodowska"),
                                                                  ("person_name", None)]


def test_a_closed_or_vanished_request_is_said_so(report: dict) -> None:
    """409 (an advisor closed it): said, the reference kept; 404 (erased by the team): nothing filed any more."""
    assert said(report["amend_closed"]) == ["utter_handoff_closed"]
    assert said(report["amend_gone"]) == ["utter_no_handoff_filed"]
    assert ("handoff_ref", None) in [(e["name"], e["value"]) for e in report["amend_gone"]["events"]]
    assert said(report["amend_api_down"]) != ["utter_handoff_email_amended"]


def test_a_name_alone_or_a_broken_address_after_filing_changes_nothing(report: dict) -> None:
    assert said(report["amend_name_only"]) == ["utter_handoff_amend_how"] and report["amend_name_only"]["calls"] == []
    assert said(report["amend_bad_address"]) == ["utter_invalid_email"] and report["amend_bad_address"]["calls"] == []


def test_cancelling_a_filed_request_withdraws_it(report: dict) -> None:
    """"je veux annuler ma demande" (the API marks the question `withdraw`): the case is withdrawn (deleted by the
    API), the founder told so, the reference forgotten; with nothing filed, said so and nothing called."""
    case = report["withdraw_filed"]
    assert [c[0] for c in case["calls"]] == ["ask", "handoff_withdraw"] and case["calls"][1][1:] == ["GU-7K2P",
                                                                                                    "conv-42"]
    assert said(case) == ["utter_handoff_withdrawn"]
    assert [(e["name"], e["value"]) for e in case["events"]] == [("handoff_ref", None)]
    for name in ("withdraw_nothing_filed", "withdraw_already_gone"):
        assert said(report[name]) == ["utter_no_handoff_filed"], name


def test_an_erasure_request_withdraws_the_filed_request_then_says_what_remains(report: dict) -> None:
    case = report["erase_filed"]
    assert said(case) == ["utter_handoff_withdrawn", "Texte du service (erase)."]
    assert [c[0] for c in report["erase_nothing_filed"]["calls"]] == ["ask"]
    assert said(report["erase_nothing_filed"])[0].startswith("Texte du service (erase).")


def test_a_sentence_at_the_name_question_is_answered_and_no_name(report: dict) -> None:
    """"donne moi une recette de crepes" was taken as the founder's name (tester9's t919): a message of several
    words that the NLU reads neither as contact details nor as holding a name is answered (the API says it is
    off-topic, the form's question follows) and the name asked again; long names stay names."""
    case = report["name_a_sentence"]
    assert case["returned"] == {"person_name": None} and case["calls"][0][0] == "ask"
    assert said(case) == ["utter_out_of_scope"]
    assert report["name_long"]["returned"] == {"person_name": "Fatima Zahra El Idrissi"}
    assert report["name_long_entity"]["returned"] == {"person_name": "Jean de la Fontaine"}


def test_cancelling_the_request_at_the_name_question_leaves_the_form(report: dict) -> None:
    assert report["name_cancel_request"]["returned"] == {"person_name": None, "consent": False,
                                                         "requested_slot": None}
