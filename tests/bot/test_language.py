"""bot/components/language.py in .venv-rasa: the language every reply follows, told from the founder's words."""

from __future__ import annotations

import pytest

from .conftest import rasa_side_report

CASES = {
    # English contractions: the letters after the apostrophe are not French elisions
    "let's start over": "en",
    "it's a prototype": "en",
    "that's right": "en",
    "we don't know yet": "en",
    "I'm not sure": "en",
    # French elisions, before the apostrophe
    "c'est un prototype": "fr",
    "l'aide de Bpifrance": "fr",
    "s'il vous plaît": "fr",
    "qu'est-ce que c'est ?": "fr",
    "on n'a pas d'idée": "fr",
    # nothing tells: the slot keeps the conversation's language
    "ok": None,
    "IRM": None,
}


@pytest.mark.slow
def test_language_is_told_from_the_founders_words() -> None:
    assert rasa_side_report("language_check.py", *CASES) == CASES
