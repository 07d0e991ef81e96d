"""Dependencies shared by the routers, declared once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from .core.brain import Brain


def get_brain(request: Request) -> Brain:
    return request.app.state.brain


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as session:
        yield session


BrainDep = Annotated[Brain, Depends(get_brain)]
SessionDep = Annotated[Session, Depends(get_session)]
