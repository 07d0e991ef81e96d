"""Run in .venv-rasa (tests/bot/test_word_vectors.py): the French word vectors, read without spaCy.

Prints one JSON report: how many of the package's own strings the hash finds in its table (spaCy's hash
must find nearly all the words it has vectors for), which probe words have a vector, cosines between
words, what the featurizer adds to Rasa messages, and the refusals.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
sys.path.insert(0, str(BOT))


def error_of(call) -> str:
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - the report says which type and message
        return f"{type(exc).__name__}: {exc}"
    return ""


def main() -> None:
    import numpy as np
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from components import word_vectors as wv

    vocab = wv.resolve(wv.PACKAGE, wv.PACKAGE_SHA256)
    table = wv.vectors_for(wv.PACKAGE, wv.PACKAGE_SHA256)
    strings = json.loads((vocab / "strings.json").read_text(encoding="utf-8"))
    words = [s for s in strings if s.isalpha() and s.islower()][:5000]
    found = sum(wv.murmurhash64a(s.encode("utf-8")) in table.key2row for s in words)

    def cos(a: str, b: str) -> float:
        return float(table(a) @ table(b))

    config = {**wv.WordVectorFeaturizer.get_default_config(), "scale": 2.0}
    featurizer = wv.WordVectorFeaturizer(config, "word_vectors")
    messages = [Message(data={TEXT: "nous cherchons un financement"}), Message(data={TEXT: "zzqxj"}),
                Message(data={TEXT: ""})]
    featurizer.process(messages)

    def features(message):
        sent = message.get_dense_features(TEXT)[1]
        return None if sent is None else {"shape": list(sent.features.shape),
                                          "norm": float(np.linalg.norm(sent.features))}

    print("REPORT " + json.dumps({
        "words": len(words), "found": found,
        "probes": {w: table._row(w) is not None for w in ("financement", "santé", "Bonjour", "hôpital", "l'")},
        "tokens": table.tokens("l’aide d'État, c'est quoi ?"),
        "cos": {"financement~subvention": cos("financement", "subvention"),
                "financement~girafe": cos("financement", "girafe")},
        "features": [features(m) for m in messages],
        "errors": {
            "missing": error_of(lambda: wv.resolve("no_such_vectors_package", None)),
            "wrong_sha256": error_of(lambda: wv.resolve(wv.PACKAGE, "0" * 64)),
            "scale": error_of(lambda: wv.WordVectorFeaturizer.validate_config({**config, "scale": -1})),
        },
    }))


if __name__ == "__main__":
    main()
