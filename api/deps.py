"""Dependencies shared by the routers, declared once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BeforeValidator
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from .core.brain import Brain
from .keys import allows, check_key
from .models import ApiKey
from .services import Reindexer, StaffFigures

_bearer = HTTPBearer(auto_error=False)


def get_brain(request: Request) -> Brain:
    return request.app.state.brain


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


def get_tracker(request: Request) -> Engine:
    """The engine on Rasa's tracker store (conversations); see api/core/tracker.py."""
    return request.app.state.tracker


def get_reindexer(request: Request) -> Reindexer:
    return request.app.state.reindexer


def get_figures(request: Request) -> StaffFigures:
    return request.app.state.figures


BrainDep = Annotated[Brain, Depends(get_brain)]
SessionDep = Annotated[Session, Depends(get_session)]
TrackerDep = Annotated[Engine, Depends(get_tracker)]
ReindexerDep = Annotated[Reindexer, Depends(get_reindexer)]
FiguresDep = Annotated[StaffFigures, Depends(get_figures)]


class StaffKey:
    """The staff key a route needs (`scope`: read or admin), checked against the stored keys' digests."""

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def __call__(
        self, session: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> ApiKey:
        if credentials is None:
            raise HTTPException(
                401, "staff route: send an API key as Authorization: Bearer KEY", headers={"WWW-Authenticate": "Bearer"}
            )
        record = check_key(session, credentials.credentials)
        if record is None:
            raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        if not allows(record, self.scope):
            raise HTTPException(403, f"this key's scope is '{record.scope}'; this route needs '{self.scope}'")
        return record


StaffRead = Annotated[ApiKey, Depends(StaffKey("read"))]
StaffAdmin = Annotated[ApiKey, Depends(StaffKey("admin"))]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic alone would also read `0` or `1700000000` as a Unix time (a day of 1970)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("a day is written YYYY-MM-DD")


Day = Annotated[dt.date, BeforeValidator(_iso_day)]


@dataclass(frozen=True)
class Days:
    """A range of UTC days, both ends included; None: open."""

    since: dt.date | None = None
    until: dt.date | None = None


def days(
    since: Annotated[Day | None, Query(description="started on or after this UTC day (YYYY-MM-DD)")] = None,
    until: Annotated[Day | None, Query(description="started on or before this UTC day; not before since")] = None,
) -> Days:
    if since and until and since > until:
        raise HTTPException(422, "since is after until")
    return Days(since, until)


DaysDep = Annotated[Days, Depends(days)]
