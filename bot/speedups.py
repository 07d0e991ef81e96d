"""Measured fixes to Rasa 3.6's per-turn cost, applied by one call, `apply`, when the Rasa server starts.

Rasa enters this project's code at start by building the tracker store bot/endpoints.yml names
(stores.CheckedSQLTrackerStore), before it loads the model: its constructor calls `apply(settings().speedups)`.
They patch Rasa's internals, so they are applied only to the Rasa they were checked against (RASA_VERSION,
the pin of bot/requirements.txt; another version: refused, with a warning, and Rasa runs as shipped), and
GUICHET_RASA_SPEEDUPS=off leaves Rasa as shipped. tests/bot/test_speedups.py checks each against Rasa's own
result (tests/bot/rasa_side/speedups_check.py): run it before raising RASA_VERSION.

Each was found with py-spy under load (scripts/load.py rasa --profile) and changes no result:

1. RemoteAction._validate_action_result checks every action server answer with `jsonschema.validate`, which
   first re-validates the (constant) response schema against the draft 2020-12 meta-schema and builds a new
   validator: about half of the Rasa server's CPU (24 % in the schema self-check alone; 38 ms per answer,
   4 ms with a validator built once). Here the schema is checked once and validators built once; and
   since even a prebuilt validator spent 3 ms an answer trying each event against the 23 event types of
   the schema's `oneOf` (6 % of the server's CPU), each event is checked against its own type only
   (`_discriminated`, 0.3 ms); an answer refused that way goes to the whole schema, so the verdict, the
   error and its message are Rasa's own (`jsonschema.validate`'s best match).
2. A button payload ("/inform{...}") runs the whole NLU pipeline (featurizers, classifier, CRF) before the
   graph's last node, the RegexMessageHandler, throws all of it away and returns the payload's intent and
   entities. Here a payload whose intent the domain knows gets that same result without the pipeline;
   anything else (free text, a malformed or unknown payload) goes through the graph as before.
3. Event.resolve_by_type walks every subclass of Event (and asks `inspect.isabstract` of each) to find the
   class of one event type name, for every event read from the store at every turn and every event of an
   action server answer: 8 % of the server's CPU. Here the name -> class table is built once, in the same
   order (the first class found wins, as in Rasa); a name it does not know (an Event subclass defined
   later) goes to Rasa's own walk, which also keeps its defaults and errors.
4. EndpointConfig.request (every custom action's call to the action server) opens a new aiohttp session,
   hence a new TCP connection, for each call and closes it after. Here each endpoint keeps one session per
   event loop, with the same headers, auth and timeout, whose idle connections are kept 2 s: shorter than
   the action server's keep-alive (Sanic's 5 s), so the client, never the server, closes an idle one and
   a request never goes out on a connection the server is closing.
5. Python's collector walks every tracked object at each full (oldest-generation) collection: with
   TensorFlow, scikit-learn and the model loaded, half a million objects, 270-340 ms during which the
   server answers nobody (measured every 30-40 s under load). Once the model is loaded, the objects that
   exist then are frozen (`gc.freeze()`, made for this): they are never collected, the
   collector walks only what turns allocate. The model lives as long as the process anyway; a new
   model loaded later freezes what exists then.
6. Every DialogueStateTracker made (a retrieve, and each prior tracker the policies and forms replay) copies
   the domain's slots with `copy.copy`, which goes through `__reduce_ex__` and `copyreg` for each: Slot
   gets the `__copy__` that protocol amounts to for a class without slots or custom state (a new instance,
   the same attribute dict, shallow), 2.5 times faster.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)
RASA_VERSION = "3.6.21"  # the Rasa every patch below was checked against (bot/requirements.txt pins it)
SWITCH = "GUICHET_RASA_SPEEDUPS"  # read with the Rasa server's other settings (channels/settings.py)
_applied = False


def apply(on: bool = True, rasa_version: str | None = None) -> bool:
    """Apply every patch, once, if on and the installed Rasa is RASA_VERSION; whether they are applied."""
    global _applied
    if not on:
        log.info("speedups off (%s=off): Rasa runs as shipped", SWITCH)
        return _applied
    if _applied:
        return True
    if rasa_version is None:
        from rasa.version import __version__ as rasa_version
    if rasa_version != RASA_VERSION:
        log.warning(
            "speedups NOT applied: written and checked for Rasa %s, this is Rasa %s; Rasa runs as shipped (slower). "
            "Check them with tests/bot/test_speedups.py, then set speedups.RASA_VERSION; %s=off silences this.",
            RASA_VERSION, rasa_version, SWITCH,
        )  # fmt: skip
        return False
    _validate_once()
    _skip_nlu_for_payloads()
    _event_classes_once()
    _kept_endpoint_sessions()
    _freeze_after_model_load()
    _quick_slot_copy()
    _applied = True
    log.info("speedups applied (Rasa %s; %s=off to leave Rasa as shipped)", rasa_version, SWITCH)
    return True


def _validate_once() -> None:
    """Replace the per-answer validation by a prebuilt validator."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)  # the class jsonschema.validate picks for this schema
    cls.check_schema(schema)
    validator = cls(schema)
    quick = _discriminated(schema, cls)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        if quick is not None and quick(result):
            return True
        try:  # the whole schema: Rasa's own verdict and error
            error = best_match(validator.iter_errors(result))
            if error is not None:
                raise error
            return True
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    log.debug("speedups: action server answers validated by a prebuilt %s", cls.__name__)


