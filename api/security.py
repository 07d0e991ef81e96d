"""Edge protections: CORS allow-list, request size limit, per-client rate limit, security headers, and the
check of the bot's service credential (the routes only the bot may call)."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .keys import is_service_key

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class BodyLimit:
    """Refuses bodies over max_bytes with a JSON 413, whether or not Content-Length is announced."""

    def __init__(self, app: ASGIApp, max_bytes: int, overrides: dict[str, int] | None = None):
        self.app, self.max_bytes = app, max_bytes
        self.overrides = overrides or {}  # exact path -> its own limit (staff document uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.overrides.get(scope["path"], self.max_bytes)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, limit)
            return
        # Bodies are small here: read the whole body (up to the limit), then replay it to the app, so an
        # over-long chunked body is a clean 413 rather than a parse error half-way.
        chunks: list[bytes] = []
        seen, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            more = message.get("more_body", False)
            if seen > limit:
                await self._too_large(scope, receive, send, limit)
                return
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = JSONResponse({"detail": f"request body over {limit} bytes"}, status_code=413)
        await response(scope, receive, send)


class SecurityHeaders:
    """SECURITY_HEADERS on every HTTP response that does not set them itself (a plain ASGI middleware:
    Starlette's BaseHTTPMiddleware, which @app.middleware makes, costs a task and a stream per request)."""

    _encoded = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in self._encoded if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RateLimit:
    """Per-client moving-window rate limit (the `limits` library, which slowapi wraps: slowapi's
    middleware cannot find routes in this FastAPI version, so it would silently limit nothing)."""

    def __init__(self, app: ASGIApp, rate: str, trusted: tuple[str, ...] = (), exempt: tuple[str, ...] = ("/health",),
                 service_digest: str | None = None):
        self.app, self.item, self.exempt, self.service_digest = app, parse(rate), exempt, service_digest
        # Addresses or networks ("10.0.5.0/24": every action-server replica of a deployment).
        self.trusted = [ipaddress.ip_network(t.strip(), strict=False) for t in trusted if t.strip()]
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _trusted(self, client: str) -> bool:
        try:
            address = ipaddress.ip_address(client)
        except ValueError:  # "unknown", a unix socket path…
            return False
        return any(address in net for net in self.trusted)

    def _service(self, scope: Scope) -> bool:
        """The request carries the bot's service credential (it speaks for many founders, wherever it runs)."""
        if not self.service_digest:
            return False
        header = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        scheme, _, secret = header.partition(" ")
        return scheme.lower() == "bearer" and is_service_key(secret.strip(), self.service_digest)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        if self._service(scope) or self._trusted(client):  # the action server speaks for many founders
            await self.app(scope, receive, send)
            return
        if not self.limiter.hit(self.item, client):
            response = JSONResponse(
                {"detail": f"too many requests: {self.item}"}, status_code=429, headers={"Retry-After": "60"}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def protect(
    app: FastAPI,
    cors_origins: list[str],
    max_body_bytes: int,
    rate_limit: str,
    trusted: tuple[str, ...] = (),
    body_overrides: dict[str, int] | None = None,
) -> None:
    """Install the protections, outermost first: size limit, CORS, rate limit, headers."""
    if rate_limit:
        settings = getattr(app.state, "settings", None)  # create_app sets it before calling this
        digest = getattr(settings, "service_key_sha256", None)
        app.add_middleware(RateLimit, rate=rate_limit, trusted=trusted, service_digest=digest)

    app.add_middleware(SecurityHeaders)

    app.add_middleware(
        CORSMiddleware,
        allow_origins=cors_origins,
        allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes, overrides=body_overrides)


_bearer = HTTPBearer(auto_error=False)
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
_UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def _service_digest(request: Request) -> str | None:
    return request.app.state.settings.service_key_sha256


def require_service(request: Request, credentials: Bearer) -> None:
    """The bot's routes: 401 unless the request carries the service credential."""
    if credentials is None:
        raise HTTPException(401, "this route is the bot's: send its service credential as Authorization: Bearer KEY",
                            headers=_UNAUTHORIZED)
    if not is_service_key(credentials.credentials, _service_digest(request)):
        raise HTTPException(401, "unknown service credential", headers=_UNAUTHORIZED)


def optional_service(request: Request, credentials: Bearer) -> bool:
    """True with the service credential, False with none; a wrong one is a 401 all the same."""
    if credentials is None:
        return False
    require_service(request, credentials)
    return True


ServiceCaller = Annotated[None, Depends(require_service)]
MaybeService = Annotated[bool, Depends(optional_service)]
