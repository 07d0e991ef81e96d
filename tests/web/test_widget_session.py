"""The widget's session in a real Chromium against the real stack: the id and token the server issues are kept
in the tab, a reload resumes the conversation with them, and a tab whose token is refused starts afresh."""

from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest

from tests.bot.conftest import Stack
from tests.web.test_widget import BOT_WAIT_MS, open_widget, say

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ISSUED = "/^[0-9a-f]{64}$/.test(sessionStorage.getItem('guichet.session') || '')"


@pytest.fixture
def page(browser, stack: Stack):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    tab = context.new_page()
    tab.set_default_timeout(BOT_WAIT_MS)
    tab.goto(f"{stack.api}/?lang=fr")
    yield tab
    context.close()


def stored(page) -> tuple[str, str]:
    return tuple(page.evaluate("[sessionStorage.getItem('guichet.session'), sessionStorage.getItem('guichet.token')]"))


def said(stack: Stack, sender: str, count: int) -> list[str]:
    """The conversation's user messages once it holds `count` of them (Rasa stores a turn after replying)."""
    deadline = time.monotonic() + 30
    while True:
        with sqlite3.connect(stack.tmp / "rasa.db") as db:
            query = "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id"
            texts = [json.loads(data)["text"] for (data,) in db.execute(query, (sender,)).fetchall()]
        if len(texts) >= count or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def test_reload_resumes_the_session_with_its_token(page, stack: Stack) -> None:
    """The server's id and token are kept in the tab; after a reload the widget shows them again and the next
    message continues the same conversation (the token was accepted: the id did not change)."""
    open_widget(page)
    say(page, "Bonjour")
    sid, token = stored(page)
    assert re.fullmatch(r"[0-9a-f]{64}", sid) and re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    page.reload()
    open_widget(page)
    assert page.locator(".gw-user").first.inner_text().endswith("Bonjour")
    say(page, "Je cherche un financement pour mon application")
    assert stored(page) == (sid, token)
    assert said(stack, sid, 2) == ["Bonjour", "Je cherche un financement pour mon application"]


def test_a_tab_whose_token_is_refused_starts_a_new_conversation(page, stack: Stack) -> None:
    """A tab holding a session id with a forged token is given a new session by the server: the widget keeps
    the new id and token, forgets the old lines, and the next message goes to the new conversation only."""
    open_widget(page)
    say(page, "Bonjour")
    old, _ = stored(page)
    page.evaluate("sessionStorage.setItem('guichet.token', 'A'.repeat(43))")
    page.reload()
    open_widget(page)
    # A function, not an expression: Playwright polls an expression through eval, which the page's CSP forbids
    # (the poll fails whenever the condition is not already true at the first look).
    page.wait_for_function(f"old => sessionStorage.getItem('guichet.session') !== old && {ISSUED}", arg=old)
    say(page, "Je cherche un financement pour mon application")
    new, token = stored(page)
    assert new != old and re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert said(stack, new, 1) == ["Je cherche un financement pour mon application"]
    assert said(stack, old, 1) == ["Bonjour"]
    kept = json.loads(page.evaluate("sessionStorage.getItem('guichet.log')"))
    assert [e["text"] for e in kept if e["kind"] == "user"] == ["Je cherche un financement pour mon application"]
