"""Shared fixtures: a tiny knowledge base, a deterministic fake embedder, brains built on them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from api.core.brain import Brain, build_brain
from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from retrieval.analysis import words
from retrieval.index import build_index

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


class HashEmbedder:
    """A fake Embedder: bag of hashed words, normalised; deterministic and instant."""

    name = "hash-test"
    dim = 64

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in words(text):
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts])

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embed_queries(texts)


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the tiny fixture knowledge base, free to modify."""
    dst = tmp_path / "knowledge"
    shutil.copytree(FIXTURES / "knowledge", dst)
    return dst


@pytest.fixture(scope="session")
def fixture_catalogue():
    return load_catalogue(FIXTURES / "knowledge")


def make_brain(knowledge: Path, index_dir: Path, embedder=None) -> Brain:
    cat = load_catalogue(knowledge)
    chunks, _ = build_chunks(cat, knowledge)
    build_index(chunks, index_dir, embedder)
    return build_brain(knowledge, index_dir, embedder)


@pytest.fixture(scope="session")
def fixture_brain(tmp_path_factory) -> Brain:
    """A brain over the tiny knowledge base, lexical only."""
    return make_brain(FIXTURES / "knowledge", tmp_path_factory.mktemp("fixture-index"))


@pytest.fixture(scope="session")
def fixture_brain_hybrid(tmp_path_factory) -> Brain:
    """A brain over the tiny knowledge base with the fake embedder (hybrid mode)."""
    return make_brain(FIXTURES / "knowledge", tmp_path_factory.mktemp("fixture-index-h"), HashEmbedder())
