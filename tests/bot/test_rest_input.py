"""Malformed and oversized bodies on the REST webhook (bot/channels/rest.py): a 4xx each, the server serves on."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.bot.conftest import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
JSON = {"content-type": "application/json"}
BODIES: dict[str, tuple[bytes, dict[str, str], int]] = {
    "empty": (b"", JSON, 400),
    "not json": (b"{sender: x", JSON, 400),
    "non-utf8": (b'{"sender": "s", "message": "\xff\xfe\xfa"}', JSON, 400),
    "a list": (b"[1, 2]", JSON, 400),
    "no message": (b'{"sender": "s"}', JSON, 400),
    "null message": (b'{"sender": "s", "message": null}', JSON, 400),
    "numbers": (b'{"sender": 12, "message": 34}', JSON, 400),
    "object message": (b'{"sender": "s", "message": {"a": 1}}', JSON, 400),
    "empty sender": (b'{"sender": "", "message": "Bonjour"}', JSON, 400),
    "form encoded": (b"sender=s&message=bonjour", {"content-type": "application/x-www-form-urlencoded"}, 400),
    "1 MB in one word": (json.dumps({"sender": "s", "message": "a" * 1_000_000}).encode(), JSON, 413),
    "6000 characters": (json.dumps({"sender": "s", "message": "mot " * 1500}).encode(), JSON, 413),
}


def _post(stack: Stack, body: bytes, headers: dict[str, str]) -> httpx.Response:
    content = body.replace(b'"s"', json.dumps(f"bad-{uuid.uuid4().hex[:8]}").encode())
    return httpx.post(f"{stack.rasa}/webhooks/rest/webhook", content=content, headers=headers, timeout=30)


@pytest.mark.parametrize("label", list(BODIES))
def test_malformed_or_oversized_body_is_refused_with_a_4xx(stack: Stack, label: str) -> None:
    """Each malformed body gets its 4xx at once, never a 500, and the server answers a founder right after."""
    body, headers, status = BODIES[label]
    started = time.monotonic()
    r = _post(stack, body, headers)
    assert r.status_code == status, (label, r.status_code, r.text[:200])
    assert time.monotonic() - started < 5
    assert stack.say(f"after-{uuid.uuid4().hex}", "Bonjour")


def test_control_characters_and_markup_are_just_text(stack: Stack) -> None:
    """Control characters, script tags and SQL fragments are a message like any other: an answer, no error."""
    for text in ("\u0000\u0007\u001b[2J", "<script>x()</script>'; DROP TABLE events;--"):
        body = {"sender": f"odd-{uuid.uuid4().hex}", "message": text}
        r = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json=body, timeout=30)
        assert r.status_code == 200 and r.json(), (text, r.text[:200])
