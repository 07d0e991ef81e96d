"""Shared fixtures: a tiny knowledge base, a deterministic fake embedder, brains built on them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api.core.brain import Brain, build_brain
from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from retrieval.index import build_index
from tests.retrieval.support import HashEmbedder

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent


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
    return make_brain(FIXTURES / "knowledge", tmp_path_factory.mktemp("fixture-index-h"), HashEmbedder("hash-test"))
