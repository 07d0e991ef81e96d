"""Dependencies shared by the routers, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .core.brain import Brain


def get_brain(request: Request) -> Brain:
    return request.app.state.brain


BrainDep = Annotated[Brain, Depends(get_brain)]
