"""Run in .venv-rasa (tests/bot/test_speedups.py): bot/speedups.py must not change any result.

Loads the trained model, parses texts with Rasa's own graph and with the patched processor and prints one
JSON report: the parse results that differ, and whether answers valid and invalid for the action-server
schema are accepted and refused alike.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import sys
import tempfile
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


async def connections_per_request(endpoint_class) -> dict:
    """Four calls through an EndpointConfig to a local HTTP server: the answers, and how many TCP
    connections the server saw."""
    from aiohttp import web

    peers = set()

    async def webhook(request):
        peers.add(request.transport.get_extra_info("peername"))
        return web.json_response({"echo": await request.json(), "auth": request.headers.get("X-Token")})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = endpoint_class(f"http://127.0.0.1:{port}/webhook", headers={"X-Token": "t"})
    answers = [await endpoint.request(json={"n": n}, method="post") for n in range(4)]
    await runner.cleanup()
    return {"answers": answers, "connections": len(peers)}


async def main(model: str, texts: list[str]) -> dict:
    import copy as copy_module

    import jsonschema
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import load_agent
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.shared.utils.common import all_subclasses
    from rasa.utils.endpoints import EndpointConfig

    def slot_copies() -> list:
        return [(type(c).__name__, vars(c), c is not s, vars(c) is not vars(s), c.mappings is s.mappings)
                for s in agent.domain.slots for c in [copy_module.copy(s)]]

    original_resolve = Event.resolve_by_type
    connections_before = await connections_per_request(EndpointConfig)
    original_parse = MessageProcessor._parse_message_with_graph
    original_validate = RemoteAction._validate_action_result
    agent = await load_agent(model_path=model)
    processor = agent.processor

    async def parse_all() -> list[dict]:
        return [copy.deepcopy(await processor.parse_message(UserMessage(t, sender_id="check"))) for t in texts]

    MessageProcessor._parse_message_with_graph = original_parse
    copies_before = slot_copies()
    before = await parse_all()
    import speedups
    import stores
    from channels.settings import settings

    def untouched() -> bool:
        return (MessageProcessor._parse_message_with_graph is original_parse
                and RemoteAction._validate_action_result is original_validate
                and Event.resolve_by_type is original_resolve and "__copy__" not in vars(Slot))

    def store_built(switch: str) -> None:  # as Rasa builds it at start from endpoints.yml
        os.environ[speedups.SWITCH] = switch
        settings.cache_clear()  # the Rasa server reads its settings once: here, once per switch
        with tempfile.TemporaryDirectory() as tmp:
            stores.CheckedSQLTrackerStore(domain=agent.domain, dialect="sqlite", db=str(Path(tmp) / "t.db"))

    store_built("off")
    switch = {"off": untouched(), "other_version": speedups.apply(True, rasa_version="3.6.20") is False}
    switch["refused"] = untouched()
    store_built("on")
    switch["applied_by_store"] = not untouched()
    assert MessageProcessor._parse_message_with_graph is not original_parse, "the parse patch is not applied"
    after = await parse_all()
    differ = [{"text": t, "graph": b, "patched": a} for t, b, a in zip(texts, before, after, strict=True) if a != b]

    answers = {
        "valid": {"events": [{"event": "slot", "name": "stage", "value": "prototype"}], "responses": [{"text": "x"}]},
        "events not a list": {"events": "nope"},
        "event without a name": {"events": [{"value": 1}]},
        "unknown event type": {"events": [{"event": "no_such_event"}]},
        "a whole form step": {"events": [
            {"event": "slot", "name": "stage", "value": "prototype", "timestamp": None},
            {"event": "active_loop", "name": "qualification_form"},
            {"event": "bot", "text": "Où en êtes-vous ?", "data": {"buttons": [{"title": "x", "payload": "/y"}]}},
            {"event": "user", "text": "bonjour", "parse_data": {"intent": {"name": "greet", "confidence": 1.0},
                                                                "entities": [{"entity": "stage", "value": "idea"}]}},
            {"event": "followup", "name": "action_listen"},
        ], "responses": [{"text": "x", "buttons": []}]},
        "timestamp not a number": {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"}]},
        "entity without a value": {"events": [{"event": "user", "text": "x",
                                               "parse_data": {"entities": [{"entity": "stage"}]}}]},
        "event not an object": {"events": ["slot"]},
        "slot name not a string": {"events": [{"event": "slot", "name": 5, "value": 1}]},
        "answer not an object": ["events"],
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
    def resolved(resolve, name: str, default=None) -> str:
        try:
            found = resolve(name, default)
        except ValueError as exc:
            return f"ValueError: {exc}"
        return getattr(found, "__name__", repr(found))

    names = sorted({cls.type_name for cls in all_subclasses(Event)}) + ["topic", "no_such_event"]
    resolve_differ = [
        name for name in names
        for default in (None, Event)
        if resolved(original_resolve, name, default) != resolved(Event.resolve_by_type, name, default)
    ]
    connections_after = await connections_per_request(EndpointConfig)
    copies_after = slot_copies()
    import gc

    frozen_before = gc.get_freeze_count()
    agent.load_model(model)  # the patched load: the model's objects frozen out of the collector
    frozen_after = gc.get_freeze_count()
    reparsed = [copy.deepcopy(await agent.processor.parse_message(UserMessage(t, sender_id="check"))) for t in texts]
    return {"parsed": len(texts), "differ": differ, "validation": verdicts, "switch": switch,
            "connections": {"original": connections_before, "patched": connections_after},
            "frozen": {"before": frozen_before, "after": frozen_after},
            "slot_copy": {"patched": "__copy__" in vars(Slot), "slots": len(copies_before),
                          "same": json.loads(json.dumps(copies_before, default=str))
                          == json.loads(json.dumps(copies_after, default=str))},
            "reloaded_differ": [t for t, b, a in zip(texts, before, reparsed, strict=True) if a != b],
            "event_types": len(names), "resolve_differ": resolve_differ,
            "patched_resolve": Event.resolve_by_type is not original_resolve,
            "patched_validator": RemoteAction._validate_action_result is not original_validate,
            "quick_validator": "quick" in RemoteAction._validate_action_result.__code__.co_freevars}


if __name__ == "__main__":
    model_path, texts_json = sys.argv[1], sys.argv[2]
    report = asyncio.run(main(model_path, json.loads(Path(texts_json).read_text(encoding="utf-8"))))
    print("REPORT " + json.dumps(report, ensure_ascii=False, default=str))
