"""Choose the fusion of lexical and dense rankings by measurement on fact questions.

For each (dense weight, RRF k) it reports hit@3 and MRR of the regex-checked fact questions in
eval/routing.jsonl (our own set) and, separately, ../shared/eval/dev.jsonl. Pick on our own set;
the shared set is a check, not a target.
Usage: .venv/bin/python -m scripts.tune_fusion
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from api.core.brain import embedder_from_settings
from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.settings import Settings
from retrieval.index import build_index, load_index
from retrieval.retriever import FusionWeights, Retriever

ROOT = Path(__file__).resolve().parent.parent

SETS = {
    "own": ROOT / "eval" / "routing.jsonl",
    "holdout": ROOT / "eval" / "routing-holdout.jsonl",
    "dev": ROOT.parent / "shared" / "eval" / "dev.jsonl",
}


def facts(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["kind"] == "fact"]


def score(retriever: Retriever, items: list[dict]) -> tuple[float, float]:
    hit3 = mrr = 0.0
    for it in items:
        texts = [h.chunk.text for h in retriever.search(it["text"], k=10)]
        ranks = [i + 1 for i, t in enumerate(texts) if re.search(it["fact"], t, re.I | re.S)]
        if ranks:
            hit3 += ranks[0] <= 3
            mrr += 1 / ranks[0]
    n = max(len(items), 1)
    return round(100 * hit3 / n, 1), round(mrr / n, 3)


def main() -> None:
    settings = Settings()
    embedder, reason = embedder_from_settings(settings)
    if embedder is None:
        sys.exit(reason)
    cat = load_catalogue(settings.knowledge_dir)
    chunks, _ = build_chunks(cat, settings.knowledge_dir, max_chars=settings.chunk_max_chars)
    with tempfile.TemporaryDirectory() as tmp:
        build_index(chunks, Path(tmp), embedder)
        index = load_index(Path(tmp), embedder)
        data = {name: facts(path) for name, path in SETS.items()}
        print("dense_w rrf_k " + " ".join(f"{n}_hit3 {n}_mrr" for n in data))
        for k in (10, 30, 60):
            for w in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):
                r = Retriever(
                    index, embedder, FusionWeights(lexical=1.0, dense=w, rrf_k=k, dense_langs=settings.dense_langs())
                )
                cells = [f"{a} {b}" for a, b in (score(r, items) for items in data.values())]
                print(f"{w:7} {k:5} " + " ".join(cells), flush=True)
        r = Retriever(index, None)
        print("lexical only: " + " ".join(f"{a} {b}" for a, b in (score(r, items) for items in data.values())))


if __name__ == "__main__":
    main()
