"""`guichet purge`: the retention period applied to Rasa's conversations and the API's tables (SQLite, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from api.db import make_engine, migrate, session_factory
from api.models import Feedback
from tests.api.backends import Backend, Stores, column
from tests.api.tracker_support import Talk, create_tracker_db, handoff, write


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from api.cli import main; main()", *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res


def _senders(tracker_url: str) -> list[str]:
    return column(tracker_url, "SELECT DISTINCT sender_id FROM events ORDER BY sender_id")


def _env(tmp_path: Path, stores: Stores) -> dict:
    """The CLI's environment: SQLite at its default places in the data dir, PostgreSQL by URL."""
    env = {**os.environ, "GUICHET_DATA_DIR": str(tmp_path)}
    for name in ("GUICHET_TRACKER_DB_URL", "GUICHET_DATABASE_URL", "DATABASE_URL"):
        env.pop(name, None)
    return env if stores.kind == "sqlite" else {**env, **stores.env()}


def test_purge_applies_retention(tmp_path: Path, backend: Backend) -> None:
    """Dry run counts without deleting; the real run removes only what is older than the retention period."""
    now = dt.datetime.now(dt.UTC)
    old, recent = now - dt.timedelta(days=400), now - dt.timedelta(days=10)
    stores = backend.stores(tmp_path, tracker_file="rasa-tracker.db")  # SQLite: the default place in the data dir
    create_tracker_db(stores.tracker_url)
    write(
        stores.tracker_url,
        Talk("old-talk", old.timestamp()).session().describe("Un projet ancien", "fr", ["funding"]),
        Talk("new-talk", recent.timestamp()).session().describe("Un projet récent", "fr", ["funding"]),
    )
    engine = make_engine(stores.database_url)
    migrate(engine)
    with session_factory(engine)() as s:
        s.add_all(
            [
                Feedback(conversation_id="old-talk", rating="up", reasons=[], created_at=old),
                Feedback(conversation_id="new-talk", rating="up", reasons=[], created_at=recent),
            ]
        )
        for ref, status in (("GN-OLD", "closed"), ("GN-OPEN", "open")):
            s.add(handoff(ref, "old-talk", status=status, updated_at=old))
        s.commit()
    engine.dispose()
    env = {**_env(tmp_path, stores), "GUICHET_RETENTION_DAYS": "365"}
    dry = _run(env, "purge", "--dry-run")
    assert "would delete 1 conversation(s)" in dry.stdout and "1 feedback, 1 closed hand-off(s)" in dry.stdout
    assert _senders(stores.tracker_url) == ["new-talk", "old-talk"]
    done = _run(env, "purge")
    assert "deleted 1 conversation(s)" in done.stdout
    assert _senders(stores.tracker_url) == ["new-talk"]
    assert column(stores.database_url, "SELECT conversation_id FROM feedback") == ["new-talk"]
    assert column(stores.database_url, "SELECT reference FROM handoffs") == ["GN-OPEN"]
    assert "deleted 1 conversation(s)" in _run(env, "purge", "--days", "5").stdout


def test_purge_without_a_tracker_store(tmp_path: Path, backend: Backend) -> None:
    """Before Rasa has ever run, purge still applies to the API's tables and creates no store."""
    stores = backend.stores(tmp_path, tracker_file="rasa-tracker.db")
    res = _run(_env(tmp_path, stores), "purge")
    assert "deleted 0 conversation(s)" in res.stdout and not stores.tracker_exists()


def test_purge_refuses_a_store_that_is_not_rasas(tmp_path: Path, backend: Backend) -> None:
    """A tracker URL pointing at another events table stops purge with the reason, and nothing is deleted."""
    stores = backend.stores(tmp_path, tracker_file="rasa-tracker.db")
    engine = make_engine(stores.database_url)
    migrate(engine)
    with session_factory(engine)() as s:
        s.add(Feedback(conversation_id="c", rating="up", reasons=[], created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        s.commit()
    engine.dispose()
    other = sa.create_engine(stores.tracker_url)
    with other.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT)")
    other.dispose()
    cmd = [sys.executable, "-c", "from api.cli import main; main()", "purge"]
    res = subprocess.run(cmd, env=_env(tmp_path, stores), capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "error: Rasa's tracker store at" in res.stderr and "table events lacks sender_id" in res.stderr
    assert column(stores.database_url, "SELECT count(*) FROM feedback") == [1]
