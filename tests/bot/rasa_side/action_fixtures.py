"""Run in .venv-rasa by the *_check.py scripts: the bot's actions on tracker fixtures, with a fake API.

As RasaHQ/financial-demo tests its actions: a tracker built with `Tracker.from_dict` from the state Rasa
sends the action server, a `CollectingDispatcher`, one action (or one form validation method) run, and what
it said and the events it returned reported. The API is a fake GuichetClient (the actions' only I/O) that
records every call; the real client's errors (ApiUnavailable, ApiRejected) are raised on demand.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from pathlib import Path
from typing import Any

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))

LEVERS = [
    {"id": "imaging", "name": {"fr": "Filière imagerie médicale", "en": "Medical imaging sector"}},
    {"id": "clinical-evaluation",
     "name": {"fr": "Subvention à l'évaluation clinique", "en": "Clinical evaluation subsidy"}},
    {"id": "gnius", "name": {"fr": "G_NIUS, le guichet national", "en": "G_NIUS, the national single window"}},
]
LABELS = {"prototype": "Prototype", "marketed": "Sur le marché", "startup": "Start-up",
          "hospital": "Établissement de santé", "software": "Logiciel",
          "funding-innovation": "Financer le développement d'une innovation"}
PROFILE_KEYS = ("stage", "organisation_type", "product_kind", "medical_device", "ce_marked", "ai")
MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
ROUTED = [{"id": "bpifrance-innovation", "name": "Aide", "reasons": [], "criteria": []}]
# The criteria /route gives a lever asked `about`: a need (not held against a founder who asks), a mark not held.
ASKED_CRITERIA = [{"id": "wants", "name": "Cherche un remboursement", "slot": "needs", "verdict": "not_met"},
                  {"id": "ce", "name": "Marquage CE déjà obtenu", "slot": "ce_marked", "verdict": "not_met"}]


class FakeClient:
    """The API as the actions see it: canned answers, every call recorded. `read`: the profile /route reads
    in a text; `to_ask`: /route's deciding slots; `levers`: /route's levers; `ask`: /ask's answer; `down`:
    unreachable (ApiUnavailable); `rejected`: a 4xx (ApiRejected), 409 when True, else the status given; `gone`:
    the hand-off calls get a 404 (the case no longer exists)."""

    def __init__(self, read: dict[str, Any] | None = None, ask: dict[str, Any] | None = None, down: bool = False,
                 rejected: bool | int = False, gone: bool = False, to_ask: list[str] | None = None,
                 levers: list[dict] | None = None, in_scope: bool = True):
        self.read, self.answer, self.down, self.rejected, self.calls = read or {}, ask, down, rejected, []
        self.gone = gone
        self.to_ask, self.levers, self.in_scope = to_ask or [], ROUTED if levers is None else levers, in_scope

    def _call(self, *what: Any) -> None:
        from actions.client import ApiRejected, ApiUnavailable

        self.calls.append(list(what))
        if self.down:
            raise ApiUnavailable("connection refused")
        if self.rejected or (self.gone and what[0].startswith("handoff_")):
            status = 404 if self.gone else 409 if self.rejected is True else int(self.rejected)
            raise ApiRejected(f"HTTP {status}", status)

    async def route(self, text, profile, lang, about=None):
        self._call("route", text, profile, *([about] if about else []))
        read = {k: None for k in PROFILE_KEYS}
        asked = [{"id": i, "name": i.upper(), "recommended": False, "criteria": ASKED_CRITERIA} for i in about or []]
        return {"in_scope": self.in_scope, "profile": {**read, "needs": [], **(self.read if text else profile)},
                "ask": self.to_ask, "levers": self.levers, "asked": asked}

    async def roadmap(self, text, profile, lang):
        self._call("roadmap", text)
        return "# Feuille de route\n"

    async def ask(self, question, lang, levers=None, topic=None):
        self._call("ask", question, *([topic] if topic else []))
        return self.answer or {"answer": "Réponse.", "citations": [], "in_scope": True, "found": True}

    async def lever_index(self):
        from guichet_contract import LeverIndex

        self._call("levers")
        return LeverIndex.build(LEVERS)

    async def lever(self, lever_id):
        self._call("lever", lever_id)
        found = next((lv for lv in LEVERS if lv["id"] == lever_id), None)
        return {**found, "summary": {"fr": "Résumé.", "en": "Summary."}} if found else None

    async def labels(self, lang):
        self._call("labels")
        return LABELS

    async def handoff(self, payload):
        self._call("handoff", payload)
        return {"reference": "GU-7K2P"}

    async def handoff_note(self, reference, conversation_id, text):
        self._call("handoff_note", reference, conversation_id, text)
        return {"reference": reference}

    async def handoff_amend(self, reference, conversation_id, **change):
        self._call("handoff_amend", reference, conversation_id, change)
        return {"reference": reference, "status": "open"}

    async def handoff_withdraw(self, reference, conversation_id):
        self._call("handoff_withdraw", reference, conversation_id)
        return {"reference": reference, "status": "withdrawn"}


def tracker(text: str, intent: str, slots: dict[str, Any] | None = None, entities: list[dict] | None = None,
            loop: str | None = None, events: list[dict] | None = None, candidates: dict[str, Any] | None = None,
            sender: str = "test"):
    """The tracker of a conversation whose latest message is `text` (read as `intent`), as the action server
    receives it: `events` before the message; `candidates`, slot values the slot mappings took from it (set
    after it, as Rasa does before calling a form's validation)."""
    from rasa_sdk import Tracker

    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    after = [{"event": "slot", "name": k, "value": v} for k, v in (candidates or {}).items()]
    slots = {"language": "fr", "yes_no": "nothing", "privacy_said": True, **(slots or {}), **(candidates or {})}
    return Tracker.from_dict({
        "sender_id": sender, "slots": slots, "latest_message": message, "paused": False,
        "events": [*(events or []), {"event": "user", "text": text, "parse_data": message}, *after],
        "active_loop": {"name": loop} if loop else {}, "latest_action_name": "action_listen",
    })


@functools.lru_cache(maxsize=1)
def domain() -> dict[str, Any]:
    """The parts of the bot's domain the form validations read (their forms' slots)."""
    import yaml

    return {"forms": yaml.safe_load((BOT / "domain" / "core.yml").read_text(encoding="utf-8"))["forms"]}


async def run(action: Any, client: FakeClient, t: Any, method: str | None = None, value: Any = None) -> dict:
    """Runs the action (or one of its methods, `method`, on `value`) and reports what it said, what it
    returned and the API calls it made."""
    from rasa_sdk.executor import CollectingDispatcher

    import actions.client

    actions.client._client = client
    dispatcher = CollectingDispatcher()
    if method:
        result = getattr(action, method)(value, dispatcher, t, domain())
        returned = await result if asyncio.iscoroutine(result) else result
        out: dict[str, Any] = {"returned": returned}
    else:
        events = await action.run(dispatcher, t, domain())
        out = {"events": [{k: e.get(k) for k in ("event", "name", "value") if k in e} for e in events]}
    return {**out, "said": [shown(m) for m in dispatcher.messages], "calls": client.calls}


def shown(message: dict[str, Any]) -> dict[str, Any]:
    """A dispatched message's text, response, buttons and custom payload, and in `kwargs` its other keys: a
    response's template variables (utter_handoff_done's name, ref, days…)."""
    out = {k: message[k] for k in ("text", "response", "buttons", "custom") if message.get(k)}
    kwargs = {k: v for k, v in message.items() if k not in MESSAGE_KEYS}
    return {**out, "kwargs": kwargs} if kwargs else out


def report(table: dict[str, tuple], names: list[str]) -> None:
    """Runs the named cases of `table` (name -> (action, client, tracker[, method, value])), all of them when
    none is named, and prints one `REPORT {json}` line."""
    result = {name: asyncio.run(run(*table[name])) for name in names or table}
    print("REPORT " + json.dumps(result, ensure_ascii=False, default=str))
