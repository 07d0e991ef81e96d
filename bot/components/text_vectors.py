"""The shared part of the NLU's dense featurizers: one vector per message text, times `scale`, added as a dense
*sentence* feature of the text (components/sentence_embedding.py, components/word_vectors.py); and
`one_blas_thread`, which the featurizers and the intent classifier put around their matrix products when
they read a conversation's message.

Why one BLAS thread at inference: OpenBLAS splits even a product of one message's vector across every core,
and its worker threads then spin, waiting for more work, for a while after each call. A Rasa server
answering many conversations gets its parallelism from them, not from inside one message: measured with
one founder on 2 cores (docs/benchmarks.md), the spinning doubled Rasa's CPU per turn (25 → 50 ms) for no
gain in latency, CPU the API and the action server then lack. Training keeps every thread (large batches).
"""

from __future__ import annotations

import contextlib
import functools
from abc import abstractmethod
from collections.abc import Iterator
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@functools.lru_cache(maxsize=1)
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Within the block, BLAS runs on the calling thread only (threadpoolctl, a scikit-learn dependency; the
    libraries are looked up once per process, the limit costs about 0.1 ms)."""
    with _blas_controller().limit(limits=1, user_api="blas"):
        yield


class ScaledTextVectorFeaturizer(DenseFeaturizer, GraphComponent):
    """Not trainable: `vectors` reads the texts with a frozen model; subclasses say how."""

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not float(config.get("scale", 0)) > 0:
            raise RasaException(f"{cls.__name__}: 'scale' must be a positive number")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._scale = np.float32(config["scale"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScaledTextVectorFeaturizer:
        # Rasa's graph names every node (node_name is optional only outside a graph)
        return cls(config, execution_context.node_name or cls.__name__)

    @abstractmethod
    def vectors(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order."""

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return
        rows = self.vectors([m.get(TEXT) for m in todo]) * self._scale
        for message, row in zip(todo, rows, strict=True):
            # sentence features only: Rasa skips a None sequence (its annotation omits Optional)
            self.add_features_to_message(None, row[None, :], TEXT, message)  # type: ignore[arg-type]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        # a conversation's message: one BLAS thread (the module's docstring says why)
        with one_blas_thread():
            self._featurize(messages)
        return messages
