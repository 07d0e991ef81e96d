"""The widget on a static page whose Rasa server is down: polite error, phone layout (no stack needed)."""

from __future__ import annotations

import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.web.conftest import WIDGET

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>host</title></head>
<body><h1 class="gw-launcher">Host page</h1>
<script src="/static/widget.js" data-server="http://127.0.0.1:{port}"></script>
</body></html>"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def host_site(tmp_path_factory) -> Iterator[str]:
    """A host site on loopback (a plain static server) whose pages embed the built widget, Rasa down."""
    root = tmp_path_factory.mktemp("host")
    (root / "static").mkdir()
    shutil.copy(WIDGET, root / "static" / "widget.js")
    port = closed_port()
    for lang in ("fr", "en"):
        (root / f"{lang}.html").write_text(PAGE.format(lang=lang, port=port), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def host_page(browser, host_site: str):
    """Opens the host page in a fresh browser context (own sessionStorage) at the given viewport."""
    contexts = []

    def open_(lang: str = "fr", width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.goto(f"{host_site}/{lang}.html")
        return tab

    yield open_
    for context in contexts:
        context.close()


def test_server_down_is_said_politely_and_nothing_is_sent(host_page) -> None:
    """With Rasa unreachable, the panel says so in French and a typed message is kept, not lost silently."""
    page = host_page("fr")
    page.get_by_role("button", name="Guichet : être orienté").click()
    page.get_by_role("status").filter(has_text="injoignable").first.wait_for(state="visible")
    box = page.get_by_label("Votre message")
    box.fill("Bonjour")
    box.press("Enter")
    assert box.input_value() == "Bonjour"
    assert page.locator(".gw-user").count() == 0
    assert "Message non envoyé" in page.get_by_role("status").first.inner_text()


def test_english_host_page_gets_english_words(host_page) -> None:
    """Without data-lang the widget follows the page's <html lang>: English labels and privacy line."""
    page = host_page("en")
    page.get_by_role("button", name="Guichet: get guidance").click()
    dialog = page.get_by_role("dialog", name="Digital-health single window")
    dialog.wait_for(state="visible")
    assert "do not include any patient data" in dialog.inner_text()
    assert page.get_by_label("Your message").is_visible()


def test_host_page_styles_are_left_alone(host_page) -> None:
    """The widget's styles live in its shadow root: a host element with the same class is not restyled."""
    page = host_page("fr")
    position = page.evaluate("getComputedStyle(document.querySelector('h1.gw-launcher')).position")
    assert position == "static"


def test_phone_viewport_gets_a_full_screen_panel(host_page, shots) -> None:
    """On a 375×667 phone the open panel fills the screen width and height."""
    page = host_page("fr", 375, 667)
    page.get_by_role("button", name="Guichet : être orienté").click()
    dialog = page.get_by_role("dialog", name="Guichet santé numérique")
    dialog.wait_for(state="visible")
    box = dialog.bounding_box()
    assert box is not None
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 667)
    assert page.get_by_label("Votre message").is_visible()
    page.screenshot(path=str(shots / "widget-phone-offline.png"))
