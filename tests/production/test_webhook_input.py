"""Malformed bodies sent to Rasa's REST webhook (Rasa's own code, reported, not patched): the server survives."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from tests.production.conftest import ProdStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
JSON = {"content-type": "application/json"}
BODIES: dict[str, tuple[bytes, dict[str, str]]] = {
    "empty": (b"", JSON),
    "not json": (b"{sender: x", JSON),
    "non-utf8": (b'{"sender": "s", "message": "\xff\xfe\xfa"}', JSON),
    "a list": (b"[1, 2]", JSON),
    "no message": (b'{"sender": "s"}', JSON),
    "null message": (b'{"sender": "s", "message": null}', JSON),
    "numbers": (b'{"sender": 12, "message": 34}', JSON),
    "object message": (b'{"sender": "s", "message": {"a": 1}}', JSON),
    "control chars": (json.dumps({"sender": "s", "message": "\u0000\u0007\u001b[2J"}).encode(), JSON),
    "script and sql": (
        json.dumps({"sender": "s", "message": "<script>x()</script>'; DROP TABLE events;--"}).encode(),
        JSON,
    ),
    "form encoded": (b"sender=s&message=bonjour", {"content-type": "application/x-www-form-urlencoded"}),
}


def post(prod: ProdStack, body: bytes, headers: dict[str, str], timeout: float) -> str:
    """Rasa's answer to one raw body, as 'status body-start', or why there was none."""
    content = body.replace(b'"s"', json.dumps(f"prod-bad-{uuid.uuid4().hex[:8]}").encode())
    try:
        r = httpx.post(f"{prod.rasa_a}/webhooks/rest/webhook", content=content, headers=headers, timeout=timeout)
        return f"{r.status_code} {r.text[:80]!r}"
    except httpx.HTTPError as exc:
        return f"no answer ({type(exc).__name__})"


def test_malformed_webhook_bodies_leave_the_server_serving(prod: ProdStack) -> None:
    """Every malformed body gets an answer (recorded for the report) and the server still converses afterwards."""
    answers = {label: post(prod, body, headers, 30) for label, (body, headers) in BODIES.items()}
    print("\nRasa REST webhook answers:\n" + "\n".join(f"  {k}: {v}" for k, v in answers.items()))
    assert all(not v.startswith("no answer") for v in answers.values()), answers
    assert all(v[:3] in ("200", "400", "500") for v in answers.values()), answers
    assert prod.say(prod.rasa_a, f"prod-after-{uuid.uuid4().hex}", "Bonjour")
    assert httpx.get(f"{prod.rasa_a}/webhooks/ready/", timeout=15).status_code == 200


def test_a_one_megabyte_message_is_reported(prod: ProdStack) -> None:
    """Rasa has no message size limit: 1 MB in one word is timed (for the report), the process survives it."""
    body = json.dumps({"sender": "s", "message": "a" * 1_000_000}).encode()
    started = time.monotonic()
    answer = post(prod, body, JSON, 20)
    took = time.monotonic() - started
    busy = post(prod, json.dumps({"sender": "s", "message": "Bonjour"}).encode(), JSON, 10)
    print(f"\n1 MB message: {answer} after {took:.1f}s; a normal message meanwhile: {busy}")
    assert prod.procs["rasa_a"].poll() is None  # slow, not crashed
    prod.restart("rasa_a")  # whatever it is still chewing on
    assert prod.say(prod.rasa_a, f"prod-after-{uuid.uuid4().hex}", "Bonjour")
