"""Tests for retrieval.dense: exact faiss search checked against brute-force numpy cosine."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import dense


def _unit(rows: int, dim: int, seed: int) -> np.ndarray:
    """Random L2-normalised float32 vectors."""
    v = np.random.default_rng(seed).standard_normal((rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    """200 random unit vectors of dimension 24."""
    return _unit(200, 24, seed=7)


@pytest.fixture(scope="module")
def index(vectors):
    """A faiss index over the vectors."""
    return dense.build(vectors)


def brute_force(vectors: np.ndarray, query: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top-k rows by cosine similarity computed with numpy (vectors are unit length, so a dot product)."""
    sims = vectors.astype(np.float64) @ query.astype(np.float64)
    cos = sims / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query))
    order = np.argsort(-cos, kind="stable")[:k]
    return [(int(i), float(cos[i])) for i in order]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("k", [1, 5, 20])
def test_search_matches_brute_force_cosine(vectors, index, seed, k):
    """faiss returns exactly the brute-force top-k, in the same order, with cosines equal to 1e-5."""
    query = _unit(1, vectors.shape[1], seed=100 + seed)[0]
    got = dense.search(index, query, k)
    want = brute_force(vectors, query, k)
    assert [r for r, _ in got] == [r for r, _ in want]
    assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_vector_finds_itself_first(vectors, index):
    """A stored vector used as the query is its own nearest neighbour with cosine 1."""
    row, score = dense.search(index, vectors[42], 1)[0]
    assert row == 42
    assert score == pytest.approx(1.0, abs=1e-5)


def test_query_shape_and_dtype_are_normalised(vectors, index):
    """A float64 query, flat or as a (1, d) row, gives the same result as a float32 one."""
    query = _unit(1, vectors.shape[1], seed=3)[0]
    ref = dense.search(index, query, 5)
    assert dense.search(index, query.astype(np.float64), 5) == ref
    assert dense.search(index, query.reshape(1, -1), 5) == ref


def test_k_larger_than_ntotal_is_clamped():
    """Asking for more neighbours than stored vectors returns all of them and no -1 padding."""
    vecs = _unit(4, 8, seed=1)
    index = dense.build(vecs)
    got = dense.search(index, vecs[0], 50)
    assert sorted(r for r, _ in got) == [0, 1, 2, 3]
    assert [r for r, _ in got] == [r for r, _ in brute_force(vecs, vecs[0], 4)]


def test_empty_index_returns_nothing():
    """Searching an index with no vectors returns []."""
    index = dense.build(np.zeros((0, 8), dtype=np.float32))
    assert index.ntotal == 0
    assert dense.search(index, _unit(1, 8, seed=0)[0], 5) == []


def test_save_load_round_trip(tmp_path, vectors, index):
    """A saved and reloaded index holds the same vectors and answers identically."""
    path = tmp_path / "dense.faiss"
    dense.save(index, path)
    loaded = dense.load(path)
    assert loaded.ntotal == index.ntotal == len(vectors)
    assert loaded.d == vectors.shape[1]
    for seed in range(3):
        query = _unit(1, vectors.shape[1], seed=200 + seed)[0]
        assert dense.search(loaded, query, 10) == dense.search(index, query, 10)
