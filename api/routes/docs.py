"""The API's own description: /openapi.json, and Swagger UI at /docs with its assets from a PyPI package
(swagger-ui-bundle-v2: nothing from a CDN); in production the staff routes only at /staff/openapi.json."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.routing import RouteContext, iter_route_contexts
from swagger_ui_bundle import swagger_ui_path

from .. import errors
from ..deps import StaffRead

ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon-32x32.png": "image/png"}
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)

router = APIRouter(include_in_schema=False)


def _staff_route(ctx: RouteContext) -> bool:
    return (ctx.path_format or "").startswith("/staff")


def describe(app: FastAPI, staff: bool) -> dict[str, Any]:
    """The OpenAPI description, with or without the staff routes; built once each."""
    cache: dict[bool, dict[str, Any]] | None = getattr(app.state, "descriptions", None)
    if cache is None:
        cache = app.state.descriptions = {}
    if staff not in cache:
        routes = [ctx for ctx in iter_route_contexts(app.routes) if staff or not _staff_route(ctx)]
        spec = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=routes,
            separate_input_output_schemas=app.separate_input_output_schemas,
        )
        cache[staff] = errors.document(spec, routes, rate_limited=bool(app.state.settings.rate_limit))
    return cache[staff]


def publish(app: FastAPI, staff_in_public: bool) -> None:
    """Make `app.openapi()` (and so /openapi.json) the public description."""
    app.openapi = lambda: describe(app, staff=staff_in_public)  # type: ignore[method-assign]


def page_csp(body: bytes) -> str:
    """The page's own assets and API only; its inline start-up script allowed by its hash, nothing else inline."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s).digest()).decode()}'" for s in _INLINE_SCRIPT.findall(body)
    )
    return (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@router.get("/openapi.json")
def public_description(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/staff/openapi.json")
def staff_description(request: Request, _: StaffRead) -> JSONResponse:
    """Every route, the staff ones included, for the holders of a staff key."""
    return JSONResponse(describe(request.app, staff=True))


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=f"{root}/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url=f"{root}/docs/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/docs/swagger-ui.css",
        swagger_favicon_url=f"{root}/docs/favicon-32x32.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters={"validatorUrl": None},  # no call to swagger.io's validator
    )
    page.headers["Content-Security-Policy"] = page_csp(bytes(page.body))
    return page


@router.get("/docs/{asset}")
def swagger_asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise HTTPException(404, "no such file")
    return FileResponse(
        Path(str(swagger_ui_path)) / asset, media_type=ASSETS[asset], headers={"Cache-Control": "public, max-age=86400"}
    )
