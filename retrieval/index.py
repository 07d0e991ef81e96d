"""Build the index folder atomically with a manifest, and load it back only if it checks out.

Layout under the index root:
    builds/<time>-<hash>/   manifest.json · chunks.jsonl · lex-<group>/ (bm25s) · dense-<group>.faiss
    CURRENT                 the name of the build being served, replaced atomically (os.replace)
A build is written under builds/.tmp-*, renamed when complete, and only then named in CURRENT,
so a crash at any point leaves the previous build serving.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import bm25s
import faiss
import numpy as np
from tqdm import tqdm

from . import dense, lexical
from .analysis import ANALYSIS, tokenize
from .embedding import Embedder, file_sha256
from .models import Chunk
from .staging import held, sweep

log = logging.getLogger(__name__)
FORMAT = 1
KEEP_BUILDS = 2


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt or does not match the configuration; the message says what to do."""


def group_key(chunk: Chunk) -> str:
    return f"{chunk.lang}-{chunk.kind}"


@dataclass
class Group:
    key: str
    lang: str
    kind: str
    chunks: list[Chunk]
    bm25: bm25s.BM25
    faiss: faiss.Index | None = None


@dataclass
class LoadedIndex:
    path: Path
    manifest: dict
    groups: dict[str, Group] = field(default_factory=dict)

    @property
    def dense(self) -> bool:
        """True when dense vectors are loaded in memory (built with a model, and loaded with one)."""
        return any(g.faiss is not None for g in self.groups.values())

    def chunk_count(self) -> int:
        return sum(len(g.chunks) for g in self.groups.values())


