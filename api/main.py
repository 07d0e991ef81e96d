"""The FastAPI application: built by create_app(), heavy things loaded once in the lifespan."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from retrieval.index import sweep_staging as sweep_index

from .core import heap
from .core.brain import build_brain, embedder_from_settings
from .core.indexing import uploads_dir
from .core.memo import Memo
from .core.tracker import tracker_engine, tracker_state
from .core.uploads import sweep_staging as sweep_uploads
from .db import make_engine, migrate, session_factory
from .routes import analytics, conversations, documents, feedback, handoffs, health, knowledge, pages, staff, staff_page
from .security import protect
from .settings import Settings, get_settings

log = logging.getLogger("guichet.api")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        embedder, reason = embedder_from_settings(settings)
        notes = [] if reason == "ok" else [reason]
        app.state.brain = build_brain(
            settings.knowledge_dir,
            settings.resolved_index_dir(),
            embedder,
            settings.fusion(),
            notes,
        )
        for note in app.state.brain.notes:
            log.warning(note)
        # What a crash (SIGKILL mid-upload or mid-re-index) left half-written goes; live writers' entries stay.
        sweep_index(settings.resolved_index_dir())
        sweep_uploads(uploads_dir(settings.data_dir))
        engine = make_engine(settings.resolved_database_url())
        migrate(engine)
        app.state.sessions = session_factory(engine)
        app.state.tracker = tracker_engine(settings.resolved_tracker_db_url())  # Rasa's conversations
        log.info("conversation store: %s", tracker_state(app.state.tracker))
        log.info("ready: %s search over %d chunks", app.state.brain.mode, app.state.brain.retriever.index.chunk_count())
        heap.settle(settings.gc_freeze)
        app.state.analytics_memo = Memo()
        if settings.staff_warmup:
            threading.Thread(target=analytics.warm, args=(app,), name="staff-figures", daemon=True).start()
        yield
        engine.dispose()
        app.state.tracker.dispose()

    app = FastAPI(
        title="Guichet",
        version="0.1.0",
        lifespan=lifespan,
        description="Single-window guidance for digital-health innovators.",
    )
    app.state.settings = settings

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default echoes the client's input back; founders' text must not be repeated.
        detail = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail})

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

    uploads = {"/staff/documents": settings.max_upload_bytes + 1024 * 1024}  # room for the multipart framing
    protect(
        app,
        settings.cors_origins,
        settings.max_body_bytes,
        settings.rate_limit,
        tuple(settings.rate_limit_trusted),
        body_overrides=uploads,
    )
    app.include_router(health.router)
    app.include_router(knowledge.router)
    app.include_router(handoffs.router)
    app.include_router(feedback.router)
    app.include_router(staff.router)
    app.include_router(conversations.router)
    app.include_router(analytics.router)
    app.include_router(documents.router)
    app.include_router(staff_page.router)
    app.include_router(pages.router)  # the demo page at /, embedding the widget
    # Browser assets (api/static/: staff page, widget), built by `cd web && npm run build`; mounted once here.
    app.mount("/static", StaticFiles(directory=staff_page.STATIC), name="static")
    return app
