"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import BrainDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(brain: BrainDep) -> dict:
    index = brain.retriever.index
    return {
        "status": "ok",
        "mode": brain.mode,
        "degraded": brain.notes,
        "index": {
            "chunks": index.chunk_count(),
            "built": index.manifest.get("created_at"),
            "model": (index.manifest.get("model") or {}).get("name"),
        },
        "levers": len(brain.catalogue.levers),
    }
