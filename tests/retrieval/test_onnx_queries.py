"""Tests for retrieval.onnx_queries: the tiny real model exported to ONNX gives torch's query vectors."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import onnx_queries
from retrieval.embedding import load_embedder
from retrieval.onnx_queries import MIN_COSINE_INT8, PROBES, load_onnx_encoder, model_digest

pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")
pytestmark = pytest.mark.slow

TEXTS = ["digital health grant", "essai clinique d'un dispositif médical pour la télésurveillance", "x"]


@pytest.fixture
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_onnx_queries_match_torch(tiny_model_dir, tmp_path, offline):
    """Queries through the export equal torch's vectors; passages stay on torch; the export is kept."""
    torch_only, _ = load_embedder(str(tiny_model_dir), offline=True)
    onnx, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=tmp_path / "models")
    assert reason == "ok" and onnx is not None and onnx.backend == "onnx" and torch_only.backend == "torch"
    got, want = onnx.embed_queries(TEXTS), torch_only.embed_queries(TEXTS)
    assert got.shape == (3, onnx.dim) and got.dtype == np.float32
    assert np.allclose(got, want, atol=1e-5)
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.allclose(onnx.embed_passages(TEXTS), torch_only.embed_passages(TEXTS), atol=1e-6)
    exports = list((tmp_path / "models").glob("*.onnx"))  # the full-precision export only: no 8-bit copy
    assert len(exports) == 1 and model_digest(str(tiny_model_dir), str(tiny_model_dir)) in exports[0].name
    assert not list((tmp_path / "models").glob(".tmp-*"))  # nothing half-written left


def test_export_is_reused_and_a_broken_one_is_made_again(tiny_model_dir, tmp_path, offline):
    """The second load reuses the export; a corrupt file (a crash of an older version, a bad disk) is
    replaced by a fresh export instead of failing."""
    folder = tmp_path / "models"
    first, _ = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder)
    (path,) = folder.glob("*.onnx")
    stamp = path.stat().st_mtime_ns
    again, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder)
    assert reason == "ok" and path.stat().st_mtime_ns == stamp
    path.write_bytes(b"not an onnx graph")
    healed, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder)
    assert reason == "ok" and healed.backend == "onnx"
    assert np.allclose(healed.embed_queries(TEXTS), first.embed_queries(TEXTS), atol=1e-5)


def test_an_export_that_disagrees_with_torch_is_refused(tiny_embedder, tiny_model_dir, tmp_path):
    """If the graph's vectors differ from torch's on the probe texts, queries stay on torch, with the reason."""
    def wrong(texts):
        v = tiny_embedder._encode(texts)
        return -v  # the opposite direction: cosine -1

    encoder, why = load_onnx_encoder(
        tiny_embedder._model, str(tiny_model_dir), "tiny", tmp_path, reference=wrong
    )
    assert encoder is None and "disagrees with torch" in why


def test_without_onnxruntime_queries_stay_on_torch(tiny_model_dir, tmp_path, offline, monkeypatch):
    """No onnxruntime: the embedder still loads, on torch, and the reason says why."""
    import builtins

    real_import = builtins.__import__

    def no_ort(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("No module named 'onnxruntime'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ort)
    emb, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=tmp_path)
    assert emb is not None and emb.backend == "torch"
    assert "onnxruntime is not installed" in reason and "torch" in reason
    assert emb.embed_queries(PROBES).shape == (len(PROBES), emb.dim)


def test_int8_queries_close_to_torch_and_kept(tiny_model_dir, tmp_path, offline):
    """onnx-int8: an 8-bit copy of the export serves queries, close to torch's vectors; kept beside the
    export; a later load takes the copy without opening the full-precision export."""
    folder = tmp_path / "models"
    torch_only, _ = load_embedder(str(tiny_model_dir), offline=True)
    small, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder, onnx_int8=True)
    assert reason == "ok" and small is not None and small.backend == "onnx-int8"
    got, want = small.embed_queries(TEXTS), torch_only.embed_queries(TEXTS)
    assert got.shape == want.shape and got.dtype == np.float32
    cosines = np.sum(got * want, axis=1)
    assert np.all(cosines >= MIN_COSINE_INT8) and not np.allclose(got, want, atol=1e-5)  # 8-bit, not a copy
    (copy,) = folder.glob("*-int8.onnx")
    (full,) = (p for p in folder.glob("*.onnx") if p != copy)
    ops = {node.op_type for node in onnx.load(str(copy)).graph.node}
    assert "MatMulInteger" in ops and "MatMulInteger" not in {n.op_type for n in onnx.load(str(full)).graph.node}
    assert not list(folder.glob(".tmp-*"))
    full.unlink()
    again, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder, onnx_int8=True)
    assert reason == "ok" and again.backend == "onnx-int8" and not full.exists()
    assert np.allclose(again.embed_queries(TEXTS), got, atol=1e-6)


def test_a_broken_int8_copy_is_made_again(tiny_model_dir, tmp_path, offline):
    folder = tmp_path / "models"
    first, _ = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder, onnx_int8=True)
    (copy,) = folder.glob("*-int8.onnx")
    copy.write_bytes(b"not an onnx graph")
    healed, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=folder, onnx_int8=True)
    assert reason == "ok" and healed.backend == "onnx-int8"
    assert np.allclose(healed.embed_queries(TEXTS), first.embed_queries(TEXTS), atol=1e-6)


def test_an_int8_copy_too_far_from_torch_leaves_the_full_export(tiny_model_dir, tmp_path, offline, monkeypatch):
    """If the 8-bit vectors are not close enough, queries stay on the full-precision export, and the
    reason (and the readiness report's backend) says so."""
    monkeypatch.setattr(onnx_queries, "MIN_COSINE_INT8", 1.01)  # no 8-bit copy can pass
    emb, reason = load_embedder(str(tiny_model_dir), offline=True, onnx_dir=tmp_path, onnx_int8=True)
    assert emb is not None and emb.backend == "onnx"
    assert "8-bit copy disagrees with torch" in reason and "not 8-bit" in reason
    torch_only, _ = load_embedder(str(tiny_model_dir), offline=True)
    assert np.allclose(emb.embed_queries(TEXTS), torch_only.embed_queries(TEXTS), atol=1e-5)