def corpus_hash(chunks: list[Chunk], model_name: str | None, params: dict) -> str:
    head = {"format": FORMAT, "analysis": ANALYSIS, "model": model_name, "params": params}
    h = hashlib.sha256(json.dumps(head).encode())
    for c in chunks:
        h.update(json.dumps(c.to_dict(), sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def current_build(root: Path) -> Path | None:
    pointer = root / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    return root / "builds" / name if name else None


_MANIFEST_KEYS = {"format", "corpus_hash", "chunk_count", "groups", "files", "model"}


def _read_manifest(build: Path) -> dict:
    try:
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexUnavailable(f"{build}: no manifest.json; rebuild with `guichet index`") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexUnavailable(f"{build}/manifest.json is corrupt ({exc}); rebuild with `guichet index`") from exc
    if not isinstance(manifest, dict) or not set(manifest) >= _MANIFEST_KEYS:
        raise IndexUnavailable(f"{build}/manifest.json is corrupt (not a complete manifest); rebuild it")
    return manifest


def build_index(
    chunks: list[Chunk],
    root: Path,
    embedder: Embedder | None,
    params: dict | None = None,
    force: bool = False,
) -> tuple[Path, dict, bool]:
    """Build (or keep) the index for these chunks; returns (build folder, manifest, rebuilt?)."""
    params = params or {}
    if not chunks:
        raise IndexUnavailable("nothing to index: the corpus produced no chunks")
    chunks = sorted(chunks, key=lambda c: (group_key(c), c.id))
    model_name = embedder.name if embedder else None
    digest = corpus_hash(chunks, model_name, params)
    existing = current_build(root)
    if existing and not force:
        try:
            if _read_manifest(existing).get("corpus_hash") == digest:
                load_index(root, embedder)  # verifies files too: a damaged build is rebuilt
                return existing, _read_manifest(existing), False
        except IndexUnavailable as exc:
            log.warning("current index unusable, rebuilding: %s", exc)
    builds = root / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = builds / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        with held(tmp):  # a sweep (another process's, after a crash) leaves a build in progress alone
            manifest = _write_build(tmp, chunks, embedder, params, digest)
            name = f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S%f')}-{digest[:10]}"
            final = builds / name
            os.replace(tmp, final)
            pointer_tmp = root / f".CURRENT.{uuid.uuid4().hex}"
            pointer_tmp.write_text(name + "\n", encoding="utf-8")
            with pointer_tmp.open("rb") as f:
                os.fsync(f.fileno())
            os.replace(pointer_tmp, root / "CURRENT")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _collect_garbage(root, keep=final)
    return final, manifest, True


def sweep_staging(root: Path) -> list[str]:
    """Remove what an interrupted build left (half-written builds, pointer files); live builds are kept."""
    return sweep(root / "builds", ".tmp-") + sweep(root, ".CURRENT.")


def _write_build(out: Path, chunks: list[Chunk], embedder: Embedder | None, params: dict, digest: str) -> dict:
    with (out / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(c.to_dict(), ensure_ascii=False) + "\n")
    groups: dict[str, dict] = {}
    for i, c in enumerate(chunks):
        g = groups.setdefault(group_key(c), {"start": i, "end": i, "lang": c.lang, "kind": c.kind})
        g["end"] = i + 1
    dim = None
    bar = tqdm(groups.items(), desc="index", unit="group", disable=None)
    for key, g in bar:
        part = chunks[g["start"] : g["end"]]
        bar.set_postfix_str(f"{key}: BM25 over {len(part)} chunks")
        lexical.save(lexical.build([tokenize(c.indexed_text(), c.lang) for c in part]), out / f"lex-{key}")
        if embedder is not None:
            bar.set_postfix_str(f"{key}: embedding {len(part)} chunks")
            vecs = embedder.embed_passages([c.indexed_text() for c in part])
            if not np.all(np.isfinite(vecs)):
                raise IndexUnavailable(f"the embedding model produced non-finite vectors for group {key}")
            dim = int(vecs.shape[1])
            dense.save(dense.build(vecs), out / f"dense-{key}.faiss")
    files = {str(p.relative_to(out)): file_sha256(p) for p in sorted(out.rglob("*")) if p.is_file()}
    manifest = {
        "format": FORMAT,
        "analysis": ANALYSIS,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "corpus_hash": digest,
        "chunk_count": len(chunks),
        "params": params,
        "model": {"name": embedder.name, "dim": dim} if embedder else None,
        "groups": groups,
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def _collect_garbage(root: Path, keep: Path) -> None:
    sweep_staging(root)
    builds = sorted((p for p in (root / "builds").iterdir() if p.is_dir()), key=lambda p: p.name)
    done = [p for p in builds if not p.name.startswith(".tmp-") and p != keep]
    for p in done[: max(0, len(done) - (KEEP_BUILDS - 1))]:
        shutil.rmtree(p, ignore_errors=True)


def load_index(root: Path, embedder: Embedder | None, verify: bool = True) -> LoadedIndex:
    """Load the current build, refusing a missing, corrupt or mismatched one with a clear message."""
    build = current_build(root)
    if build is None:
        raise IndexUnavailable(f"no index at {root}; build it with `guichet index`")
    if not build.is_dir():
        raise IndexUnavailable(f"{root}/CURRENT names {build.name}, which does not exist; rebuild with `guichet index`")
    manifest = _read_manifest(build)
    if manifest.get("format") != FORMAT:
        raise IndexUnavailable(f"{build}: index format {manifest.get('format')} is not {FORMAT}; rebuild it")
    if manifest.get("analysis", 1) != ANALYSIS:
        raise IndexUnavailable(
            f"{build}: its words were cut by text analysis {manifest.get('analysis', 1)}, this code cuts them by "
            f"{ANALYSIS}; rebuild it with `guichet index`"
        )
    if verify:
        for rel, digest in manifest.get("files", {}).items():
            path = build / rel
            if not path.exists():
                raise IndexUnavailable(f"{build}: file {rel} is missing; rebuild with `guichet index`")
            if file_sha256(path) != digest:
                raise IndexUnavailable(f"{build}: file {rel} does not match the manifest (corrupt); rebuild")
    model = manifest.get("model")
    if model and embedder is not None and model["name"] != embedder.name:
        raise IndexUnavailable(
            f"the index was built with embedding model '{model['name']}' but settings name "
            f"'{embedder.name}'; rebuild with `guichet index`"
        )
    if model and embedder is not None and model["dim"] != embedder.dim:
        raise IndexUnavailable(f"index vectors have {model['dim']} dimensions, the model {embedder.dim}; rebuild")
    lines = (build / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    if len(lines) != manifest["chunk_count"]:
        raise IndexUnavailable(f"{build}: {len(lines)} chunks on disk, manifest says {manifest['chunk_count']}")
    chunks = [Chunk(**json.loads(line)) for line in lines]
    loaded = LoadedIndex(path=build, manifest=manifest)
    use_dense = bool(model) and embedder is not None
    for key, g in manifest["groups"].items():
        part = chunks[g["start"] : g["end"]]
        faiss_index = dense.load(build / f"dense-{key}.faiss") if use_dense else None
        if faiss_index is not None and faiss_index.ntotal != len(part):
            raise IndexUnavailable(
                f"{build}: dense-{key}.faiss holds {faiss_index.ntotal} vectors for {len(part)} chunks"
            )
        loaded.groups[key] = Group(key, g["lang"], g["kind"], part, lexical.load(build / f"lex-{key}"), faiss_index)
    return loaded
