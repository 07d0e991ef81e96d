"""Run in .venv-rasa (tests/bot/test_sentence_embedding.py): the NLU sentence encoder, as Rasa runs it.

Reads a JSON list of texts, prints one JSON report: the encoder's vectors for them (max_length 256, as
sentence-transformers' all-MiniLM-L6-v2), what the featurizer adds to Rasa messages, the errors it raises
for a missing model, wrong weights and a bad configuration, and the features the trained model gives.
"""

from __future__ import annotations

import json
import sys
import tempfile
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
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from components import sentence_embedding as se

    texts = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    encoder = se.encoder_for(se.PACKAGED, None, 256)
    vectors = encoder(texts, batch_size=4)
    again = encoder(list(reversed(texts)))[::-1]  # from the cache, in another order
    single = np.stack([se.encoder_for(se.PACKAGED, None, 256)._encode([t], 1)[0] for t in texts])

    config = {**se.SentenceEmbeddingFeaturizer.get_default_config(), "scale": 10.0}
    featurizer = se.SentenceEmbeddingFeaturizer(config, "sentence_embedding")
    messages = [Message(data={TEXT: "nous cherchons un financement"}), Message(data={TEXT: ""}), Message(data={})]
    featurizer.process(messages)
    training = TrainingData([Message(data={TEXT: "no idea", "intent": "dont_know"})])
    featurizer.process_training_data(training)

    def features(message):
        seq, sent = message.get_dense_features(TEXT)
        return {"sequence": seq is not None,
                "sentence": None if sent is None else list(sent.features.shape),
                "norm": None if sent is None else float(np.linalg.norm(sent.features))}

    with tempfile.TemporaryDirectory() as empty:
        errors = {
            "missing_folder": error_of(lambda: se.resolve(empty, None)),
            "wrong_sha256": error_of(lambda: se.resolve(se.PACKAGED, "0" * 64)),
            "scale": error_of(lambda: se.SentenceEmbeddingFeaturizer.validate_config({**config, "scale": 0})),
            "max_length": error_of(lambda: se.SentenceEmbeddingFeaturizer.validate_config({**config, "max_length": 2})),
        }

    trained = None
    model = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    if model and model.exists():
        import asyncio

        from rasa.core.agent import Agent

        agent = Agent.load(str(model))
        parsed = asyncio.run(agent.parse_message("on n'a aucune idée pour le moment"))
        processor = agent.processor
        nodes = [name for name in processor.model_metadata.predict_schema.nodes
                 if "SentenceEmbeddingFeaturizer" in name]
        trained = {"nodes": nodes, "intent": parsed["intent"]["name"]}

    print("REPORT " + json.dumps({
        "vectors": vectors.tolist(),
        "cache_same": bool(np.array_equal(vectors, again)),
        "batch_vs_single": float(np.abs(vectors - single).max()),
        "features": [features(m) for m in messages],
        "training_features": features(training.training_examples[0]),
        "errors": errors,
        "trained": trained,
    }))


if __name__ == "__main__":
    main()
