"""Two measured fixes to Rasa 3.6's per-turn cost, applied when Rasa imports this project's modules.

Both were found with py-spy under load (scripts/load.py rasa --profile) and change no result:

1. RemoteAction._validate_action_result checks every action server answer with `jsonschema.validate`, which
   first re-validates the (constant) response schema against the draft 2020-12 meta-schema and builds a new
   validator: about half of the Rasa server's CPU (24 % in the schema self-check alone; 38 ms per answer,
   4 ms here). Here the validator is built, and the schema checked, once; every answer is still validated
   against the same schema, with the same error and message on failure.
2. A button payload ("/inform{...}") runs the whole NLU pipeline (featurizers, classifier, CRF) before the
   graph's last node, the RegexMessageHandler, throws all of it away and returns the payload's intent and
   entities. Here a payload whose intent the domain knows gets that same result without the pipeline;
   anything else (free text, a malformed or unknown payload) goes through the graph as before.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Text

log = logging.getLogger(__name__)
_applied = False


def apply() -> None:
    """Replace the per-answer validation by a prebuilt validator (idempotent)."""
    global _applied
    if _applied:
        return
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)  # the class jsonschema.validate picks for this schema
    cls.check_schema(schema)
    validator = cls(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            validator.validate(result)
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
    _skip_nlu_for_payloads()
    _applied = True
    log.debug("speedups: action server answers validated by a prebuilt %s", cls.__name__)


def _skip_nlu_for_payloads() -> None:
    from rasa.core.processor import MessageProcessor
    from rasa.shared.constants import INTENT_MESSAGE_PREFIX
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
    from rasa.shared.nlu.training_data.message import Message

    through_graph = MessageProcessor._parse_message_with_graph

    def _parse_message_with_graph(
        self: MessageProcessor, message: Any, tracker: Any, only_output_properties: bool = True
    ) -> Dict[Text, Any]:
        text = (message.text or "").strip()
        if text.startswith(INTENT_MESSAGE_PREFIX):
            # What the graph's RegexMessageHandler node returns for this text, whatever the nodes before it found.
            unpacked = YAMLStoryReader.unpack_regex_message(
                Message({TEXT: text}), self.domain, entity_extractor_name="RegexMessageHandler"
            )
            if unpacked.get(INTENT):
                parse_data: Dict[Text, Any] = {
                    TEXT: "",
                    INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                    ENTITIES: [],
                }
                parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
                return parse_data
        return through_graph(self, message, tracker, only_output_properties)

    MessageProcessor._parse_message_with_graph = _parse_message_with_graph  # type: ignore[method-assign]
