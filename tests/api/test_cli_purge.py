"""`guichet purge`: the retention period applied to Rasa's conversations and the API's tables."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from api.db import make_engine, migrate, session_factory
from api.models import Feedback, Handoff
from tests.api.tracker_support import Talk, create_tracker_db, write


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from api.cli import main; main()", *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res


def _senders(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT DISTINCT sender_id FROM events ORDER BY sender_id")]


def test_purge_applies_retention(tmp_path: Path) -> None:
    """Dry run counts without deleting; the real run removes only what is older than the retention period."""
    now = dt.datetime.now(dt.UTC)
    old, recent = now - dt.timedelta(days=400), now - dt.timedelta(days=10)
    tracker = create_tracker_db(tmp_path / "rasa-tracker.db")  # the default place: <data_dir>/rasa-tracker.db
    write(
        tracker,
        Talk("old-talk", old.timestamp()).session().describe("Un projet ancien", "fr", ["funding"]),
        Talk("new-talk", recent.timestamp()).session().describe("Un projet récent", "fr", ["funding"]),
    )
    engine = make_engine(f"sqlite:///{tmp_path / 'guichet.db'}")
    migrate(engine)
    with session_factory(engine)() as s:
        s.add_all(
            [
                Feedback(conversation_id="old-talk", rating="up", reasons=[], created_at=old),
                Feedback(conversation_id="new-talk", rating="up", reasons=[], created_at=recent),
            ]
        )
        for ref, status in (("GN-OLD", "closed"), ("GN-OPEN", "open")):
            s.add(
                Handoff(
                    reference=ref,
                    conversation_id="old-talk",
                    name="Ana",
                    email="a@example.com",
                    consent=True,
                    lang="fr",
                    profile={},
                    levers=[],
                    transcript=[],
                    status=status,
                    updated_at=old,
                )
            )
        s.commit()
    engine.dispose()
    env = {**os.environ, "GUICHET_DATA_DIR": str(tmp_path), "GUICHET_RETENTION_DAYS": "365"}
    env.pop("GUICHET_TRACKER_DB_URL", None)
    dry = _run(env, "purge", "--dry-run")
    assert "would delete 1 conversation(s)" in dry.stdout and "1 feedback, 1 closed hand-off(s)" in dry.stdout
    assert _senders(tracker) == ["new-talk", "old-talk"]
    done = _run(env, "purge")
    assert "deleted 1 conversation(s)" in done.stdout
    assert _senders(tracker) == ["new-talk"]
    with sqlite3.connect(tmp_path / "guichet.db") as conn:
        assert [r[0] for r in conn.execute("SELECT conversation_id FROM feedback")] == ["new-talk"]
        assert [r[0] for r in conn.execute("SELECT reference FROM handoffs")] == ["GN-OPEN"]
    assert "deleted 1 conversation(s)" in _run(env, "purge", "--days", "5").stdout


def test_purge_without_a_tracker_store(tmp_path: Path) -> None:
    """Before Rasa has ever run, purge still applies to the API's tables and creates no store."""
    env = {**os.environ, "GUICHET_DATA_DIR": str(tmp_path)}
    env.pop("GUICHET_TRACKER_DB_URL", None)
    res = _run(env, "purge")
    assert "deleted 0 conversation(s)" in res.stdout and not (tmp_path / "rasa-tracker.db").exists()
