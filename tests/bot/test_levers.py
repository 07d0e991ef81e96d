"""Every lever reached by a founder's own words, in French and English, through the real Rasa server.

The founders' messages are those of the conversation test stories (bot/tests/test_levers.yml), whose names
say which lever the founder needs; here the real actions and API run, so the lever cards are asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.bot.conftest import Stack
from tests.bot.test_conversations import lever_ids, reach_cards, sender, texts

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STORIES = Path(__file__).resolve().parents[2] / "bot" / "tests" / "test_levers.yml"
DONT_KNOW = {"fr": "je ne sais pas", "en": "I don't know"}


def _cases() -> list[tuple[str, str, str, str]]:
    """(lever id, language, first message, confirmation) from the stories named '<lever> founder (<lang>)'."""
    cases = []
    for story in yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]:
        lever, rest = story["story"].split(" founder (", 1)
        users = [s["user"] for s in story["steps"] if "user" in s]
        cases.append((lever, rest[:2], users[0], users[-1]))
    return cases


@pytest.mark.parametrize(("lever", "lang", "first", "confirm"), _cases(), ids=lambda v: str(v)[:24])
def test_founder_reaches_the_lever_they_need(stack: Stack, lever: str, lang: str, first: str, confirm: str) -> None:
    """The founder's message, at most two answers (or a confirmation) put the right lever first, in their language."""
    out = reach_cards(stack, sender(), first, [DONT_KNOW[lang]] * 2, confirm)
    assert lever_ids(out)[:1] == [lever], texts(out)
    assert ("Prochaine étape" if lang == "fr" else "Next step") in texts(out)
