"""Tests for retrieval.index: the build folder and manifest, reuse, rebuilds, garbage collection and refusals."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections import defaultdict
from pathlib import Path

import pytest

import retrieval.index as index_mod
from retrieval.index import KEEP_BUILDS, IndexUnavailable, build_index, current_build, group_key, load_index
from retrieval.models import Chunk
from retrieval.retriever import Retriever

from .support import FailingEmbedder, HashEmbedder, sample_chunks


def _by_group(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    """Chunks grouped as the index groups them, sorted by id within a group."""
    groups: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        groups[group_key(c)].append(c)
    return {k: sorted(v, key=lambda c: c.id) for k, v in groups.items()}


def _builds(root: Path) -> list[str]:
    """Names of every folder under builds/, hidden .tmp-* ones included."""
    return sorted(p.name for p in (root / "builds").iterdir())


def _flip_byte(path: Path, offset: int = 10) -> None:
    """Corrupt a file in place by inverting one byte."""
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0xFF
    path.write_bytes(bytes(data))


def _changed(chunks: list[Chunk], text: str) -> list[Chunk]:
    """The same corpus with the first chunk's text replaced."""
    return [dataclasses.replace(chunks[0], text=text), *chunks[1:]]


@pytest.fixture(
    params=[
        pytest.param(None, id="lexical"),
        pytest.param("hash", id="fake-embedder"),
        pytest.param("tiny", id="tiny-model", marks=pytest.mark.slow),
    ]
)
def embedder(request):
    """No embedder, the hashing fake, or the tiny real sentence-transformers model."""
    if request.param is None:
        return None
    if request.param == "hash":
        return HashEmbedder()
    return request.getfixturevalue("tiny_embedder")


def test_build_writes_folder_manifest_and_current(tmp_path, chunks, embedder):
    """build_index writes builds/<name>/ with a complete manifest, and CURRENT names that build."""
    path, manifest, rebuilt = build_index(chunks, tmp_path, embedder)
    assert rebuilt is True
    assert path.parent == tmp_path / "builds"
    assert (tmp_path / "CURRENT").read_text(encoding="utf-8").strip() == path.name
    assert current_build(tmp_path) == path
    on_disk = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest["chunk_count"] == len(chunks)
    assert len(manifest["corpus_hash"]) == 64
    assert path.name.endswith(manifest["corpus_hash"][:10])
    assert set(manifest["groups"]) == {"fr-passage", "en-passage", "fr-example", "en-example"}
    if embedder is None:
        assert manifest["model"] is None
    else:
        assert manifest["model"] == {"name": embedder.name, "dim": embedder.dim}
    files = manifest["files"]
    assert "chunks.jsonl" in files
    for key in manifest["groups"]:
        assert any(f.startswith(f"lex-{key}/") for f in files)
        assert (f"dense-{key}.faiss" in files) == (embedder is not None)
    for rel, digest in files.items():
        assert len(digest) == 64 and (path / rel).is_file()
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "builds").iterdir())


def test_load_round_trip_gives_same_chunks_per_group(tmp_path, chunks, embedder):
    """load_index returns, group by group, exactly the chunks that were indexed."""
    build_index(chunks, tmp_path, embedder)
    loaded = load_index(tmp_path, embedder)
    assert loaded.chunk_count() == len(chunks)
    assert {k: g.chunks for k, g in loaded.groups.items()} == _by_group(chunks)
    for key, group in loaded.groups.items():
        assert (group.lang, group.kind) == tuple(key.split("-"))
        assert int(group.bm25.scores["num_docs"]) == len(group.chunks)
        if embedder is None:
            assert group.faiss is None
        else:
            assert group.faiss.ntotal == len(group.chunks)
            assert group.faiss.d == embedder.dim
    assert loaded.dense == (embedder is not None)


