"""The roadmap document built from a /route answer."""

from __future__ import annotations

from api.core.roadmap import render


def test_a_levers_topics_are_named_under_it_inert() -> None:
    """The steps a card names (early coverage within market access) come under their lever, as inert text."""
    routed = {
        "levers": [
            {
                "id": "has-evaluation",
                "name": "Accès au marché",
                "summary": "Évaluation par la HAS.",
                "topics": [{"id": "pecan", "name": "PECAN", "summary": "Prise en charge *anticipée* d'un an."}],
            }
        ]
    }
    doc = render(routed, {}, "fr")
    head, _, rest = doc.partition("## 1. Accès au marché")
    assert "### Étapes qui vous concernent\n- **PECAN** — Prise en charge \\*anticipée\\* d'un an." in rest
    assert "Steps that concern" not in doc and "### Steps that concern you" in render(routed, {}, "en")
