"""bot/actions/profile.py: what a founder's message changes in the profile, and how the profile is said back
(pure functions: no Rasa needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from actions.common import (  # noqa: E402
    holds_patient_identity,
    is_another_project,
    is_withdrawal,
    split_question,
)
from actions.profile import changes, summary  # noqa: E402

KNOWN = {"stage": "prototype", "organisation_type": "startup", "product_kind": "software", "medical_device": None,
         "ce_marked": None, "ai": None, "needs": ["funding-innovation"]}
LABELS = {"prototype": "Prototype", "marketed": "Sur le marché", "startup": "Start-up",
          "hospital": "Établissement de santé", "software": "Logiciel", "funding-innovation": "Financer",
          "regulatory": "Réglementation"}


def test_a_correction_overrides_what_was_known() -> None:
    read = {"stage": "marketed", "organisation_type": "hospital", "medical_device": True, "ce_marked": True}
    assert changes(read, KNOWN, dont_know=False) == read


def test_what_is_read_again_unchanged_is_no_change() -> None:
    same = {"stage": "prototype", "needs": ["funding-innovation"]}
    assert changes(same, KNOWN, dont_know=False) == {}


def test_a_dont_know_states_nothing() -> None:
    """"no idea" is no stage "idea"; "je sais pas si c'est un dispositif médical" is no medical device."""
    assert changes({"stage": "idea", "medical_device": True}, KNOWN, dont_know=True) == {}


def test_needs_add_up_the_latest_first() -> None:
    """A need read in passing (the CE mark is also a regulatory need) does not erase the one given."""
    assert changes({"needs": ["regulatory"]}, KNOWN, dont_know=False) == {
        "needs": ["regulatory", "funding-innovation"]}


def test_a_need_set_aside_leaves_unless_it_is_the_only_one() -> None:
    """"Plutôt tester, pas le financement" replaces the need; a message only setting aside the one need there is
    keeps it (the form would have none to route on)."""
    assert changes({"needs": ["field-testing"]}, KNOWN, dont_know=False, unwanted=["funding-innovation"]) == {
        "needs": ["field-testing"]}
    assert changes({}, KNOWN, dont_know=False, unwanted=["funding-innovation"]) == {}


def test_the_summary_says_the_medical_device_and_ce_status() -> None:
    """Medical-device status always (unknown said so, never "oui"); CE status once it matters or is known."""
    assert summary(KNOWN, LABELS, "fr") == (
        "Logiciel ; stade : Prototype ; Start-up ; dispositif médical : à préciser ; besoin : Financer")
    marked = {**KNOWN, "medical_device": True, "ce_marked": True, "ai": False}
    assert "dispositif médical : oui ; marquage CE : obtenu ; IA : non" in summary(marked, LABELS, "fr")
    assert "medical device: yes; CE mark: obtained; AI: no" in summary(marked, LABELS, "en")


def test_a_change_is_said_back_alone() -> None:
    assert summary({"ce_marked": True}, LABELS, "fr", ["ce_marked"]) == "marquage CE : obtenu"
    assert summary({"organisation_type": "hospital"}, LABELS, "en", ["organisation_type"]) == "Établissement de santé"


@pytest.mark.parametrize(
    ("text", "stated", "asked"),
    [
        ("On a une appli de coaching sportif, est-ce un dispositif médical ?",
         "On a une appli de coaching sportif", "est-ce un dispositif médical ?"),
        ("Notre DM est marqué CE, il nous faut une étude : qui peut la cofinancer ?",
         "Notre DM est marqué CE, il nous faut une étude :", "qui peut la cofinancer ?"),
        ("quick question: do we need HDS-certified hosting?", "quick question:", "do we need HDS-certified hosting?"),
        ("how do we get reimbursed?", "", "how do we get reimbursed?"),
        ("comment obtenir le forfait innovation", "", "comment obtenir le forfait innovation"),
        ("non en fait on a déjà le marquage CE", "non en fait on a déjà le marquage CE", ""),
        ("on cherche un financement ou des données", "on cherche un financement ou des données", ""),
        ('/inform{"stage":"idea"}', "", ""),
        # the asking word last (tester10's "ok et tu sers a quoi"); a closing "quoi" alone is a filler
        ("ok et tu sers a quoi", "", "ok et tu sers a quoi"),
        ("et pour le marquage CE on fait comment", "", "et pour le marquage CE on fait comment"),
        ("on a une appli de suivi quoi", "on a une appli de suivi quoi", ""),
    ],
)
def test_a_message_is_split_into_what_it_states_and_what_it_asks(text: str, stated: str, asked: str) -> None:
    """The statements are read for the profile; the question is answered (a question states nothing, so
    "est-ce un dispositif médical ?" never sets the medical-device status)."""
    assert split_question(text) == (stated, asked)


@pytest.mark.parametrize(
    ("text", "identifies"),
    [
        ("voici le dossier de mon patient Jean Dupont, né le 12/03/1960, numéro de sécu 1 60 03 75 123 456 78", True),
        ("Here is my patient's file: John Smith, born 12 March 1960, diabetic, HbA1c 9%", True),
        ("patient 1 60 03 75 123 456 78, on l'inclut ?", True),
        # a founder's own figures, a company number, a phone: no patient's identity
        ("on a levé 1 500 000 euros en 2024, 12 salariés", False),
        ("SIRET 123 456 789 00012", False),
        ("appelez-moi au 06 12 34 56 78", False),
    ],
)
def test_a_pasted_patient_identity_is_recognised(text: str, identifies: bool) -> None:
    assert holds_patient_identity(text) is identifies


@pytest.mark.parametrize("text", ["annuler", "stop", "laisse tomber", "I don't want to give my email", "ok cancel",
                                  "non finalement laisse tomber", "en fait, annule", "actually, never mind"])
def test_leaving_a_form_is_recognised(text: str) -> None:
    assert is_withdrawal(text)


def test_a_name_or_an_address_is_no_withdrawal() -> None:
    assert not is_withdrawal("Marie Curie") and not is_withdrawal("stopha@exemple.fr")
    assert not is_withdrawal("Bon Stéphane")


@pytest.mark.parametrize(("text", "another"), [
    ("on recommence, j'ai un autre projet : une PME qui fait un logiciel pour EHPAD", True),
    ("new question: we have another project, a telehealth app", True),
    ("we have a project for diabetes follow-up", False),
    ("notre projet avance, on a un prototype", False),
])
def test_another_project_is_told_from_the_same_one(text: str, another: bool) -> None:
    """"On recommence, j'ai un autre projet" starts afresh; a project described again does not."""
    assert is_another_project(text) is another
