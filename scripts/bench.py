"""Benchmark: index build and load time, warm per-query p50/p95 for search and route, peak RSS.

Each mode (embedding model on, off) runs in its own process so that peak memory is its own.
Usage: .venv/bin/python -m scripts.bench [--modes hybrid,lexical] [--repeat 3] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY_FILES = [ROOT / "eval" / "routing.jsonl", ROOT.parent / "shared" / "eval" / "dev.jsonl"]


def _queries() -> list[str]:
    out = []
    for f in QUERY_FILES:
        if f.exists():
            out += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))], 2)


def run_mode(mode: str, repeat: int) -> dict:
    """Build into a fresh folder, load, then time every query `repeat` times after one warm-up pass."""
    from api.core.brain import build_brain, embedder_from_settings
    from api.core.catalogue import load_catalogue
    from api.core.corpus import build_chunks
    from api.settings import Settings
    from retrieval.index import build_index

    # No query cache: every timed repeat embeds again (what a query never seen before costs).
    settings = Settings(
        embedding_model="none" if mode == "lexical" else Settings().embedding_model, embedding_query_cache=0
    )
    t0 = time.perf_counter()
    embedder, reason = embedder_from_settings(settings)
    model_load_s = time.perf_counter() - t0
    if mode == "hybrid" and embedder is None:
        return {"mode": mode, "error": reason}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cat = load_catalogue(settings.knowledge_dir)
        chunks, _ = build_chunks(cat, settings.knowledge_dir, max_chars=settings.chunk_max_chars)
        build_index(chunks, Path(tmp), embedder)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        brain = build_brain(settings.knowledge_dir, Path(tmp), embedder, settings.fusion())
        load_s = time.perf_counter() - t0
        queries = _queries()
        for q in queries:  # warm-up
            brain.search(q, k=10)
            brain.route(q)
        timings: dict[str, list[float]] = {"search": [], "route": [], "ask": []}
        for _ in range(repeat):
            for q in queries:
                for name, fn in (
                    ("search", lambda q=q: brain.search(q, k=10)),
                    ("route", lambda q=q: brain.route(q)),
                    ("ask", lambda q=q: brain.ask(q)),
                ):
                    t = time.perf_counter()
                    fn()
                    timings[name].append((time.perf_counter() - t) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "mode": mode,
        "model": embedder.name if embedder else None,
        "chunks": len(chunks),
        "model_load_s": round(model_load_s, 2),
        "index_build_s": round(build_s, 2),
        "index_load_s": round(load_s, 3),
        **{f"{n}_ms_p50": _pct(v, 0.5) for n, v in timings.items()},
        **{f"{n}_ms_p95": _pct(v, 0.95) for n, v in timings.items()},
        "queries": len(timings["search"]),
        "peak_rss_mb": round(rss_mb, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--modes", default="hybrid,lexical")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_mode(args.child, args.repeat)))
        return
    results = []
    for mode in args.modes.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
