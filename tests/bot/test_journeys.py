"""Founders' whole journeys through the real stack (API, actions, Rasa), judged as ../shared/eval/converse.py
judges them: eval/conversations.jsonl (written blind, as founders type: typos, questions mid-form,
corrections, changes of mind, don't-knows, off-topic, yes/no after the bot's own questions, patients) and,
when present, the shared examples ../shared/eval/conversations-dev.jsonl.

Each journey: {"id", "turns", "expect", "forbid", "expect_last", "forbid_last"}; expect: each regex matches
some reply of the conversation; forbid: none matches any reply; *_last: the same on the replies to the last
turn. A reply is its text followed by its other fields as JSON (buttons, custom payload), as converse.py
renders it.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from tests.bot.conftest import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SUITES = [ROOT / "eval" / "conversations.jsonl", ROOT.parent / "shared" / "eval" / "conversations-dev.jsonl"]
# Journeys known to fail today, each with why: strict, so one that starts passing fails until it is taken out.
KNOWN_MISSES = json.loads((ROOT / "eval" / "conversations-known-misses.json").read_text(encoding="utf-8"))


def journeys() -> list[dict]:
    out = []
    for path in SUITES:
        if path.exists():
            out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def rendered(replies: list[dict]) -> str:
    """The replies as converse.py reads them: each text, then the reply's other fields as JSON."""
    return "\n".join(
        json.dumps(r, ensure_ascii=False) if "text" not in r
        else r["text"] + " " + json.dumps({k: v for k, v in r.items() if k != "text"}, ensure_ascii=False)
        for r in replies
    )


def misses(journey: dict, whole: str, last: str) -> list[str]:
    """What the journey's replies fail of its expectations (empty when it passes)."""
    out = [f"missing /{rx}/" for rx in journey.get("expect", []) if not re.search(rx, whole, re.I)]
    out += [f"forbidden /{rx}/" for rx in journey.get("forbid", []) if re.search(rx, whole, re.I)]
    out += [f"last missing /{rx}/" for rx in journey.get("expect_last", []) if not re.search(rx, last, re.I)]
    out += [f"last forbidden /{rx}/" for rx in journey.get("forbid_last", []) if re.search(rx, last, re.I)]
    return out


def test_the_suite_is_large_and_bilingual() -> None:
    """At least 60 journeys of several turns each, in French and English."""
    own = [j for j in journeys() if j["id"].startswith("c")]
    assert len(own) >= 60
    assert sum(len(j["turns"]) > 1 for j in own) >= 40


def _marked(journey: dict) -> object:
    why = KNOWN_MISSES.get(journey["id"])
    return pytest.param(journey, marks=pytest.mark.xfail(reason=why, strict=True)) if why else journey


@pytest.mark.parametrize("journey", [_marked(j) for j in journeys()], ids=lambda j: j["id"])
def test_journey(stack: Stack, journey: dict) -> None:
    """The journey's replies say what they must and nothing they must not (see the module docstring)."""
    who = f"journey-{journey['id']}-{uuid.uuid4().hex[:6]}"
    whole, last, transcript = "", "", []
    for turn in journey["turns"]:
        last = rendered(stack.say(who, turn))
        whole += "\n" + last
        transcript.append(f"> {turn}\n{last}")
    problems = misses(journey, whole, last)
    assert not problems, "; ".join(problems) + "\n" + "\n".join(transcript)[-3000:]
