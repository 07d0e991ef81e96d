"""Run in .venv-rasa (tests/bot/test_story_intents.py): the trained model reads each typed message of the test
stories (bot/tests/*.yml) as the story labels it. `rasa test core` takes the story's intent as given; this
checks the NLU on wording its training data never saw (no test story copies an NLU example)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import yaml

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


async def main() -> None:
    from rasa.core.agent import Agent

    agent = Agent.load(str(BOT / "models" / "current.tar.gz"))
    misread = []
    total = 0
    for path in sorted((BOT / "tests").glob("*.yml")):
        for story in yaml.safe_load(path.read_text(encoding="utf-8"))["stories"]:
            for step in story["steps"]:
                if "user" in step:
                    total += 1
                    got = (await agent.parse_message(step["user"].strip()))["intent"]["name"]
                    if got != step["intent"]:
                        misread.append({"text": step["user"].strip(), "story": step["intent"], "nlu": got})
    print("REPORT " + json.dumps({"total": total, "misread": misread}, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
