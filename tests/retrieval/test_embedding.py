"""Tests for retrieval.embedding: load_embedder's refusals, and a tiny real model loaded through it."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from retrieval.embedding import QueryCache, SentenceTransformerEmbedder, file_sha256, load_embedder, resolve_model


@pytest.fixture
def offline_env(monkeypatch):
    """Set the offline variables through monkeypatch, so load_embedder's setdefault does not leak them."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.mark.parametrize("name", [None, "", "none", "None", "off", "lexical"])
def test_no_model_configured(name):
    """An empty or 'none' model name gives no embedder and a reason saying nothing is configured."""
    embedder, reason = load_embedder(name)
    assert embedder is None
    assert "configured" in reason


@pytest.mark.slow
def test_missing_model_folder_gives_reason(offline_env, tmp_path):
    """A model path that does not exist gives (None, reason) instead of raising."""
    missing = str(tmp_path / "nonexistent" / "model")
    embedder, reason = load_embedder(missing, offline=True)
    assert embedder is None
    assert missing in reason
    assert "could not be loaded" in reason
    assert "offline" in reason


def test_sha_mismatch_refuses_weights(tmp_path):
    """Weights whose SHA-256 differs from the pinned digest are refused before any model code runs."""
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"not really weights")
    embedder, reason = load_embedder(str(folder), sha256="0" * 64)
    assert embedder is None
    assert "SHA-256" in reason
    assert "model.safetensors" in reason
    assert "000000000000" in reason


def test_file_sha256_matches_hashlib(tmp_path):
    """file_sha256 streams the file and gives hashlib's digest."""
    path = tmp_path / "blob.bin"
    data = bytes(range(256)) * 5000
    path.write_bytes(data)
    assert file_sha256(path) == hashlib.sha256(data).hexdigest()


def test_resolve_model_passes_other_names_through():
    """A name that is not the packaged model is returned as is, with no pinned digest."""
    assert resolve_model("/some/folder") == ("/some/folder", None)
    assert resolve_model("org/some-model") == ("org/some-model", None)


@pytest.mark.slow
def test_tiny_model_loads_through_load_embedder(tiny_embedder):
    """The tiny saved sentence-transformers model loads offline as a 32-dimension embedder."""
    assert isinstance(tiny_embedder, SentenceTransformerEmbedder)
    assert tiny_embedder.dim == 32


@pytest.mark.slow
def test_tiny_model_vectors_are_normalised(tiny_embedder):
    """Query and passage vectors are finite float32 rows of unit length, one per text."""
    texts = ["digital health grant", "essai clinique d'un dispositif médical", "x"]
    for vecs in (tiny_embedder.embed_queries(texts), tiny_embedder.embed_passages(texts)):
        assert vecs.shape == (3, 32)
        assert vecs.dtype == np.float32
        assert np.all(np.isfinite(vecs))
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_tiny_model_is_deterministic(tiny_embedder):
    """The same text embeds to the same vector twice, and different texts to different vectors."""
    a = tiny_embedder.embed_queries(["clinical trial", "public grant"])
    b = tiny_embedder.embed_queries(["clinical trial", "public grant"])
    assert np.allclose(a, b, atol=1e-6)
    assert not np.allclose(a[0], a[1], atol=1e-3)


@pytest.mark.slow
def test_query_prefix_changes_query_vectors(offline_env, tiny_model_dir, tiny_embedder):
    """With a query_prefix, query vectors differ from unprefixed ones while passages stay the same."""
    prefixed, reason = load_embedder(str(tiny_model_dir), offline=True, query_prefix="query: ")
    assert prefixed is not None, reason
    text = ["clinical trial funding"]
    assert not np.allclose(prefixed.embed_queries(text), tiny_embedder.embed_queries(text), atol=1e-4)
    assert np.allclose(
        prefixed.embed_queries(text), tiny_embedder.embed_queries(["query: clinical trial funding"]), atol=1e-5
    )
    assert np.allclose(prefixed.embed_passages(text), tiny_embedder.embed_passages(text), atol=1e-5)


