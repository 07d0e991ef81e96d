"""A real Chromium (Debian's) driven by Playwright, and the real stack for the widget's browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# The real API + Rasa + actions (and what the stack fixture needs), started once for these tests.
from tests.bot.conftest import channel_fakes, stack  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
WIDGET = ROOT / "api" / "static" / "widget.js"
SHOTS = ROOT / "var" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("no browser: run `make browser` (installs Debian's chromium at /usr/bin/chromium)")
    if not WIDGET.exists():
        pytest.skip("the widget is not built: run `cd web && npm ci && npm run build` (or `make api/static/widget.js`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