def _discriminated(schema: dict[str, Any], cls: Any) -> Any:
    """A quick check equivalent to the whole schema for the answers it accepts, or None.

    The schema's events are a `oneOf` of 23 event types told apart by the const of `event`: jsonschema
    tries every branch for every event. Here the answer is checked against the schema without that
    `oneOf`, then each event against the one branch of its type, which is what `oneOf` amounts to when
    each branch requires its own const. Anything refused here goes to the whole schema.
    """
    import copy

    items = schema.get("properties", {}).get("events", {}).get("items", {})
    by_type: dict[str, Any] = {}
    for branch in items.get("oneOf") or []:
        const = branch.get("properties", {}).get("event", {}).get("const")
        if not isinstance(const, str) or const in by_type:
            return None  # not a union told apart by `event`: no shortcut
        by_type[const] = cls(branch)
    if not by_type:
        return None
    outer_schema = copy.deepcopy(schema)
    del outer_schema["properties"]["events"]["items"]["oneOf"]
    outer = cls(outer_schema)

    def accepted(result: Any) -> bool:
        if not outer.is_valid(result):
            return False
        for event in result.get("events") or []:
            branch = by_type.get(event["event"])
            if branch is None or not branch.is_valid(event):
                return False
        return True

    return accepted


def _skip_nlu_for_payloads() -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.shared.constants import INTENT_MESSAGE_PREFIX
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    through_graph = MessageProcessor._parse_message_with_graph

    def _parse_message_with_graph(
        self: MessageProcessor, message: Any, tracker: Any, only_output_properties: bool = True
    ) -> dict[str, Any]:
        text = (message.text or "").strip()
        if text.startswith(INTENT_MESSAGE_PREFIX):
            # What the graph's RegexMessageHandler node returns for this text, whatever the nodes before it found.
            unpacked = YAMLStoryReader.unpack_regex_message(
                Message({TEXT: text}), self.domain, entity_extractor_name="RegexMessageHandler"
            )
            if unpacked.get(INTENT):
                parse_data: dict[str, Any] = {
                    TEXT: "",
                    INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    ENTITIES: [],
                }
                parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
                return parse_data
        return through_graph(self, message, tracker, only_output_properties)

    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]


def _event_classes_once() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    walk = Event.resolve_by_type
    table: dict[str, Any] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        found = table.get(type_name)
        return found if found is not None else walk(type_name, default)

    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]


KEEPALIVE_S = 2.0  # under Sanic's KEEP_ALIVE_TIMEOUT (5 s), the action server's


class _Kept:
    """`async with endpoint.session() as s` for a session that outlives the block."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def _kept_endpoint_sessions() -> None:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    fresh = EndpointConfig.session

    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # outside any event loop: Rasa's own, closed by its caller
            return fresh(self)
        kept = self.__dict__.get("_guichet_session")
        if kept is None or kept[0] is not loop or kept[1].closed:
            basic = self.basic_auth
            auth = aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None
            kept = (loop, aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            ))
            self.__dict__["_guichet_session"] = kept
        return _Kept(kept[1])

    EndpointConfig.session = session  # type: ignore[method-assign]


def _freeze_after_model_load() -> None:
    import gc

    from rasa.core.agent import Agent

    load_model = Agent.load_model

    def load_then_freeze(self: Agent, *args: Any, **kwargs: Any) -> Any:
        result = load_model(self, *args, **kwargs)
        gc.collect()
        gc.freeze()
        log.debug("speedups: %d objects of the loaded model kept out of the collector", gc.get_freeze_count())
        return result

    Agent.load_model = load_then_freeze  # type: ignore[method-assign]


def _quick_slot_copy() -> None:
    from rasa.shared.core.slots import Slot
    from rasa.shared.utils.common import all_subclasses

    protocol = ("__copy__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__slots__")
    for cls in [Slot, *all_subclasses(Slot)]:
        if any(name in vars(cls) for name in protocol):
            log.warning("speedups: %s defines its own copy protocol; slots copied by copy.copy", cls.__name__)
            return

    def __copy__(self: Any) -> Any:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        return new

    Slot.__copy__ = __copy__  # type: ignore[attr-defined]

