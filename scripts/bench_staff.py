"""Benchmark: the staff page's API calls over a tracker store of 10 000 synthetic conversations.

Fills a Rasa-schema SQLite store (the events Rasa 3.6 writes, see tests/api/tracker_support.py) with
conversations of varied paths, then times /staff/analytics, /staff/conversations (plain and filtered) and
/staff/handoffs in process, warm, and the three calls the page makes together.
Usage: .venv/bin/python -m scripts.bench_staff [--conversations 10000] [--repeat 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.api.tracker_support import Talk, create_tracker_db, write

ROOT = Path(__file__).resolve().parent.parent

LEVERS = ["gnius", "bpifrance-innovation", "clinical-evaluation", "tiers-lieux", "french-tech", "training"]
NEEDS = ["funding", "evidence", "regulatory", "testing", "training", "data", "market-access"]
FR_GAPS = [
    "Quel temps fera-t-il demain ?",
    "Pouvez-vous écrire mon business plan ?",
    "Quel est le prix du DMP ?",
    "Combien coûte un brevet européen ?",
    "Qui est le ministre de la santé ?",
]
EN_GAPS = ["What's the weather tomorrow?", "Can you write my business plan?", "How much is a European patent?"]


def synthetic(n: int, seed: int = 7) -> list[Talk]:
    """n conversations over 90 days: 70 % French; describe, qualify, levers, questions, fallbacks, hand-offs."""
    rnd = random.Random(seed)
    start = time.time() - 90 * 86400
    talks = []
    for i in range(n):
        lang = "fr" if rnd.random() < 0.7 else "en"
        t = Talk(f"bench-{i:05d}", start + rnd.random() * 90 * 86400).session()
        if rnd.random() < 0.9:
            t.describe(
                "Nous développons un logiciel de santé" if lang == "fr" else "We build health software",
                lang,
                rnd.sample(NEEDS, rnd.randint(1, 3)),
            )
            if rnd.random() < 0.6:
                t.qualify(lang).recommend(rnd.sample(LEVERS, 3), lang)
            for _ in range(rnd.randint(0, 2)):
                t.ask("Quel est le montant de l'aide ?" if lang == "fr" else "How much is the grant?", lang, cited=True)
            if rnd.random() < 0.25:
                t.ask(rnd.choice(FR_GAPS if lang == "fr" else EN_GAPS), lang, cited=None)
            if rnd.random() < 0.1:
                t.fallback("xkcd qwerty" if rnd.random() < 0.5 else "blorb flarp", lang)
            if rnd.random() < 0.05:
                t.handoff("Camille Martin", "camille@example.com")
        talks.append(t)
    return talks


def _time(client, url: str, headers: dict, repeat: int, cold: bool = True) -> dict:
    """Median and max over `repeat` calls after a warm-up; cold: the analytics memo is emptied before each."""
    client.get(url, headers=headers).raise_for_status()  # warm-up
    ms = []
    for _ in range(repeat):
        if cold:
            client.app.state.figures.forget()
        t0 = time.perf_counter()
        client.get(url, headers=headers).raise_for_status()
        ms.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(ms), 1), "max_ms": round(max(ms), 1)}


def _browser(data: Path, repeat: int) -> dict:
    """Key entered -> figures, charts and first table page drawn, in a real Chromium against uvicorn."""
    import os

    from playwright.sync_api import expect, sync_playwright

    from api.db import make_engine, session_factory
    from api.keys import create_key
    from scripts.stack import command, free_port, launch, stop, wait_for

    port = free_port()
    fixture = ROOT / "tests" / "fixtures" / "knowledge"
    env = {
        **os.environ,
        "GUICHET_DATA_DIR": str(data),
        "GUICHET_KNOWLEDGE_DIR": str(fixture),
        "GUICHET_EMBEDDING_MODEL": "none",
        "GUICHET_RATE_LIMIT": "",
    }
    env.pop("GUICHET_TRACKER_DB_URL", None)
    proc, log = launch("api", *command("api", port), env, data)
    ms = []
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc, 60, log)
        engine = make_engine(f"sqlite:///{data / 'guichet.db'}")
        with session_factory(engine)() as s:
            key = create_key(s, "read", "bench-browser")
        engine.dispose()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for i in range(repeat):
                page = browser.new_page(locale="fr-FR")
                page.goto(f"http://127.0.0.1:{port}/staff?run={i}")
                page.get_by_role("textbox", name="Clé").fill(key)
                t0 = time.perf_counter()
                page.get_by_role("button", name="Ouvrir").click()
                expect(page.locator("#fig-total")).not_to_have_text("–", timeout=30_000)
                expect(page.locator("#conversations tbody tr").first).to_be_visible()
                ms.append((time.perf_counter() - t0) * 1000)
                page.close()
                if i == 0:  # the first load computes the figures; later ones are served from the memo
                    first = ms[0]
            browser.close()
    finally:
        stop([proc])
    return {"first_ms": round(first, 1), "median_ms": round(statistics.median(ms), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conversations", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", type=Path, help="write the data folder here and keep it")
    ap.add_argument("--browser", action="store_true", help="also time the page itself in /usr/bin/chromium")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from api.core.catalogue import load_catalogue
    from api.core.corpus import build_chunks
    from api.keys import create_key
    from api.main import create_app
    from api.settings import Settings
    from retrieval.index import build_index

    data = args.keep or Path(tempfile.mkdtemp(prefix="guichet-bench-staff-"))
    data.mkdir(parents=True, exist_ok=True)
    try:
        tracker = data / "rasa-tracker.db"
        tracker.unlink(missing_ok=True)
        t0 = time.perf_counter()
        talks = synthetic(args.conversations)
        write(create_tracker_db(tracker), *talks)
        events = sum(len(t.events) for t in talks)
        print(
            f"store: {len(talks)} conversations, {events} events, {tracker.stat().st_size / 2**20:.0f} MiB, "
            f"filled in {time.perf_counter() - t0:.1f}s"
        )
        fixture = ROOT / "tests" / "fixtures" / "knowledge"
        build_index(build_chunks(load_catalogue(fixture), fixture)[0], data / "index", None)
        settings = Settings(knowledge_dir=fixture, data_dir=data, embedding_model="none", rate_limit="")
        with TestClient(create_app(settings)) as client:
            with client.app.state.sessions() as s:
                headers = {"Authorization": f"Bearer {create_key(s, 'read', 'bench')}"}
            for name, url in [
                ("analytics", "/staff/analytics"),
                (
                    "analytics, one month",
                    "/staff/analytics?since=" + time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400)),
                ),
                ("conversations", "/staff/conversations?limit=25"),
                ("conversations, lang+lever", "/staff/conversations?limit=25&lang=en&lever=training"),
                ("conversations, page 200", "/staff/conversations?limit=25&offset=5000"),
                ("handoffs", "/staff/handoffs?limit=100"),
            ]:
                print(f"{name:28} {_time(client, url, headers, args.repeat)}")
            print(f"{'analytics, memo warm':28} {_time(client, '/staff/analytics', headers, args.repeat, cold=False)}")
            client.app.state.figures.forget()
            t0 = time.perf_counter()
            for url in ("/staff/analytics", "/staff/conversations?limit=25", "/staff/handoffs?limit=100"):
                client.get(url, headers=headers).raise_for_status()
            print(f"{'staff page data, cold':28} {(time.perf_counter() - t0) * 1000:.0f} ms (3 calls in a row)")
        if args.browser:
            print(f"{'staff page in Chromium':28} {_browser(data, args.repeat)}")
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