@pytest.mark.slow
def test_tiny_model_with_matching_sha_loads(offline_env, tiny_model_dir):
    """Pinning the weights' actual SHA-256 lets the model load."""
    digest = file_sha256(tiny_model_dir / "model.safetensors")
    embedder, reason = load_embedder(str(tiny_model_dir), offline=True, sha256=digest)
    assert embedder is not None, reason
    assert reason == "ok"


def test_queries_run_on_one_thread_and_passages_on_every_core(tiny_embedder):
    """A single query runs single-threaded (busy cores stall torch's workers); passage batches use all cores."""
    import os

    import torch

    tiny_embedder.embed_passages(["un passage", "another passage"])
    assert torch.get_num_threads() == max(1, os.cpu_count() or 1)
    tiny_embedder.embed_queries(["une question"])
    assert torch.get_num_threads() == 1


def test_query_cache_keeps_the_most_recent_rows():
    """The cache holds at most `size` rows, drops the least recently used first, and counts hits and misses."""
    cache = QueryCache(2)
    a, b, c = (QueryCache.key(t) for t in ("a", "b", "c"))
    cache.put(a, np.ones(3, dtype=np.float32))
    cache.put(b, np.zeros(3, dtype=np.float32))
    assert cache.get(a) is not None  # a is now more recent than b
    cache.put(c, np.full(3, 2.0, dtype=np.float32))
    assert cache.get(b) is None
    assert np.array_equal(cache.get(a), np.ones(3)) and np.array_equal(cache.get(c), np.full(3, 2.0))
    assert cache.stats() == {"size": 2, "entries": 2, "hits": 3, "misses": 1}


def test_query_cache_rows_are_read_only_copies():
    """A stored row is a frozen copy: changing the caller's array, or the returned one, cannot alter later hits."""
    cache, key = QueryCache(4), QueryCache.key("subvention")
    row = np.ones(3, dtype=np.float32)
    cache.put(key, row)
    row[:] = 9
    hit = cache.get(key)
    assert np.array_equal(hit, np.ones(3))
    with pytest.raises(ValueError):
        hit[0] = 5


def test_query_cache_keys_are_digests_not_text():
    """Only a fixed-size digest of a founder's words is kept, and different texts get different keys."""
    text = "notre patient Jean Dupont, né le 3 mars"
    key = QueryCache.key(text)
    assert isinstance(key, bytes) and len(key) == 16 and b"Dupont" not in key
    assert key != QueryCache.key(text + " ")
    assert QueryCache.key("\ud800 lone surrogate") != key  # any str can be keyed


def test_query_cache_of_size_zero_keeps_nothing():
    cache = QueryCache(0)
    cache.put(QueryCache.key("x"), np.ones(2, dtype=np.float32))
    assert cache.get(QueryCache.key("x")) is None and cache.stats()["entries"] == 0


@pytest.mark.slow
def test_cached_query_embeddings_equal_computed_ones(tiny_model_dir, monkeypatch):
    """With the cache on, a repeated query is not encoded again and gets the very vector the model gives,
    alone or in a batch mixing hits and misses."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    plain, _ = load_embedder(str(tiny_model_dir), offline=True)
    cached, _ = load_embedder(str(tiny_model_dir), offline=True, query_cache=8)
    assert plain is not None and cached is not None
    texts = ["digital health grant", "essai clinique d'un dispositif médical", "x"]
    first = cached.embed_queries(texts[:2])
    calls = []
    real_encode = cached._encode
    monkeypatch.setattr(cached, "_encode", lambda batch, **kw: calls.append(list(batch)) or real_encode(batch, **kw))
    mixed = cached.embed_queries(texts)
    assert calls == [["x"]]  # only the new text was computed
    assert np.allclose(mixed[:2], first, atol=1e-6)
    assert np.allclose(mixed, plain.embed_queries(texts), atol=1e-5)
    assert mixed.shape == (3, cached.dim) and mixed.dtype == np.float32
    assert cached.query_cache.stats()["hits"] == 2
