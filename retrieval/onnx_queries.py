"""Query embeddings through ONNX Runtime: the loaded sentence-transformers model, exported once to ONNX.

One short English query costs ~20 ms of a core through torch and ~7 ms through ONNX Runtime, with the same
vector (cosine 1.0000 against torch on this project's model): that is most of what a /search or /route
costs. The export (~3 s) runs the first time a model is used and is kept in a folder of the data directory,
named by a digest of the model's weights, written atomically (a crash leaves no half-written file behind).
Before any use, the exported graph must give torch's vectors for probe texts; anything else (onnxruntime or
onnx missing, an export that fails, a graph that disagrees) leaves queries on torch, with the reason said.
Passages (index builds) stay on torch, batched over every core.

Optionally (`int8=True`) queries go through a copy of the export with its matrix weights quantised to 8 bits
(ONNX Runtime's dynamic quantisation, one scale per output channel): ~1.6x faster again on one core, at the
price of vectors a little off torch's (cosine ~0.99 on this project's queries: docs/benchmarks.md). It is
checked against torch too, with a looser bound (MIN_COSINE_INT8); a copy that fails it, or cannot be made,
leaves queries on the full-precision export, with the reason said.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PROBES = [
    "How do I get funding for a clinical evaluation of a medical device?",
    "accès aux données de santé",
    "x",
]
MIN_COSINE = 0.9999  # the exported graph must reproduce torch's vectors to this cosine, per probe
# The 8-bit copy, per probe. Per-channel MatMul quantisation of all-MiniLM-L6-v2 gives 0.987-0.999 on the
# evaluation queries and 0.976-0.99 on one-word texts; a broken graph falls far below this.
MIN_COSINE_INT8 = 0.97


class OnnxQueryEncoder:
    """Tokenizer of the model + its whole forward pass (transformer, pooling, normalisation) in one graph."""

    def __init__(self, session: Any, tokenizer: Any, max_length: int):
        self._session, self._tokenizer, self._max_length = session, tokenizer, max_length
        self._inputs = [i.name for i in session.get_inputs()]

    def __call__(self, texts: list[str]) -> np.ndarray:
        features = self._tokenizer(
            texts, padding=True, truncation=True, max_length=self._max_length, return_tensors="np"
        )
        feed = {name: np.asarray(features[name], dtype=np.int64) for name in self._inputs}
        (vecs,) = self._session.run(None, feed)
        return np.asarray(vecs, dtype=np.float32)


def model_digest(model_dir: str, name: str) -> str:
    """What names an export: the model's weights files (size and content), else its name."""
    h = hashlib.blake2b(digest_size=10)
    h.update(name.encode())
    folder = Path(model_dir)
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")) if folder.is_dir() else []:
        with weights.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def export(model: Any, path: Path) -> None:
    """Write the model's sentence-embedding forward pass (normalised) as ONNX, atomically."""
    import torch

    names = list(model.tokenizer(["probe"], return_tensors="pt").keys())

    class Forward(torch.nn.Module):
        def __init__(self, inner: Any):
            super().__init__()
            self.inner = inner

        def forward(self, *args: Any) -> Any:
            out = self.inner(dict(zip(names, args, strict=True)))["sentence_embedding"]
            return torch.nn.functional.normalize(out, dim=-1)

    sample = model.tokenizer(["a probe sentence"], return_tensors="pt")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            # The tracer's notes on shape checks and indexing: the probes below check the graph instead.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Forward(model.eval()),
                tuple(sample[n] for n in names),
                tmp,
                input_names=names,
                output_names=["embedding"],
                dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def quantise(source: Path, path: Path) -> None:
    """Write an 8-bit copy of an exported graph (dynamic quantisation of the MatMul weights), atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=path.parent)
    os.close(fd)
    root = logging.getLogger()
    advice = _NoPreprocessingAdvice()  # measured: the same vectors and speed with or without it
    root.addFilter(advice)
    try:
        # Per channel: one scale per output column. Per tensor, MiniLM's outlier columns cost cosine 0.91-0.96.
        quantize_dynamic(source, tmp, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"])
        os.replace(tmp, path)
    finally:
        root.removeFilter(advice)
        if os.path.exists(tmp):
            os.unlink(tmp)


class _NoPreprocessingAdvice(logging.Filter):
    """onnxruntime's quantiser advises, on the root logger, a pre-processing pass that changes nothing here."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, threads)
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _agreement(encoder: OnnxQueryEncoder, reference: Any) -> float:
    """The lowest cosine between the encoder's and the reference's vectors over the probes, one probe at a
    time as queries are served (the 8-bit graph scales its activations over the whole batch, padding too)."""
    got, want = np.vstack([encoder([p]) for p in PROBES]), reference(PROBES)
    return float(np.min(np.sum(got * want, axis=1))) if got.shape == want.shape else -1.0


