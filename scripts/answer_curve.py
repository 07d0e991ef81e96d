"""Where answers stop and "I don't know" starts: answers kept vs. wrong answers at each threshold.

Two curves, on the built index (run `guichet index` first):
- fiche matching: every phrasing of every fiche asked with itself left out (the right fiche must come out),
  against questions no fiche should answer (the `unknown` items of the answer sets, off-topic items);
- composed answers: answer-set questions no fiche answers, by the coverage of the best sentence (kept and
  right: every `must` regex matches; wrong: an unknown answered, or a must missing).
Usage: .venv/bin/python -m scripts.answer_curve [ANSWER_SETS...] [--oos ROUTING_SETS...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import tempfile
from pathlib import Path

from api.core import answerer
from api.core.brain import FICHE_MIN, Brain, embedder_from_settings, passage_idf
from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.core.rerank import asking_words, evidence_patterns
from api.settings import get_settings
from retrieval.index import build_index, load_index
from retrieval.retriever import Retriever

ROOT = Path(__file__).resolve().parent.parent
STEPS = [round(0.05 * i, 2) for i in range(4, 17)]


def _read(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def fiche_curve(brain: Brain, negatives: list[dict]) -> list[tuple[float, int, int, int, int]]:
    """(threshold, right fiche kept, wrong fiche or off-topic answered, of which off-topic, positives)."""
    scored: list[tuple[float, bool]] = []
    for fiche in brain.catalogue.fiches:
        for lang in ("fr", "en"):
            for n, q in enumerate(fiche.questions.get(lang)):
                chunk_id = f"fiche-{fiche.id}-questions.{lang}#{n:04d}"
                m = brain.match_fiche(q, lang, exclude={chunk_id})
                scored.append((m.confidence if m else 0.0, bool(m and m.fiche_id == fiche.id)))
    neg = []
    for d in negatives:
        lang = brain.lang_of(d["text"], d.get("lang"))
        m = brain.match_fiche(d["text"], lang)
        neg.append(m.confidence if m else 0.0)
    rows = []
    for t in STEPS:
        kept = sum(1 for c, ok in scored if c >= t and ok)
        off = sum(1 for c in neg if c >= t)
        wrong = sum(1 for c, ok in scored if c >= t and not ok) + off
        rows.append((t, kept, wrong, off, len(scored)))
    return rows


def composed_curve(brain: Brain, items: list[dict], today: dt.date) -> list[tuple[float, int, int, int]]:
    """(threshold, right answers kept, wrong answers given, questions) for questions no fiche answers."""
    scored: list[tuple[float, bool]] = []
    for d in items:
        lang = brain.lang_of(d["text"], d.get("lang"))
        m = brain.match_fiche(d["text"], lang)
        if m and m.confidence >= FICHE_MIN:
            continue
        hits = brain.search(d["text"], k=6, lang=lang)
        ev = evidence_patterns(d["text"], brain.catalogue.vocab)
        ranked = answerer.sentences(hits, d["text"], brain.idf, ev, asking_words(d["text"], brain.catalogue.vocab))
        if not ranked:
            scored.append((0.0, bool(d.get("unknown"))))
            continue
        text = " ".join(s.text for s in ranked[:1])
        ok = not d.get("unknown") and all(re.search(rx, text, re.I | re.S) for rx in d.get("must", []))
        scored.append((ranked[0].coverage, ok))
    rows = []
    for t in STEPS:
        kept = sum(1 for c, ok in scored if c >= t and ok)
        wrong = sum(1 for c, ok in scored if c >= t and not ok)
        rows.append((t, kept, wrong, len(scored)))
    return rows


def snapshot_brain() -> Brain:
    """A brain over an index built now from knowledge/ as it is (the catalogue and the index agree)."""
    settings = get_settings()
    embedder, _ = embedder_from_settings(settings)
    cat = load_catalogue(settings.knowledge_dir)
    chunks, _ = build_chunks(cat, settings.knowledge_dir)
    out = Path(tempfile.mkdtemp(prefix="answer-curve-"))
    build_index(chunks, out, embedder)
    brain = Brain(cat, Retriever(load_index(out, embedder), embedder, settings.fusion()))
    brain.idf = passage_idf(brain.retriever.index)
    return brain


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*", type=Path)
    ap.add_argument("--oos", nargs="*", type=Path, default=[])
    args = ap.parse_args()
    sets = args.sets or [
        ROOT.parent / "shared/eval/answers-dev.jsonl",
        *sorted((ROOT / "eval").glob("answers-*.jsonl")),
    ]
    oos = args.oos or sorted((ROOT / "eval").glob("routing*.jsonl"))
    brain = snapshot_brain()
    items = [d for d in _read(sets) if d.get("kind") == "answer"]
    negatives = [d for d in items if d.get("unknown")] + [d for d in _read(oos) if d.get("kind") == "oos"]
    print(f"fiche matching: {sum(len(f.questions.fr) + len(f.questions.en) for f in brain.catalogue.fiches)} "
          f"phrasings left out one at a time, {len(negatives)} questions no fiche should answer")
    print("threshold  right-kept  wrong  (of which no-fiche questions answered)  (of positives)")
    for t, kept, wrong, off, n in fiche_curve(brain, negatives):
        print(f"{t:9.2f}  {kept:10d}  {wrong:5d}  {off:5d}  ({n})")
    print(f"composed answers: {len(items)} answer-set questions, those no fiche answers")
    print("threshold  right-kept  wrong  (of questions)")
    for t, kept, wrong, n in composed_curve(brain, items, dt.date.today()):
        print(f"{t:9.2f}  {kept:10d}  {wrong:5d}  ({n})")


if __name__ == "__main__":
    main()
