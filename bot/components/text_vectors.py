"""The shared part of the NLU's dense featurizers: one vector per message text, times `scale`, added as a dense
*sentence* feature of the text (components/sentence_embedding.py, components/word_vectors.py)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, Dict, List, Text

import numpy as np

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


class ScaledTextVectorFeaturizer(DenseFeaturizer, GraphComponent):
    """Not trainable: `vectors` reads the texts with a frozen model; subclasses say how."""

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not float(config.get("scale", 0)) > 0:
            raise RasaException(f"{cls.__name__}: 'scale' must be a positive number")

    def __init__(self, config: Dict[Text, Any], name: Text) -> None:
        super().__init__(name, config)
        self._scale = np.float32(config["scale"])

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ScaledTextVectorFeaturizer":
        return cls(config, execution_context.node_name)

    @abstractmethod
    def vectors(self, texts: List[str]) -> np.ndarray:
        """One row per text, in order."""

    def _featurize(self, messages: List[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return
        rows = self.vectors([m.get(TEXT) for m in todo]) * self._scale
        for message, row in zip(todo, rows):
            self.add_features_to_message(None, row[None, :], TEXT, message)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
