"""The staff page in a real Chromium, under its real CSP, against the real API over a Rasa-schema store."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.db import make_engine, session_factory
from api.keys import create_key
from retrieval.index import build_index
from scripts.stack import command, free_port, launch, stop, wait_for
from tests.api.tracker_support import Talk, create_tracker_db, small_dataset, write
from tests.web.conftest import ARGS, CHROMIUM

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "knowledge"
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path, str]]:
    """uvicorn serving the API on a data folder whose tracker store holds the known conversations."""
    if not (ROOT / "api" / "static" / "staff.js").exists():
        pytest.skip("the staff page is not built: run `cd web && npm ci && npm run build`")
    data = tmp_path_factory.mktemp("staff-page")
    build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], data / "index", None)
    tracker = create_tracker_db(data / "rasa-tracker.db")
    small_dataset(tracker)
    write(tracker, Talk("xss-talk", 1772442000.0 + 4 * 86400).session().user(XSS, "ask_question", "fr"))
    port = free_port()
    env = {
        **os.environ,
        "GUICHET_DATA_DIR": str(data),
        "GUICHET_KNOWLEDGE_DIR": str(FIXTURE),
        "GUICHET_EMBEDDING_MODEL": "none",
    }
    env.pop("GUICHET_TRACKER_DB_URL", None)
    proc, log = launch("api", *command("api", port), env, data)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", proc, 60, log)
        engine = make_engine(f"sqlite:///{data / 'guichet.db'}")
        with session_factory(engine)() as s:
            key = create_key(s, "admin", "page")
        engine.dispose()
        yield f"http://127.0.0.1:{port}", tracker, key
    finally:
        stop([proc])


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip("no browser at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_staff_page_charts_tables_transcript_and_erasure(server, chromium) -> None:
    """Key in, the figures, charts and tables fill; data shows as text; erasing from the page empties Rasa's rows."""
    base, tracker, key = server
    context = chromium.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{base}/staff")
    page.get_by_role("textbox", name="Clé").fill(key)
    page.get_by_role("button", name="Ouvrir").click()
    expect(page.locator("#fig-total")).to_have_text("6")  # (wait_for_function would need eval: the CSP forbids it)
    assert page.locator("#conversations tbody tr").count() == 6
    assert page.locator("#unanswered tbody tr").count() >= 3
    expect(page.locator("#lapsed-summary")).to_contain_text("à corriger")  # the knowledge check, as text
    assert page.locator("#lapsed tbody tr").count() >= 1  # the fixture fiche's 2025 target, now past
    assert page.evaluate("document.getElementById('chart-funnel').width") > 0
    assert page.evaluate("sessionStorage.getItem('guichet.staff.key')") == key
    assert page.evaluate("localStorage.length") == 0

    page.locator("#conversations tbody tr").first.get_by_role("button", name="Lire").click()  # most recent
    page.locator("#transcript li").first.wait_for()
    assert page.locator("#transcript li.founder").first.inner_text().endswith(XSS)  # shown as text
    assert page.evaluate("window.__xss") is None

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Effacer cette conversation").click()
    expect(page.locator("#detail-status")).to_contain_text("Conversation effacée")
    expect(page.locator("#fig-total")).to_have_text("5")
    with sqlite3.connect(tracker) as db:
        assert db.execute("SELECT COUNT(*) FROM events WHERE sender_id = 'xss-talk'").fetchone()[0] == 0

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("h1")).to_have_text("Guichet — staff")
    assert problems == []
    context.close()


def test_bad_key_is_refused_and_forgotten(server, chromium) -> None:
    """A wrong key brings the login back with a message and is not kept."""
    base, _, _ = server
    context = chromium.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{base}/staff")
    page.get_by_role("textbox", name="Key").fill("gk_nope_nope-nope-nope")
    page.get_by_role("button", name="Open").click()
    page.get_by_text("Key refused").wait_for(timeout=10_000)
    assert page.evaluate("sessionStorage.getItem('guichet.staff.key')") is None
    context.close()
