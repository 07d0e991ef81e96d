"""Staff figures reused while the stores are unchanged, or have only grown for a few seconds.

Computing the figures scans every event; a live bot appends events all the time, so an exact match alone
would rarely hit. Figures up to GRACE seconds behind new conversations are fine for a dashboard; anything
else (a deletion, new feedback, a hand-off changed) recomputes at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from ..models import Feedback, Handoff
from . import rasa_store

GRACE = 30.0


def fingerprint(conn: Connection | None, session: Session) -> tuple[tuple, tuple]:
    """(API tables state, tracker state): max id and row count of each, and the last hand-off update."""
    api: list = []
    for model in (Feedback, Handoff):
        api += list(session.execute(select(func.max(model.id), func.count()).select_from(model)).one())
    api += list(session.execute(select(func.max(Handoff.updated_at))).one())
    tracker = rasa_store.fingerprint(conn) if conn else ()
    return tuple(api), tracker


def _grew(old: tuple, new: tuple) -> bool:
    if len(old) != 2 or len(new) != 2 or None in old or None in new:
        return False
    return new[0] >= old[0] and new[1] >= old[1]


class Memo:
    """The last result per key (e.g. a date range), with the fingerprint it was computed at."""

    def __init__(self, size: int = 16, grace: float = GRACE, clock: Callable[[], float] = time.monotonic):
        self.size, self.grace, self.clock = size, grace, clock
        self.items: dict[tuple, tuple[tuple[tuple, tuple], float, Any]] = {}

    def get(self, key: tuple, fp: tuple[tuple, tuple]) -> Any | None:
        hit = self.items.get(key)
        if hit is None:
            return None
        (api, tracker), at, value = hit
        if api != fp[0]:
            return None
        if tracker == fp[1] or (_grew(tracker, fp[1]) and self.clock() - at < self.grace):
            return value
        return None

    def put(self, key: tuple, fp: tuple[tuple, tuple], value: Any, exact_only: bool = False) -> None:
        """Keep a result; exact_only: served only while the stores are exactly as now (no grace)."""
        self.items.pop(key, None)
        self.items[key] = (fp, float("-inf") if exact_only else self.clock(), value)
        while len(self.items) > self.size:
            self.items.pop(next(iter(self.items)))

    def clear(self) -> None:
        self.items.clear()
