"""A SQL tracker store that refuses to lose conversations silently.

Rasa wraps every tracker store in a FailSafeTrackerStore that, when saving fails, logs one error and keeps
the conversation in memory only (lost at the next restart, invisible to other instances); a store whose
class cannot be imported silently becomes an InMemoryTrackerStore. This subclass checks at start that its
database really holds the events table (Rasa refuses to start otherwise), says loudly when a save fails,
and counts failures so the readiness route (readiness.py) can report them.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)


class TrackerStoreUnusable(RuntimeError):
    """The configured conversation store cannot hold conversations."""


class CheckedSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore + a start-up probe, loud save failures and a failure count."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failed_saves = 0
        self.last_error: Optional[str] = None
        problem = self.probe()
        if problem:
            raise TrackerStoreUnusable(
                f"the conversation store at {self.engine.url!r} is unusable ({problem}); refusing to start "
                "rather than keep conversations in memory only"
            )

    def probe(self) -> Optional[str]:
        """None when the events table can be read, else what is wrong."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text(f"SELECT COUNT(*) FROM {self.SQLEvent.__tablename__} WHERE 1 = 0"))
        except Exception as exc:  # any failure means the same: conversations cannot be stored
            return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except Exception as exc:
            self.failed_saves += 1
            self.last_error = type(exc).__name__
            log.critical(
                "CONVERSATION NOT STORED: saving to %s failed (%s); Rasa keeps it in memory only, it will be "
                "lost at restart. Readiness now reports the store as failing.",
                self.engine.url.drivername,
                type(exc).__name__,
            )
            raise
