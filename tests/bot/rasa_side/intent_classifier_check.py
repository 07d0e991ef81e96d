"""Run in .venv-rasa (tests/bot/test_intent_classifier.py): components/intent_classifier.py as Rasa runs it.

Prints one JSON report: the weighting against scikit-learn's TfidfTransformer, a train / persist / load round
trip through Rasa's model storage on messages with sparse and dense features, the refusals, and how many BLAS
threads the classifier and a dense featurizer run on in training and in serving.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


def main() -> None:
    import numpy as np
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, TEXT
    from rasa.shared.nlu.training_data.features import Features
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer
    from threadpoolctl import threadpool_info

    from components import intent_classifier as ic
    from components.text_vectors import ScaledTextVectorFeaturizer

    def blas_threads() -> list[int]:
        return sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})

    # the BLAS thread counts seen where the classifier compares a message with the exemplars
    seen: dict[str, list[list[int]]] = {"train": [], "serve": [], "other": []}
    phase = ["train"]
    nearest = ic.nearest_by_label

    def spying_nearest(*args, **kwargs):
        seen[phase[0]].append(blas_threads())
        return nearest(*args, **kwargs)

    ic.nearest_by_label = spying_nearest

    class Probe(ScaledTextVectorFeaturizer):
        calls: list[list[int]] = []

        def vectors(self, texts):
            Probe.calls.append(blas_threads())
            return np.ones((len(texts), 2), dtype=np.float32)

    rng = np.random.default_rng(0)
    counts = csr_matrix(rng.poisson(0.4, size=(40, 25)).astype(float))
    counts[3] = 0  # a message with no sparse feature at all
    counts.eliminate_zeros()
    ours = ic.weight(counts, ic.learn_idf(counts), 3.0).toarray()
    theirs = TfidfTransformer(sublinear_tf=True).fit_transform(counts).toarray() * 3.0

    def message(text: str, intent: str | None, n_sparse: int = 6) -> Message:
        m = Message(data={TEXT: text, **({INTENT: intent} if intent else {})})
        words = text.split()
        row = np.zeros((1, n_sparse))
        for w in words:
            row[0, sum(map(ord, w)) % n_sparse] += 1
        m.add_features(Features(csr_matrix(row), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
        dense = np.array([[len(words), 1.0 if "?" in text else 0.0]])
        m.add_features(Features(dense, FEATURE_TYPE_SENTENCE, TEXT, "dense"))
        return m

    train = [message(t, "greet") for t in ("bonjour", "salut", "hello", "bonjour à tous")] + \
            [message(t, "ask_question") for t in ("combien ça coûte ?", "quand est-ce ouvert ?", "qui pilote ?",
                                                  "how much is it ?")]
    ctx = ExecutionContext(GraphSchema({}), node_name="intent_classifier")
    with tempfile.TemporaryDirectory() as tmp:
        storage = LocalModelStorage(Path(tmp))
        resource = Resource("intent_classifier")
        config = {**ic.TfidfLogisticRegressionClassifier.get_default_config(), "C": 10.0}
        trained = ic.TfidfLogisticRegressionClassifier.create(config, storage, resource, ctx)
        trained.train(TrainingData(train))
        phase[0] = "serve"
        probe = ["bonjour", "combien ?"]
        before = [m.get(INTENT) for m in trained.process([message(t, None) for t in probe])]
        loaded = ic.TfidfLogisticRegressionClassifier.load(config, storage, resource, ctx)
        after = [m.get(INTENT) for m in loaded.process([message(t, None) for t in probe])]
        # a blank message (Rasa strips "   " to ""): no words, hence no per-word feature columns
        blank = Message(data={TEXT: ""})
        blank.add_features(Features(csr_matrix(np.zeros((1, 4))), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
        phase[0] = "other"
        try:
            with_blank = [[m.get(INTENT), m.get("intent_ranking")] for m in
                          loaded.process([blank, message("bonjour", None)])]
        except Exception as exc:  # noqa: BLE001 - the report says which
            with_blank = [f"{type(exc).__name__}: {exc}"]
        refused = ""
        try:
            loaded.process([message("bonjour", None, n_sparse=9)])
        except Exception as exc:  # noqa: BLE001 - the report says which
            refused = f"{type(exc).__name__}: {exc}"
        bad = ""
        try:
            ic.TfidfLogisticRegressionClassifier.create({**config, "C": 0}, storage, Resource("x"), ctx)
        except Exception as exc:  # noqa: BLE001
            bad = f"{type(exc).__name__}: {exc}"
        # the nearest-exemplar features, by hand: two labels, three unit exemplars
        ex = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
        labels = np.array([0, 1, 1])
        near = ic.nearest_by_label(ex, ex, labels, 2, exclude_self=True)
        near_query = ic.nearest_by_label(np.array([[0.8, 0.6]], dtype=np.float32), ex, labels, 2)
        dense_mismatch = ""
        try:
            loaded._exemplar_features(csr_matrix(np.ones((1, 5))), training=False)
        except Exception as exc:  # noqa: BLE001
            dense_mismatch = f"{type(exc).__name__}: {exc}"
        featurizer = Probe({"scale": 1.0, "alias": None}, "probe")
        featurizer.process_training_data(TrainingData([message("bonjour", "greet")]))
        featurizer.process([message("bonjour", None)])
        print("REPORT " + json.dumps({
            "blas_threads": {"outside": blas_threads(), "classifier": seen,
                             "featurizer_train": Probe.calls[0], "featurizer_serve": Probe.calls[1]},
            "exemplars_loaded": loaded.exemplars is not None and np.array_equal(loaded.exemplars, trained.exemplars)
            and np.array_equal(loaded.exemplar_labels, trained.exemplar_labels) and loaded.labels == trained.labels,
            "exemplar_shape": list(trained.exemplars.shape),
            "near_self_excluded": near.round(4).tolist(), "near_query": near_query.round(4).tolist(),
            "dense_mismatch": dense_mismatch,
            "n_features": int(trained.clf.coef_.shape[1]),
            "max_diff_vs_sklearn": float(np.abs(ours - theirs).max()),
            "empty_row": ours[3].tolist(),
            "C": float(trained.clf.C),
            "idf_loaded": loaded.idf is not None and np.array_equal(loaded.idf, trained.idf),
            "before": before, "after": after,
            "mismatch": refused, "bad_config": bad,
            "with_blank": with_blank,
        }))


if __name__ == "__main__":
    main()
