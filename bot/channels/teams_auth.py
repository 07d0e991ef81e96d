"""The Bot Framework's tokens: the one Microsoft signs on each activity Teams posts (checked here, as the
connector protocol requires), and the app's own, which its replies carry (fetched and cached here).

The signing keys are fetched lazily (never while the server starts), with a timeout, cached for a day and
refreshed when a token names a key id not in the cache. A token is accepted only if signed with RS256 by a
published key endorsed for the activity's channel, issued by an allowed issuer, for this bot's app id, not
expired, and carrying the activity's serviceUrl, itself on the allow-list of service hosts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
LEEWAY_SECONDS = 300  # the clock skew Microsoft's SDKs allow
SCOPE = "https://api.botframework.com/.default"
TOKEN_TIMEOUT_SECONDS = 10
Http = Callable[[], httpx.AsyncClient]  # the channel's one HTTP client


class AuthError(Exception):
    """The token is missing, malformed, or fails a check (the reason is for logs, never for the caller)."""


class KeysUnavailable(Exception):
    """No signing key could be fetched yet: the token can be neither accepted nor refused."""


class KeySet:
    """Microsoft's token-signing keys from the OpenID metadata's jwks_uri, fetched when first needed."""

    def __init__(self, openid_url: str, http: Http, timeout: float = 5.0, min_refresh: float = 60.0,
                 max_age: float = 86400.0):
        self.openid_url, self.http, self.timeout = openid_url, http, timeout
        self.min_refresh, self.max_age = min_refresh, max_age
        self.keys: dict[str, dict[str, Any]] = {}
        self.loaded_at: float | None = None
        self.tried_at: float | None = None
        self._lock = asyncio.Lock()

    async def _fetch(self) -> dict[str, dict[str, Any]]:
        client = self.http()  # redirects are not followed (httpx's default)
        meta = (await client.get(self.openid_url, timeout=self.timeout)).raise_for_status().json()
        jwks = (await client.get(str(meta["jwks_uri"]), timeout=self.timeout)).raise_for_status().json()
        return {str(k["kid"]): k for k in jwks["keys"] if isinstance(k, dict) and k.get("kid")}

    async def refresh(self) -> None:
        async with self._lock:
            now = time.monotonic()
            since = None if self.tried_at is None else now - self.tried_at
            if since is not None and since < self.min_refresh and self.keys:
                return  # refreshed moments ago (possibly by a concurrent request)
            if since is not None and since < min(self.min_refresh, 10.0) and not self.keys:
                raise KeysUnavailable("the last attempt failed moments ago")  # no pile-up of slow attempts
            self.tried_at = now
            try:
                self.keys, self.loaded_at = await self._fetch(), time.monotonic()
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                if not self.keys:
                    raise KeysUnavailable(type(exc).__name__) from exc

    async def get(self, kid: str) -> dict[str, Any] | None:
        stale = self.loaded_at is None or time.monotonic() - self.loaded_at > self.max_age
        if stale or kid not in self.keys:
            await self.refresh()
        return self.keys.get(kid)


def host_allowed(service_url: str, allowed: Iterable[str]) -> bool:
    """https on an allowed host ('host', 'host:port' or '*.domain'); plain http only on loopback."""
    try:
        parts = urlsplit(service_url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return False
    if not host or parts.scheme not in ("https", "http") or (parts.scheme == "http" and host not in LOOPBACK):
        return False
    netloc = f"{host}:{port}" if port else host
    for entry in (a.strip().lower() for a in allowed):
        if entry and (entry in (host, netloc) or (entry.startswith("*.") and host.endswith(entry[1:]))):
            return True
    return False


def _same_url(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/").lower() == b.rstrip("/").lower()


class TokenChecker:
    """Validates the Authorization header of an activity posted by the Bot Framework connector."""

    def __init__(self, app_id: str, keys: KeySet, issuers: list[str], service_hosts: list[str]):
        self.app_id, self.keys, self.issuers, self.service_hosts = app_id, keys, issuers, service_hosts

    async def check(self, authorization: str | None, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims; AuthError for a bad token, KeysUnavailable when keys cannot be fetched."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("no bearer token")
        try:
            header = jwt.get_unverified_header(token.strip())
        except jwt.PyJWTError as exc:
            raise AuthError("malformed token") from exc
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
            raise AuthError("not RS256 or no key id")
        service_url = activity.get("serviceUrl")
        if not isinstance(service_url, str) or not host_allowed(service_url, self.service_hosts):
            raise AuthError("serviceUrl not allowed")
        jwk = await self.keys.get(kid)
        if jwk is None:
            raise AuthError("unknown key id")
        endorsements = jwk.get("endorsements")
        if isinstance(endorsements, list) and activity.get("channelId") not in endorsements:
            raise AuthError("key not endorsed for this channel")
        try:
            key = RSAAlgorithm.from_jwk(jwk)
            claims = jwt.decode(token.strip(), key=key, algorithms=["RS256"],  # type: ignore[arg-type]
                                audience=self.app_id, issuer=self.issuers, leeway=LEEWAY_SECONDS,
                                options={"require": ["exp", "iss", "aud"]})
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise AuthError(type(exc).__name__) from exc
        if not _same_url(claims.get("serviceurl", claims.get("serviceUrl")), service_url):
            raise AuthError("serviceUrl claim does not match the activity")
        return claims


class AppToken:
    """The app's access token for its replies, from the token endpoint (client credentials), kept until a
    minute before it expires; concurrent replies wait for one fetch."""

    def __init__(self, http: Http, url: str, app_id: str, password: str) -> None:
        self.http, self.url, self.app_id, self._password = http, url, app_id, password
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def headers(self) -> dict[str, str] | None:
        """The reply's headers; None (logged) when no token can be had."""
        async with self._lock:
            if self._token is None or self._expires < time.time():
                form = {"grant_type": "client_credentials", "client_id": self.app_id,
                        "client_secret": self._password, "scope": SCOPE}
                try:
                    reply = await self.http().post(self.url, data=form, timeout=TOKEN_TIMEOUT_SECONDS)
                    reply.raise_for_status()
                    data = reply.json()
                    self._token = str(data["access_token"])
                    self._expires = time.time() + max(int(data.get("expires_in", 3600)) - 60, 30)
                except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                    log.error("could not get a Bot Framework token: %s", type(exc).__name__)
                    return None
        return {"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"}
