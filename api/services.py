"""The app's stateful services, built once per app in the lifespan (api/main.py) and injected (api/deps.py):
re-indexing without a restart, and the staff figures with their memo and start-up computation.

Each app owns its own: two apps in one process (tests, a second instance behind one worker) share no lock,
no memo and no thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from starlette.datastructures import State

from .core import heap
from .core.analytics import analytics
from .core.brain import Brain, build_brain
from .core.indexing import Built, rebuild
from .core.memo import Memo, fingerprint
from .core.tracker import tracker_state
from .settings import Settings

log = logging.getLogger("guichet.api")
WARM_JOIN_SECONDS = 5.0  # how long shutdown waits for the start-up figures before leaving their thread


class Busy(Exception):
    """A re-indexing is already running in this app."""


@dataclass(frozen=True)
class NewIndex:
    built: Built
    brain: Brain


class Reindexer:
    """Rebuild the index as `guichet index` does (knowledge base + uploads), swap the app's brain for one on
    it, and settle the heap once the old brain is gone; one build at a time per app."""

    def __init__(self, settings: Settings, state: State) -> None:
        self._settings, self._state = settings, state  # state.brain: where the app's routes read the brain
        self._building = threading.Lock()

    def run(self, force: bool = False) -> NewIndex:
        """Build and swap; raises Busy, or CatalogueError / IndexUnavailable / OSError with the previous brain
        still serving."""
        if not self._building.acquire(blocking=False):
            raise Busy("a re-indexing is already running")
        try:
            s, current = self._settings, self._state.brain
            embedder, index_dir = current.retriever.embedder, s.resolved_index_dir()
            built = rebuild(s.knowledge_dir, index_dir, s.data_dir, embedder, s.chunk_max_chars, force=force)
            notes = list(current.notes) if embedder is None else []
            fresh = build_brain(s.knowledge_dir, index_dir, embedder, s.fusion(), notes, s.retention_days)
            self._state.brain = fresh
        finally:
            self._building.release()
        return NewIndex(built, fresh)

    def settle(self) -> None:
        """Give the old brain back to the collector and freeze the new one (run after the answer, when no
        request holds the old brain any more)."""
        heap.settle(self._settings.gc_freeze)


class StaffFigures:
    """The staff page's figures per date range, reused while the stores are unchanged (api/core/memo.py), the
    default range (all time) computed once in the background after start."""

    def __init__(self, sessions: Callable[[], Session], tracker: Engine) -> None:
        self._sessions, self._tracker = sessions, tracker
        self.memo = Memo()
        self._warming: threading.Thread | None = None

    def read(
        self, conn: Connection | None, session: Session, state: str, since: dt.date | None, until: dt.date | None
    ) -> dict:
        """The figures for [since, until], from the memo when the stores allow; conn: None when the tracker
        store cannot be read (state says why)."""
        fp, key = fingerprint(conn, session), (state, since, until)
        body = self.memo.get(key, fp)
        if body is None:
            body = {**analytics(conn, session, since, until), "tracker": state}
            self.memo.put(key, fp, body)
        return body

    def forget(self) -> None:
        """Drop every kept result (an erasure: the figures must not show it, not even for a few seconds)."""
        self.memo.clear()

    def warm(self) -> None:
        """Compute the default figures so the staff page's first load reads them (over 10 000 conversations
        they take ~0.5 s, the first request of a new process more); kept only while nothing changed since (no
        grace). A failure leaves the page to compute them itself."""
        try:
            state = tracker_state(self._tracker)
            with self._sessions() as session, self._tracker.connect() if state == "ok" else nullcontext() as conn:
                fp = fingerprint(conn, session)
                body = {**analytics(conn, session, None, None), "tracker": state}
            self.memo.put((state, None, None), fp, body, exact_only=True)
        except Exception as exc:  # a warm-up only: the staff page computes the figures when it asks
            log.warning("staff figures not precomputed at start (%s)", type(exc).__name__)

    def start(self) -> None:
        """warm() in a thread of its own, off the start-up path."""
        self._warming = threading.Thread(target=self.warm, name="staff-figures", daemon=True)
        self._warming.start()

    def close(self) -> None:
        """Wait a little for the start-up computation, before the stores it reads are closed."""
        if self._warming is not None:
            self._warming.join(WARM_JOIN_SECONDS)
