"""Dependencies shared by the routers, declared once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .core.brain import Brain
from .keys import allows, check_key
from .models import ApiKey

_bearer = HTTPBearer(auto_error=False)


def get_brain(request: Request) -> Brain:
    return request.app.state.brain


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_tracker(request: Request) -> Engine:
    """The engine on Rasa's tracker store (conversations); see api/core/tracker.py."""
    return request.app.state.tracker


BrainDep = Annotated[Brain, Depends(get_brain)]
SessionDep = Annotated[Session, Depends(get_session)]
TrackerDep = Annotated[Engine, Depends(get_tracker)]


def _staff(scope: str):
    def dependency(
        session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> ApiKey:
        if credentials is None:
            raise HTTPException(
                401, "staff route: send an API key as Authorization: Bearer KEY", headers={"WWW-Authenticate": "Bearer"}
            )
        record = check_key(session, credentials.credentials)
        if record is None:
            raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        if not allows(record, scope):
            raise HTTPException(403, f"this key's scope is '{record.scope}'; this route needs '{scope}'")
        return record

    return dependency


StaffRead = Annotated[ApiKey, Depends(_staff("read"))]
StaffAdmin = Annotated[ApiKey, Depends(_staff("admin"))]
