"""Run in .venv-rasa (tests/bot/test_speedups.py): bot/speedups.py must not change any result.

Loads the trained model, parses texts with Rasa's own graph and with the patched processor and prints one
JSON report: the parse results that differ, and whether answers valid and invalid for the action-server
schema are accepted and refused alike.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


async def main(model: str, texts: list[str]) -> dict:
    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    original_parse = MessageProcessor._parse_message_with_graph
    original_validate = RemoteAction._validate_action_result
    agent = await load_agent(model_path=model)
    processor = agent.processor

    async def parse_all() -> list[dict]:
        return [copy.deepcopy(await processor.parse_message(UserMessage(t, sender_id="check"))) for t in texts]

    MessageProcessor._parse_message_with_graph = original_parse
    before = await parse_all()
    import speedups

    speedups.apply()
    assert MessageProcessor._parse_message_with_graph is not original_parse, "the parse patch is not applied"
    after = await parse_all()
    differ = [{"text": t, "graph": b, "patched": a} for t, b, a in zip(texts, before, after, strict=True) if a != b]

    answers = {
        "valid": {"events": [{"event": "slot", "name": "stage", "value": "prototype"}], "responses": [{"text": "x"}]},
        "events not a list": {"events": "nope"},
        "event without a name": {"events": [{"value": 1}]},
        "unknown event type": {"events": [{"event": "no_such_event"}]},
    }
    action = RemoteAction.__new__(RemoteAction)
    verdicts = {}
    for name, answer in answers.items():
        outcome = []
        for validate in (original_validate, RemoteAction._validate_action_result):
            try:
                outcome.append(("ok", validate(action, answer)))
            except jsonschema.ValidationError as exc:
                outcome.append(("refused", exc.message))
        verdicts[name] = {"original": outcome[0], "patched": outcome[1]}
    return {"parsed": len(texts), "differ": differ, "validation": verdicts,
            "patched_validator": RemoteAction._validate_action_result is not original_validate}


if __name__ == "__main__":
    model_path, texts_json = sys.argv[1], sys.argv[2]
    report = asyncio.run(main(model_path, json.loads(Path(texts_json).read_text(encoding="utf-8"))))
    print("REPORT " + json.dumps(report, ensure_ascii=False, default=str))
