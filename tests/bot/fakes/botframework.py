"""A fake Microsoft Bot Framework: token endpoint, OpenID metadata, signing keys, conversation replies.

It signs the activities it "sends" to the bot with its own RSA key pair (published in its JWKS with the
`msteams` endorsement, as Microsoft does) and records the replies the bot posts to
`{serviceUrl}v3/conversations/{id}/activities`, accepting only the access tokens it issued.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from tests.bot.fakes.rs256 import RsaKey, encode
from tests.bot.fakes.server import FakeServer, Reply, Request

ISSUER = "https://api.botframework.com"
MAX_ACTIVITY_BYTES = 28_000  # Teams refuses larger messages (HTTP 413)
OPENID_PATH = "/v1/.well-known/openidconfiguration"
KEYS_PATH = "/v1/.well-known/keys"
TOKEN_PATH = "/botframework.com/oauth2/v2.0/token"


class FakeBotFramework(FakeServer):
    """Starts unreachable (the OpenID metadata hangs, like a dropped connection) until `reachable` is set."""

    def __init__(self, app_id: str, password: str) -> None:
        super().__init__()
        self.app_id, self.password = app_id, password
        self.key = RsaKey.generate("fake-key-1")
        self.published: list[RsaKey] = [self.key]
        self.reachable = threading.Event()
        self.issued: set[str] = set()
        self.replies: list[dict[str, Any]] = []
        self.openid_url = self.url + OPENID_PATH
        self.token_url = self.url + TOKEN_PATH
        self.service_url = self.url + "/teams/"
        self.route("GET", OPENID_PATH, self._openid)
        self.route("GET", KEYS_PATH, self._keys)
        self.route("POST", TOKEN_PATH, self._token)
        self.route("POST", "/teams/v3/conversations/", self._reply)

    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.startswith(path))

    def _openid(self, req: Request) -> Reply:
        if not self.reachable.wait(timeout=20):
            return Reply(504, {"error": "unreachable"})
        return Reply(200, {"issuer": ISSUER, "jwks_uri": self.url + KEYS_PATH,
                           "id_token_signing_alg_values_supported": ["RS256"]})

    def _keys(self, req: Request) -> Reply:
        with self.lock:
            return Reply(200, {"keys": [k.jwk(endorsements=["msteams"]) for k in self.published]})

    def _token(self, req: Request) -> Reply:
        form = req.form()
        if (form.get("grant_type") != "client_credentials" or form.get("client_id") != self.app_id
                or form.get("client_secret") != self.password or form.get("scope") != "https://api.botframework.com/.default"):
            return Reply(401, {"error": "invalid_client"})
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.issued.add(token)
        return Reply(200, {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600, "access_token": token})

    def _reply(self, req: Request) -> Reply:
        auth = req.headers.get("authorization", "")
        with self.lock:
            known = auth.startswith("Bearer ") and auth[7:] in self.issued
        if not known:
            return Reply(401, {"error": {"code": "Unauthorized"}})
        if len(req.body) > MAX_ACTIVITY_BYTES:
            return Reply(413, {"error": {"code": "MessageSizeTooBig"}})
        parts = req.path.split("?")[0].split("/")  # /teams/v3/conversations/{id}/activities
        if len(parts) != 6 or parts[5] != "activities":
            return Reply(404, {"error": {"code": "NotFound"}})
        activity = req.json()
        reply_id = secrets.token_hex(8)
        with self.lock:
            self.replies.append({"conversation": parts[4], "activity": activity, "id": reply_id})
        return Reply(201, {"id": reply_id})

    def replies_in(self, conversation: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r["activity"] for r in self.replies if r["conversation"] == conversation]

    def rotate(self) -> RsaKey:
        """Publishes a new signing key (as Microsoft does from time to time) and returns it."""
        key = RsaKey.generate(f"fake-key-{len(self.published) + 1}")
        with self.lock:
            self.published.append(key)
        return key

    def token(self, service_url: str | None = None, key: RsaKey | None | bool = True, header: dict | None = None,
              **claims: Any) -> str:
        """A connector token for an activity, as Microsoft signs it; keyword claims override the defaults."""
        now = int(time.time())
        body = {"serviceurl": service_url or self.service_url, "nbf": now - 5, "exp": now + 3600,
                "iss": ISSUER, "aud": self.app_id, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        signer = self.key if key is True else (key or None)
        return encode(body, signer, header)
