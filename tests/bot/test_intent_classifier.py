"""bot/components/intent_classifier.py in .venv-rasa: the TF-IDF weighting is scikit-learn's, a trained
classifier survives Rasa's model storage unchanged, and what cannot work is refused with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import rasa_side_report


@pytest.fixture(scope="module")
def report():
    return rasa_side_report("intent_classifier_check.py")


@pytest.mark.slow
def test_weighting_is_sublinear_tfidf_l2_times_scale(report):
    assert report["max_diff_vs_sklearn"] < 1e-9
    assert set(report["empty_row"]) == {0.0}  # a message without sparse features: a zero row, no division by 0


@pytest.mark.slow
def test_trained_classifier_round_trips_through_model_storage(report):
    assert report["C"] == 10.0
    assert report["idf_loaded"]
    assert [i["name"] for i in report["before"]] == ["greet", "ask_question"]
    assert report["after"] == report["before"]


@pytest.mark.slow
def test_nearest_exemplar_features(report):
    # each training example against the others only: [1, 0] has no other label-0 exemplar (-1), and its
    # nearest label-1 exemplar is [0.6, 0.8] (cosine 0.6); [0, 1] and [0.6, 0.8] see each other (0.8)
    np.testing.assert_allclose(report["near_self_excluded"], [[-1.0, 0.6], [0.0, 0.8], [0.6, 0.8]], atol=1e-4)
    np.testing.assert_allclose(report["near_query"], [[0.8, 0.96]], atol=1e-4)
    assert report["exemplar_shape"] == [8, 2]  # the eight training messages' two dense features
    assert report["exemplars_loaded"]
    # 6 sparse + 2 dense + 2 intents' nearest-exemplar cosines
    assert report["n_features"] == 10
    assert "5 dense features" in report["dense_mismatch"] and "retrain the model" in report["dense_mismatch"]


@pytest.mark.slow
def test_refusals_say_why(report):
    assert "retrain the model" in report["mismatch"] and "trained with 6" in report["mismatch"]
    assert "must be positive" in report["bad_config"]


@pytest.mark.slow
def test_a_blank_message_gets_no_intent_instead_of_a_refusal(report):
    """A message of spaces has no per-word features (a narrower row): it gets no intent, which the fallback
    classifier makes nlu_fallback, and the message beside it is classified as usual (before: "retrain the
    model", and the turn dropped without a reply)."""
    blank, beside = report["with_blank"]
    assert blank == [{"name": None, "confidence": 0.0}, []]
    assert beside[0] == report["before"][0]


@pytest.mark.slow
def test_a_conversations_message_is_read_on_one_blas_thread(report):
    threads = report["blas_threads"]
    assert threads["classifier"]["serve"] == [[1], [1]]  # the trained and the loaded classifier
    assert threads["featurizer_serve"] == [1]
    # training keeps the library's own setting, and serving restores it afterwards
    assert threads["classifier"]["train"] == [threads["outside"]]
    assert threads["featurizer_train"] == threads["outside"]
