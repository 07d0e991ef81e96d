"""The web widget's sessions: ids the server issues, each with a token only the server can sign.

A session id is also the conversation's id (the tracker's sender id, the staff transcripts, the feedback's
conversation id), so it is not secret. Its token, an HMAC-SHA256 of the id under the server's session secret,
is given only to the socket that opened the session, which keeps it (the widget: sessionStorage) and shows it
to resume the session on reconnection; knowing an id without its token opens nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

SESSION_ID = re.compile(r"[0-9a-f]{64}")  # 32 random bytes in hex, as issued
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # an HMAC-SHA256 in unpadded base64url
_PURPOSE = b"guichet.webchat.session\x00"  # a token signs a session id, and nothing else signed with this key


def valid_session_id(value: Any) -> bool:
    return isinstance(value, str) and SESSION_ID.fullmatch(value) is not None


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret is too short")
        self._secret = secret

    def token(self, session_id: str) -> str:
        digest = hmac.new(self._secret, _PURPOSE + session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self) -> tuple[str, str]:
        """A new session id and its token."""
        session_id = secrets.token_hex(32)
        return session_id, self.token(session_id)

    def verify(self, session_id: Any, token: Any) -> bool:
        """True when the id has the issued format and the token is the server's signature of it."""
        if not valid_session_id(session_id) or not isinstance(token, str) or not TOKEN.fullmatch(token):
            return False
        return hmac.compare_digest(self.token(session_id), token)
