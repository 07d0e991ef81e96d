"""Rasa's LogisticRegressionClassifier on TF-IDF-weighted counts, with its regularisation exposed.

Rasa's own classifier feeds raw counts to a logistic regression with C fixed at 1. Its sparse features are
mostly the n-gram counts of the CountVectorsFeaturizers, so a long message weighs more than a short one and
n-grams every intent shares ("de", "le ", "ous") weigh as much as the telling ones. This subclass weights the
sparse sentence features as text classifiers usually do, before the same LogisticRegression:
- sublinear term frequency (1 + log count) and inverse document frequency, learnt on the training examples;
- each message's sparse row L2-normalised, then multiplied by `sparse_scale`;
- dense sentence features (components.sentence_embedding, components.word_vectors) appended as they come
  (their scale is theirs);
- with `exemplar_scale` > 0, one more feature per intent: the highest cosine between the message's dense
  features and those of that intent's training examples (each training example compared with the others
  only, never with itself), times `exemplar_scale`: what a nearest-neighbour reader sees, which a linear
  model over the whole class cannot (an intent's phrasings form several clusters);
- `C` set from the configuration.
Chosen by cross-validation on the same folds as Rasa's component (bot/results/README.md). The learnt IDF
weights and the training examples' normalised dense features with their intents are stored beside the
classifier in the model; prediction, ranking and output are Rasa's.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, diags, hstack, vstack

from components.text_vectors import one_blas_thread

log = logging.getLogger(__name__)

IDF_FILE = "idf.npy"
EXEMPLARS_FILE = "exemplars.npz"


def sublinear_tf(counts: csr_matrix) -> csr_matrix:
    """1 + log(count) for each non-zero count (the sparse features are non-negative counts or flags)."""
    out = counts.copy().astype(np.float64)
    out.data = 1.0 + np.log(np.maximum(out.data, 1e-12))
    out.data[out.data < 0] = 0.0
    return out


def learn_idf(counts: csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]) if counts.nnz else np.zeros(counts.shape[1])
    return np.log((1.0 + n) / (1.0 + df)) + 1.0


def weight(counts: csr_matrix, idf: np.ndarray, scale: float) -> csr_matrix:
    """TF-IDF rows, each L2-normalised, times scale."""
    x = sublinear_tf(counts) @ diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
    norms[norms == 0] = 1.0
    return csr_matrix(diags(scale / norms) @ x)


def normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


def nearest_by_label(queries: np.ndarray, exemplars: np.ndarray, labels: np.ndarray, n_labels: int,
                     exclude_self: bool = False) -> np.ndarray:
    """For each query row and each label, the highest cosine to an exemplar of that label (rows are unit
    vectors); with exclude_self the queries are the exemplars and none is compared with itself."""
    sims = queries @ exemplars.T
    if exclude_self:
        np.fill_diagonal(sims, -1.0)
    out = np.full((queries.shape[0], n_labels), -1.0, dtype=np.float32)
    for label in range(n_labels):
        columns = labels == label
        if columns.any():
            out[:, label] = sims[:, columns].max(axis=1)
    return out


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TfidfLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegressionClassifier on TF-IDF-weighted, normalised sparse features, with a configurable C."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 10.0, "sparse_scale": 3.0,
                "exemplar_scale": 1.0}

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        if not float(self.config["C"]) > 0 or not float(self.config["sparse_scale"]) > 0:
            raise RasaException(f"{type(self).__name__}: 'C' and 'sparse_scale' must be positive numbers")
        if not float(self.config["exemplar_scale"]) >= 0:
            raise RasaException(f"{type(self).__name__}: 'exemplar_scale' must be 0 (off) or a positive number")
        self.clf.set_params(C=float(self.config["C"]))
        self.idf: np.ndarray | None = None
        # the training examples' L2-normalised dense features and their intents' indices (exemplar features)
        self.exemplars: np.ndarray | None = None
        self.exemplar_labels: np.ndarray | None = None
        self.labels: list[str] = []

    def _blocks(self, messages: list[Message]) -> tuple[csr_matrix, csr_matrix]:
        sparse, dense = [], []
        for message in messages:
            sparse_feats = message.get_sparse_features(attribute=TEXT)[1]
            dense_feats = message.get_dense_features(attribute=TEXT)[1]
            sparse.append(csr_matrix(sparse_feats.features) if sparse_feats else csr_matrix((1, 0)))
            dense.append(csr_matrix(dense_feats.features) if dense_feats else csr_matrix((1, 0)))
        return vstack(sparse).tocsr(), vstack(dense).tocsr()

    def _exemplar_features(self, dense: csr_matrix, training: bool) -> np.ndarray | None:
        scale = float(self.config["exemplar_scale"])
        if not scale or dense.shape[1] == 0:
            return None
        unit = normalise_rows(dense.toarray().astype(np.float32))
        if training:
            self.exemplars = unit
        if self.exemplars is None or self.exemplar_labels is None:
            raise RasaException(f"{type(self).__name__}: the model has no exemplars: retrain the model")
        if unit.shape[1] != self.exemplars.shape[1]:
            raise RasaException(f"{type(self).__name__}: {unit.shape[1]} dense features, the model was "
                                f"trained with {self.exemplars.shape[1]}: retrain the model")
        return nearest_by_label(unit, self.exemplars, self.exemplar_labels, len(self.labels),
                                exclude_self=training) * scale

    def _create_X(self, messages: list[Message], training: bool = False) -> csr_matrix:
        sparse, dense = self._blocks(messages)
        if training:  # the weights are learnt from this data
            self.idf = learn_idf(sparse)
        if self.idf is None:
            raise RasaException(f"{type(self).__name__}: the model has no IDF weights: retrain the model")
        if sparse.shape[1] != self.idf.shape[0]:
            raise RasaException(f"{type(self).__name__}: {sparse.shape[1]} sparse features, the model was "
                                f"trained with {self.idf.shape[0]}: retrain the model")
        blocks = [weight(sparse, self.idf, float(self.config["sparse_scale"])), dense]
        exemplar = self._exemplar_features(dense, training)
        if exemplar is not None:
            blocks.append(csr_matrix(exemplar))
        return hstack(blocks).tocsr()

    def process(self, messages: list[Message]) -> list[Message]:
        """A blank message (Rasa strips what is typed: "   " arrives as "") has no words, so the per-word
        featurizers add no columns and its row is narrower than the model's: it gets no intent (confidence 0,
        which the FallbackClassifier turns into nlu_fallback) instead of the width refusal, which dropped the
        turn with no reply (a hand-off name of spaces was never re-asked)."""
        worded = [m for m in messages if (m.get(TEXT) or "").strip()]
        for message in messages:
            if not (message.get(TEXT) or "").strip():
                message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if worded:  # a conversation's message: one BLAS thread (components/text_vectors.py says why)
            with one_blas_thread():
                super().process(worded)
        return messages

    def _create_training_matrix(self, training_data: TrainingData) -> tuple[csr_matrix, list[str]]:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        y = [e.get(INTENT) for e in examples]
        self.labels = sorted(set(y))
        self.exemplar_labels = np.array([self.labels.index(label) for label in y], dtype=np.int64)
        return self._create_X(examples, training=True), y

    def persist(self) -> None:
        super().persist()
        if self.idf is not None:
            with self._model_storage.write_to(self._resource) as model_dir:
                np.save(model_dir / IDF_FILE, self.idf, allow_pickle=False)
                if self.exemplars is not None and self.exemplar_labels is not None:
                    np.savez(model_dir / EXEMPLARS_FILE, exemplars=self.exemplars, labels=self.exemplar_labels,
                             names=np.array(self.labels))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfLogisticRegressionClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        assert isinstance(component, cls)  # Rasa's load builds `cls` (its annotation names its own class)
        try:
            with model_storage.read_from(resource) as model_dir:
                component.idf = np.load(model_dir / IDF_FILE, allow_pickle=False)
                exemplars = model_dir / EXEMPLARS_FILE
                if exemplars.is_file():
                    with np.load(exemplars, allow_pickle=False) as saved:
                        component.exemplars = saved["exemplars"]
                        component.exemplar_labels = saved["labels"]
                        component.labels = [str(n) for n in saved["names"]]
        except (ValueError, OSError):
            log.debug("%s: no IDF weights in the model (untrained)", cls.__name__)
        return component