def test_same_chunks_are_not_rebuilt(tmp_path, chunks, hash_embedder):
    """Building again with the same chunks (in any order) keeps the build: rebuilt=False, same path."""
    first, manifest, _ = build_index(chunks, tmp_path, hash_embedder)
    calls = hash_embedder.passage_calls
    again, manifest2, rebuilt = build_index(list(reversed(chunks)), tmp_path, hash_embedder)
    assert rebuilt is False
    assert again == first
    assert manifest2 == manifest
    assert hash_embedder.passage_calls == calls
    assert _builds(tmp_path) == [first.name]


def test_force_rebuilds_identical_chunks(tmp_path, chunks):
    """force=True rebuilds even when nothing changed."""
    first, _, _ = build_index(chunks, tmp_path, None)
    second, _, rebuilt = build_index(chunks, tmp_path, None, force=True)
    assert rebuilt is True
    assert second != first
    assert current_build(tmp_path) == second


def test_changed_chunk_rebuilds_and_switches_current(tmp_path, chunks):
    """A changed chunk gives a new corpus hash, a new build, and CURRENT pointing to it."""
    first, m1, _ = build_index(chunks, tmp_path, None)
    second, m2, rebuilt = build_index(
        _changed(chunks, "Entièrement nouveau texte sur le remboursement."), tmp_path, None
    )
    assert rebuilt is True
    assert second != first
    assert m2["corpus_hash"] != m1["corpus_hash"]
    assert current_build(tmp_path) == second
    loaded = load_index(tmp_path, None)
    assert "Entièrement nouveau texte sur le remboursement." in {c.text for c in loaded.groups["fr-passage"].chunks}


def test_model_or_params_change_rebuilds(tmp_path, chunks):
    """The corpus hash covers the embedding model and the build parameters."""
    first, _, _ = build_index(chunks, tmp_path, None)
    second, _, rebuilt = build_index(chunks, tmp_path, HashEmbedder())
    assert rebuilt and second != first
    third, _, rebuilt = build_index(chunks, tmp_path, HashEmbedder(), params={"max_chars": 500})
    assert rebuilt and third != second


def test_only_keep_builds_remain(tmp_path, chunks):
    """After several rebuilds only KEEP_BUILDS builds remain: the current one and the newest previous ones."""
    paths = [build_index(_changed(chunks, f"Version {i} du texte."), tmp_path, None)[0] for i in range(KEEP_BUILDS + 2)]
    assert _builds(tmp_path) == sorted(p.name for p in paths[-KEEP_BUILDS:])
    assert current_build(tmp_path) == paths[-1]
    assert load_index(tmp_path, None).path == paths[-1]


def test_empty_corpus_is_refused(tmp_path):
    """Building with no chunks raises IndexUnavailable and writes nothing."""
    with pytest.raises(IndexUnavailable, match="no chunks"):
        build_index([], tmp_path, None)
    assert not (tmp_path / "CURRENT").exists()


def test_no_index_is_unavailable(tmp_path):
    """Loading where nothing was built raises IndexUnavailable telling to run `guichet index`."""
    with pytest.raises(IndexUnavailable, match="guichet index"):
        load_index(tmp_path, None)


def test_current_naming_a_missing_build_is_unavailable(tmp_path, chunks):
    """CURRENT naming a build folder that does not exist raises IndexUnavailable."""
    build_index(chunks, tmp_path, None)
    (tmp_path / "CURRENT").write_text("20990101T000000000000-deadbeef00\n", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="does not exist"):
        load_index(tmp_path, None)


@pytest.mark.parametrize("target", ["lex", "dense", "chunks"])
def test_corrupted_file_is_refused_naming_it(tmp_path, chunks, hash_embedder, target):
    """A byte changed in a BM25 file, a faiss file or chunks.jsonl makes load_index refuse, naming that file."""
    path, manifest, _ = build_index(chunks, tmp_path, hash_embedder)
    prefix = {"lex": "lex-en-passage/", "dense": "dense-en-passage.faiss", "chunks": "chunks.jsonl"}[target]
    rel = next(f for f in manifest["files"] if f.startswith(prefix))
    _flip_byte(path / rel)
    with pytest.raises(IndexUnavailable, match="corrupt") as err:
        load_index(tmp_path, hash_embedder)
    assert rel in str(err.value)


