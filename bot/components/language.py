"""An NLU component that tags each message with its language (fr or en) as a `language` entity.

The `language` slot fills from that entity, so every reply follows the founder's language. A message with no
telling word (e.g. "ok", "IRM") yields no entity and the slot keeps its value. The detector is the one the
API uses (guichet_contract.language, installed in both environments): the bot and the API read a message
in the same language, and the actions pass it to the API, which does not guess again.
"""

from __future__ import annotations

from typing import Any

from guichet_contract.language import detect
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

__all__ = ["LanguageDetector", "detect"]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageDetector(GraphComponent):
    """Adds {"entity": "language", "value": "fr"|"en"} to messages whose language is clear."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            lang = detect(message.get("text") or "")
            if lang is None:
                continue
            entity = {"entity": "language", "value": lang, "start": 0, "end": 0,
                      "confidence": 1.0, "extractor": "LanguageDetector"}
            message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
