"""The cards and buttons the actions build from /route's levers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from actions.formatting import card, card_buttons, cards_text, eligibility_text, why_text  # noqa: E402

LEVER = {"id": "has-evaluation", "name": "Accès au marché", "reasons": ["Étapes qui vous concernent : PECAN", "Besoin"],
         "amounts": [], "next_steps": ["Préparer le dossier"], "sources": ["HAS, 2023"], "criteria": [],
         "topics": [{"id": "pecan", "name": "PECAN", "summary": "Prise en charge anticipée."}]}


def test_a_cards_topic_gets_its_details_button_before_the_lever() -> None:
    """The step the founder asked about (PECAN within market access) is named on the card and has its own
    details button, placed before the lever's; a card without topics keeps one button."""
    shown = card(LEVER, "fr")
    assert shown["topics"] == [{"id": "pecan", "name": "PECAN"}]
    assert shown["why"][0] == "Étapes qui vous concernent : PECAN"
    plain = card({**LEVER, "id": "gnius", "name": "G_NIUS", "topics": []}, "fr")
    payloads = [b["payload"] for b in card_buttons([shown, plain], "fr")]
    assert payloads[:3] == ['/ask_about_lever{"lever":"pecan"}', '/ask_about_lever{"lever":"has-evaluation"}',
                            '/ask_about_lever{"lever":"gnius"}']


def test_a_card_says_where_its_lever_stands_only_when_it_must() -> None:
    """A closed call is said on the card (all channels' text too); a scheme in force is not."""
    closed = {**LEVER, "status": {"value": "closed", "text": "clos (information de mars 2024)", "told": True}}
    running = {**LEVER, "status": {"value": "in-force", "text": "en vigueur (information de mai 2025)", "told": False}}
    assert card(closed, "fr")["status"] == "clos (information de mars 2024)" and card(running, "fr")["status"] is None
    assert "Où en est-on : clos (information de mars 2024)" in cards_text([card(closed, "fr")], "fr")
    assert "Où en est-on" not in cards_text([card(running, "fr")], "fr")


def test_why_and_eligibility_follow_ups_read_the_routed_levers() -> None:
    """"Pourquoi ?" lists each lever's reasons; "je suis éligible ?" the lever's verdict first (a criterion not met:
    not eligible yet; one to confirm: to be confirmed; all met: eligible), then each criterion with its verdict."""
    routed = {**LEVER, "criteria": [{"name": "Start-up", "verdict": "met"}, {"name": "Marqué CE", "verdict": "unknown"},
                                    {"name": "Moins d'un an", "verdict": "not_met"}]}
    assert why_text([routed], "fr") == ["• Accès au marché : Étapes qui vous concernent : PECAN ; Besoin"]
    assert eligibility_text([routed], "en") == [
        "• Accès au marché: not eligible yet on what you told me — Start-up (met); Marqué CE (to be confirmed); "
        "Moins d'un an (not met)"]
    unsure = {**routed, "criteria": routed["criteria"][:2]}
    assert "éligibilité à confirmer — Start-up (rempli)" in eligibility_text([unsure], "fr")[0]
    met = {**routed, "criteria": routed["criteria"][:1]}
    assert eligibility_text([met], "fr") == ["• Accès au marché : a priori éligible — Start-up (rempli)"]
    assert eligibility_text([{**LEVER, "criteria": []}], "fr") == [
        "• Accès au marché : aucun critère d'éligibilité n'est indiqué pour ce levier"]
    closed = {**routed, "status": {"text": "clos (information de mars 2024)", "told": True}}
    assert eligibility_text([closed], "fr")[0].startswith(
        "• Accès au marché (Où en est-on : clos (information de mars 2024)) : pas encore éligible")
