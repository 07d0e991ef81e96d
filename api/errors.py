"""The API's error bodies: the handlers that send them, and their documentation on every route where they occur.

What the edges and the shared dependencies can answer (a body that cannot be read, too large, invalid; no or
a wrong key; too many requests; a database down) is added to the description from the routes' own parameters
and dependencies, once, by `document`: a route declares only what its own code raises (a 404, a 409).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from fastapi.security.base import SecurityBase
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute

from .deps import StaffKey, get_session, get_tracker
from .keys import SCOPES

log = logging.getLogger("guichet.api")


class Error(BaseModel):
    """Every error but a validation error: what went wrong, in one sentence."""

    detail: str


class Problem(BaseModel):
    """One invalid value: where it is (never the value itself: founders' text is not echoed), and why."""

    loc: list[str | int] = Field(description='e.g. ["body", "query"] or ["query", "until"]')
    msg: str
    type: str


class Invalid(BaseModel):
    """A request the API cannot take: the list of invalid values, or one sentence when the request as a whole
    is refused (since after until, a file of an unknown kind, a value the database cannot store)."""

    detail: list[Problem] | str


# Paths the rate limit lets through (api/security.py, RateLimit's `exempt`).
RATE_EXEMPT = frozenset({"/health"})
_FASTAPI_422 = "#/components/schemas/HTTPValidationError"  # FastAPI's 422 body, a list only
_WWW = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}, "required": True}}
_RETRY = {"Retry-After": {"description": "seconds", "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
WHY: dict[int, tuple[type[BaseModel], str, dict[str, Any]]] = {
    400: (Error, "The body could not be read (not UTF-8, or a broken multipart form).", {}),
    401: (Error, "No credential, or an unknown or revoked one (Authorization: Bearer KEY).", _WWW),
    403: (Error, "The key's scope does not allow this route.", {}),
    404: (Error, "Nothing with this id.", {}),
    409: (Error, "Refused as things stand (the detail says why).", {}),
    413: (Error, "The body is over the size limit.", {}),
    415: (Error, "A file of a kind the API does not read.", {}),
    422: (Invalid, "Invalid values, or a request refused as a whole.", {}),
    429: (Error, "Too many requests from this address.", {"Retry-After": {**_RETRY["Retry-After"], "required": True}}),
    503: (Error, "A store the route needs is unavailable; nothing was changed, retry later.", _RETRY),
}


def errors(*codes: int, **notes: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for these statuses; `notes` (`e404="no lever with this id"`) say what the status means here."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        model, text, headers = WHY[code]
        out[code] = {"model": model, "description": notes.get(f"e{code}", text)}
        if headers:
            out[code]["headers"] = headers
    return out


def _calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def edge_statuses(route: APIRoute, path: str, rate_limited: bool) -> list[int]:
    """The statuses a route can answer without its own code raising them, read from its parameters and
    dependencies and from the edge protections (api/security.py) in front of every route."""
    calls = list(_calls(route.dependant))
    codes = []
    if route.body_field is not None:
        codes += [400, 413]
    if route.body_field is not None or get_flat_params(route.dependant):
        codes.append(422)
    if any(isinstance(c, SecurityBase) for c in calls):
        codes.append(401)
    if any(isinstance(c, StaffKey) and SCOPES[c.scope] > min(SCOPES.values()) for c in calls):
        codes.append(403)
    if rate_limited and path not in RATE_EXEMPT:
        codes.append(429)
    if get_session in calls or get_tracker in calls:
        codes.append(503)
    return codes


def _add_component(schemas: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas.setdefault(model.__name__, schema)


def document(spec: dict[str, Any], routes: Sequence[BaseRoute | RouteContext], rate_limited: bool) -> dict[str, Any]:
    """Add to an OpenAPI description, on each operation, the `edge_statuses` it does not declare itself (and
    this API's 422 body in place of FastAPI's, which does not say that `detail` may be a sentence); an error a
    route declares by its description alone gets the body it has."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for model in (Error, Invalid):
        _add_component(schemas, model)
    for ctx in iter_route_contexts(routes):
        route, path = ctx.original_route, ctx.path_format or ""
        if not isinstance(route, APIRoute) or path not in spec.get("paths", {}):
            continue
        edge = errors(*edge_statuses(route, path, rate_limited))
        for method in sorted(ctx.methods or ()):
            operation = spec["paths"][path].get(method.lower())
            if operation is None:
                continue
            answers = operation.setdefault("responses", {})
            for code, spec_ in edge.items():
                mine = answers.get(str(code))
                if mine is None or _FASTAPI_422 in json.dumps(mine):
                    answers[str(code)] = _openapi(spec_)
            for code, answer in answers.items():  # declared with a description only: the body it has
                if code.isdigit() and int(code) in WHY and "content" not in answer:
                    answers[code] = {**_openapi(errors(int(code))[int(code)]), **answer}
    if _FASTAPI_422 not in json.dumps(spec["paths"]):
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
    return spec


def _openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """A `responses=` entry as it reads in an OpenAPI description."""
    out = {
        "description": spec["description"],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{spec['model'].__name__}"}}},
    }
    if "headers" in spec:
        out["headers"] = spec["headers"]
    return out


def install(app: FastAPI) -> None:
    """The handlers that give every error the body documented above."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the client's input back; founders' text must not be repeated.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail}, headers=exc.headers)

    @app.exception_handler(405)
    async def _method_not_allowed(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's Allow names the methods of the first route on the path only (GET /staff/documents, not
        # its POST): name those of every route on it.
        path, routes = request.scope["path"], iter_route_contexts(request.app.routes)
        allowed = {m for ctx in routes if ctx.methods and ctx.path_regex.match(path) for m in ctx.methods}
        headers = {"Allow": ", ".join(sorted(allowed))} if allowed else exc.headers
        return JSONResponse(status_code=405, content={"detail": "Method Not Allowed"}, headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def _database_down(request: Request, exc: Exception) -> JSONResponse:
        # A lost database is an outage to retry later, not a client error nor an unexplained 500.
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse(
            status_code=503,
            content={"detail": "the database is unavailable; nothing was recorded, retry in a moment"},
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(DataError)
    async def _data_refused(request: Request, exc: DBAPIError) -> JSONResponse:
        # PostgreSQL refuses some values SQLite takes (NUL characters in text): the client's input, so a 4xx.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, type(exc.orig).__name__)
        return JSONResponse(status_code=422, content={"detail": "a field holds characters that cannot be stored"})
