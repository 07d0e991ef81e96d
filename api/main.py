"""The FastAPI application: built by create_app(), heavy things loaded once in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from retrieval.index import sweep_staging as sweep_index

from . import errors
from .core import heap
from .core.brain import build_brain, embedder_from_settings
from .core.indexing import uploads_dir
from .core.tracker import tracker_engine, tracker_state
from .core.uploads import sweep_staging as sweep_uploads
from .db import make_engine, migrate, session_factory
from .routes import (
    analytics,
    conversations,
    docs,
    documents,
    feedback,
    handoffs,
    health,
    knowledge,
    pages,
    staff,
    staff_page,
)
from .security import protect
from .services import Reindexer, StaffFigures
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
            settings.retention_days,
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
        app.state.reindexer = Reindexer(settings, app.state)
        app.state.figures = StaffFigures(app.state.sessions, app.state.tracker)
        if settings.staff_warmup:
            app.state.figures.start()
        yield
        app.state.figures.close()
        engine.dispose()
        app.state.tracker.dispose()

    app = FastAPI(
        title="Guichet",
        version="0.1.0",
        lifespan=lifespan,
        description="Single-window guidance for digital-health innovators.",
        openapi_url=None,  # served by routes/docs.py: public, or full behind a staff key
        docs_url=None,
        redoc_url=None,  # ReDoc comes from a CDN only
    )
    app.state.settings = settings

    errors.install(app)

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
    app.include_router(docs.router)
    docs.publish(app, staff_in_public=settings.environment != "production")
    # Browser assets (api/static/: staff page, widget), built by `cd web && npm run build`; mounted once here.
    app.mount("/static", StaticFiles(directory=staff_page.STATIC), name="static")
    return app