def test_missing_file_is_refused_naming_it(tmp_path, chunks, hash_embedder):
    """A file listed in the manifest but gone from disk makes load_index refuse, naming it."""
    path, _, _ = build_index(chunks, tmp_path, hash_embedder)
    (path / "dense-fr-example.faiss").unlink()
    with pytest.raises(IndexUnavailable, match="dense-fr-example.faiss is missing"):
        load_index(tmp_path, hash_embedder)


def test_corrupted_build_is_rebuilt_rather_than_reused(tmp_path, chunks):
    """build_index notices a damaged current build with the same corpus and builds a fresh one."""
    path, manifest, _ = build_index(chunks, tmp_path, None)
    _flip_byte(path / "chunks.jsonl")
    fresh, _, rebuilt = build_index(chunks, tmp_path, None)
    assert rebuilt is True
    assert fresh != path
    assert load_index(tmp_path, None).chunk_count() == len(chunks)


def test_manifest_not_json_is_corrupt(tmp_path, chunks):
    """A manifest.json that is not JSON raises IndexUnavailable saying it is corrupt."""
    path, _, _ = build_index(chunks, tmp_path, None)
    (path / "manifest.json").write_text("{ this is not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="manifest.json is corrupt"):
        load_index(tmp_path, None)


def test_manifest_missing_is_unavailable(tmp_path, chunks):
    """A build without manifest.json raises IndexUnavailable."""
    path, _, _ = build_index(chunks, tmp_path, None)
    (path / "manifest.json").unlink()
    with pytest.raises(IndexUnavailable, match="no manifest.json"):
        load_index(tmp_path, None)


def test_manifest_json_but_not_object_is_corrupt(tmp_path, chunks):
    """A manifest.json holding valid JSON that is not an object is refused as corrupt."""
    path, _, _ = build_index(chunks, tmp_path, None)
    (path / "manifest.json").write_text("[]", encoding="utf-8")
    with pytest.raises(IndexUnavailable):
        load_index(tmp_path, None)


def test_other_format_is_refused(tmp_path, chunks):
    """A manifest of another format version is refused with a request to rebuild."""
    path, manifest, _ = build_index(chunks, tmp_path, None)
    (path / "manifest.json").write_text(json.dumps({**manifest, "format": 99}), encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="rebuild"):
        load_index(tmp_path, None)


def test_index_of_other_tokens_is_refused_and_rebuilt(tmp_path, chunks, monkeypatch):
    """An index whose words were cut by another text analysis is refused at load, and the same chunks rebuild."""
    import retrieval.index as index_module

    build_index(chunks, tmp_path, None)
    monkeypatch.setattr(index_module, "ANALYSIS", index_module.ANALYSIS + 1)
    with pytest.raises(IndexUnavailable, match="rebuild"):
        load_index(tmp_path, None)
    _, _, rebuilt = build_index(chunks, tmp_path, None)
    assert rebuilt
    load_index(tmp_path, None)


def test_other_model_name_is_refused(tmp_path, chunks):
    """An index built with model A, loaded with an embedder named B, is refused with a request to rebuild."""
    build_index(chunks, tmp_path, HashEmbedder(name="model-a"))
    with pytest.raises(IndexUnavailable, match="rebuild") as err:
        load_index(tmp_path, HashEmbedder(name="model-b"))
    assert "model-a" in str(err.value) and "model-b" in str(err.value)


def test_other_model_dim_is_refused(tmp_path, chunks):
    """An embedder with the same name but another dimension is refused."""
    build_index(chunks, tmp_path, HashEmbedder(dim=64))
    with pytest.raises(IndexUnavailable, match="dimensions"):
        load_index(tmp_path, HashEmbedder(dim=32))


def test_dense_index_loads_lexically_without_embedder(tmp_path, chunks):
    """An index built with a model loads without one, with no faiss indexes in memory."""
    build_index(chunks, tmp_path, HashEmbedder())
    loaded = load_index(tmp_path, None)
    assert all(g.faiss is None for g in loaded.groups.values())
    assert loaded.chunk_count() == len(chunks)


def _assert_previous_serves(root: Path, previous: Path, embedder) -> None:
    """CURRENT still names the previous build, which loads, answers, and no temporary file is left."""
    assert current_build(root) == previous
    loaded = load_index(root, embedder)
    assert loaded.path == previous
    hits = Retriever(loaded, embedder).search("essai clinique dispositif médical", lang="fr")
    assert hits and hits[0].chunk.id == "essai.fr#0000"
    assert not any(p.name.startswith(".tmp-") for p in (root / "builds").iterdir())
    assert not any(p.name.startswith(".CURRENT") for p in root.iterdir())


def test_interrupted_embedding_leaves_previous_index_serving(tmp_path, chunks):
    """An embedder failing midway aborts the build: CURRENT unchanged, no .tmp-* left, the old index serves."""
    previous, _, _ = build_index(chunks, tmp_path, HashEmbedder())
    failing = FailingEmbedder(fail_on_call=2)
    with pytest.raises(RuntimeError, match="midway"):
        build_index(_changed(chunks, "Nouveau texte."), tmp_path, failing)
    assert failing.passage_calls == 1  # it really failed midway, after one group was embedded
    assert _builds(tmp_path) == [previous.name]
    _assert_previous_serves(tmp_path, previous, HashEmbedder())


def test_interrupted_write_leaves_previous_index_serving(tmp_path, chunks, monkeypatch):
    """A crash after some files are written leaves CURRENT unchanged, no .tmp-* left, the old index serving."""
    previous, _, _ = build_index(chunks, tmp_path, None)
    real_write = index_mod._write_build

    def crash(out, *args, **kwargs):
        real_write(out, *args, **kwargs)
        assert (out / "manifest.json").exists() and (out / "chunks.jsonl").exists()
        raise KeyboardInterrupt  # even a BaseException must not leave a half build behind

    monkeypatch.setattr(index_mod, "_write_build", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index(_changed(chunks, "Nouveau texte."), tmp_path, None)
    assert _builds(tmp_path) == [previous.name]
    _assert_previous_serves(tmp_path, previous, None)


def test_stale_tmp_folders_are_collected(tmp_path, chunks):
    """A .tmp-* folder left by a killed process is removed by the next successful build."""
    build_index(chunks, tmp_path, None)
    stale = tmp_path / "builds" / ".tmp-killed"
    stale.mkdir()
    (stale / "chunks.jsonl").write_text("{}", encoding="utf-8")
    os.utime(stale, (time.time() - 60, time.time() - 60))  # a second-old entry may be a live writer's
    build_index(_changed(chunks, "Autre texte."), tmp_path, None)
    assert not stale.exists()


def test_verify_false_skips_checksums(tmp_path, chunks):
    """verify=False loads without hashing files (a changed byte in an unused file goes unnoticed)."""
    path, manifest, _ = build_index(chunks, tmp_path, None)
    rel = next(f for f in manifest["files"] if f.startswith("lex-en-example/") and f.endswith(".json"))
    (path / rel).write_text((path / rel).read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(IndexUnavailable):
        load_index(tmp_path, None)
    assert load_index(tmp_path, None, verify=False).chunk_count() == len(chunks)


def test_sample_chunks_cover_every_group():
    """The shared sample corpus has fr and en passages and examples (guards the tests above)."""
    assert set(_by_group(sample_chunks())) == {"fr-passage", "en-passage", "fr-example", "en-example"}
