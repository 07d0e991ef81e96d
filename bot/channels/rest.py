"""Rasa's REST channel on the same path (/webhooks/rest/webhook), refusing malformed or oversized bodies.

Rasa 3.6's own channel answers 500 to an empty body or a JSON list, 200 with a traceback in its log to a
message that is not a string, and has no size limit: one 1 MB single-word message held the whole server
for longer than 20 s (tests/production/test_webhook_input.py). Here each of those is a clear 4xx and
reaches neither NLU nor the tracker store.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

# A founder's message is a few sentences; the API's /route takes 5 000 characters at most.
MAX_TEXT_CHARS = 5000
MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


def checked_text(text: Any) -> Text:
    """The message if it is a string of a sane length, else the 4xx that says why."""
    if not isinstance(text, str):
        raise InvalidUsage("'message' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        raise PayloadTooLarge(f"'message' is over {MAX_TEXT_CHARS} characters")
    return text


def _body(req: Request) -> Dict[Text, Any]:
    if len(req.body or b"") > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
    if not req.body:
        raise InvalidUsage('empty body: send {"sender": "...", "message": "..."}')
    body = req.json  # sanic answers 400 itself to invalid JSON
    if not isinstance(body, dict):
        raise InvalidUsage('the body must be a JSON object: {"sender": "...", "message": "..."}')
    return body


class GuardedRestInput(RestInput):
    """RestInput with its inputs checked; the channel keeps Rasa's name, hence its path."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER_CHARS:
            raise InvalidUsage(f"'sender' must be a string of 1 to {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        return checked_text(_body(req).get("message"))

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # not the client's to choose: analytics count channels

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        return metadata if isinstance(metadata, dict) else None
