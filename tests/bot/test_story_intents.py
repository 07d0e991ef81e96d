"""The NLU reads the test stories' typed messages as labelled (tests/bot/rasa_side/story_intents_check.py)."""

from __future__ import annotations

import pytest

from .conftest import MODEL, rasa_side_report


@pytest.mark.slow
def test_the_test_stories_messages_are_read_as_labelled() -> None:
    if not MODEL.exists():
        pytest.skip("no trained model: run `make bot-model`")
    report = rasa_side_report("story_intents_check.py")
    assert report["total"] > 100 and report["misread"] == []