def load_onnx_encoder(
    model: Any,
    model_dir: str,
    name: str,
    folder: Path,
    threads: int = 1,
    reference: Any = None,
    int8: bool = False,
) -> tuple[OnnxQueryEncoder | None, str]:
    """An ONNX Runtime encoder for the model's queries, exported on first use; or (None, why).

    With int8, the 8-bit copy when it can be made and agrees with the reference, else the full-precision
    export; the reason then says why ("ok" only when what was asked for is what serves).
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None, "onnxruntime is not installed"
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip("/"))[-60:] or "model"
    path = folder / f"{slug}-{model_digest(model_dir, name)}.onnx"
    small = path.with_name(path.stem + "-int8.onnx")
    max_length = int(getattr(model, "max_seq_length", 0) or 512)
    if int8 and small.exists():  # made earlier: the full-precision export need not be loaded if it agrees
        try:
            quantised = OnnxQueryEncoder(_session(small, threads), model.tokenizer, max_length)
            if reference is None or _agreement(quantised, reference) >= MIN_COSINE_INT8:
                return quantised, "ok"
        except Exception as exc:
            log.warning("the 8-bit ONNX copy %s does not load (%s): made again", small, type(exc).__name__)
        small.unlink(missing_ok=True)
    why = ""
    encoder: OnnxQueryEncoder | None = None
    for attempt in range(2):  # an earlier export that no longer loads or agrees is made again, once
        try:
            if not path.exists():
                log.info("exporting the embedding model to ONNX for queries (once): %s", path)
                export(model, path)
            encoder = OnnxQueryEncoder(_session(path, threads), model.tokenizer, max_length)
            if reference is None:
                break
            worst = _agreement(encoder, reference)
            if worst >= MIN_COSINE:
                break
            why = f"the ONNX export disagrees with torch (cosine {worst:.5f} < {MIN_COSINE})"
        except Exception as exc:  # any failure means the same: queries stay on torch
            why = f"ONNX export or load failed ({type(exc).__name__}: {str(exc)[:200]})"
        encoder = None
        if attempt == 0:
            path.unlink(missing_ok=True)
    if encoder is None:
        return None, why
    if not int8:
        return encoder, "ok"
    for attempt in range(2):  # same rule for the 8-bit copy: made again once, then the export serves
        try:
            if not small.exists():
                log.info("quantising the ONNX export to 8 bits for queries (once): %s", small)
                quantise(path, small)
            quantised = OnnxQueryEncoder(_session(small, threads), model.tokenizer, max_length)
            worst = _agreement(quantised, reference) if reference is not None else 1.0
            if worst >= MIN_COSINE_INT8:
                return quantised, "ok"
            why = f"the 8-bit copy disagrees with torch (cosine {worst:.4f} < {MIN_COSINE_INT8})"
        except Exception as exc:
            why = f"8-bit quantisation or load failed ({type(exc).__name__}: {str(exc)[:200]})"
        if attempt == 0:
            small.unlink(missing_ok=True)
    return encoder, f"{why}; queries on the full-precision ONNX export"
