"""Staff routes (API key): documents uploaded for search, and re-indexing without a restart."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam

from retrieval.index import IndexUnavailable

from ..core.catalogue import CatalogueError
from ..core.indexing import uploads_dir
from ..core.uploads import Rejected, check_name, check_size, listing, remove, store
from ..deps import ReindexerDep, StaffAdmin, StaffRead
from ..errors import errors
from ..services import Busy
from ..settings import Settings
from ..staff_schemas import Documents, Reindexed

router = APIRouter(prefix="/staff", tags=["staff"])
log = logging.getLogger("guichet.staff")
MAX_FILES = 20


def _name(path: str) -> str:
    """A file's name without the server's folders."""
    return path.rsplit("/", 1)[-1]


def _settings(request: Request) -> Settings:
    return request.app.state.settings


@router.get("/documents", response_model=Documents)
def list_documents(request: Request, _: StaffRead) -> dict:
    return {"documents": listing(uploads_dir(_settings(request).data_dir))}


@router.post(
    "/documents",
    status_code=201,
    response_model=Documents,
    responses=errors(
        409,
        413,
        415,
        e409="a name already uploaded (ask for replace=true)",
        e413="the body, or a file, is over its limit",
    ),
)
def upload_documents(
    request: Request,
    files: Annotated[
        list[UploadFile],
        File(min_length=1, max_length=MAX_FILES, description=".md, .txt, .html or .pdf, 20 MiB each at most"),
    ],
    _: StaffAdmin,
    replace: Annotated[bool, Query(description="replace documents already uploaded under the same names")] = False,
) -> dict:
    """Store documents for the next re-indexing; all are refused if one is (the reason names it), a name already
    uploaded too (409) unless replace is asked for."""
    limit = _settings(request).max_upload_bytes
    received = []
    try:
        for f in files:
            name = check_name(f.filename)
            data = f.file.read(limit + 1)
            check_size(name, len(data), limit)
            received.append((name, data))
        stored = store(uploads_dir(_settings(request).data_dir), received, limit, replace=replace)
    except Rejected as exc:
        raise HTTPException(exc.status, exc.detail) from exc
    log.info("%d document(s) uploaded%s", len(stored), " (replacing)" if replace else "")
    return {"documents": stored}


@router.delete(
    "/documents/{name}", response_model=Documents, responses=errors(404, e404="no uploaded document of that name")
)
def delete_document(request: Request, name: Annotated[str, PathParam(max_length=120)], _: StaffAdmin) -> dict:
    folder = uploads_dir(_settings(request).data_dir)
    if not remove(folder, name):
        raise HTTPException(404, "no uploaded document of that name")
    return {"documents": listing(folder)}


@router.post(
    "/reindex",
    response_model=Reindexed,
    responses=errors(
        409,
        422,
        503,
        e409="a re-indexing is already running",
        e422="the knowledge base or the documents do not build; the previous index keeps serving",
        e503="the index could not be written; the previous one keeps serving",
    ),
)
def reindex(reindexer: ReindexerDep, _: StaffAdmin, background: BackgroundTasks, force: bool = False) -> dict:
    """Rebuild the index (knowledge base + uploads) as `guichet index` does, then serve it; on failure the
    previous index keeps serving."""
    try:
        done = reindexer.run(force=force)
    except Busy as exc:
        raise HTTPException(409, "a re-indexing is already running") from exc
    except (CatalogueError, IndexUnavailable) as exc:
        log.error("re-indexing failed, the previous index keeps serving: %s", exc)
        raise HTTPException(422, f"re-indexing failed, the previous index keeps serving: {exc}") from exc
    except OSError as exc:
        log.error("re-indexing failed, the previous index keeps serving: %s", type(exc).__name__)
        raise HTTPException(503, "re-indexing could not write the index; the previous index keeps serving") from exc
    background.add_task(reindexer.settle)  # after the answer: the old brain is unreferenced by then
    built = done.built
    for sk in built.skipped:  # the collisions were logged by rebuild
        log.warning("re-indexing skipped %s: %s", _name(sk.path), sk.reason)
    model = built.manifest.get("model") or {}
    return {
        "status": "rebuilt" if built.rebuilt else "unchanged",
        "chunks": built.manifest["chunk_count"],
        "built": built.manifest.get("created_at"),
        "model": model.get("name"),
        "skipped": [{"path": _name(sk.path), "reason": sk.reason} for sk in built.skipped],
        "collisions": [{"path": _name(c.path), "reason": c.reason} for c in built.collisions],
        "mode": done.brain.mode,
    }
