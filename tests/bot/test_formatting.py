"""The cards and buttons the actions build from /route's levers."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from actions.formatting import card, card_buttons  # noqa: E402

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
