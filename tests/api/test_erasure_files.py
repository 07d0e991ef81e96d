"""What an erasure leaves on disk with the embedded SQLite stores: nothing readable, in no file, for no one else
(issue 19, item 6). The same erasure on PostgreSQL: tests/api/test_staff_conversations.py, tests/production."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from api.db import make_engine
from api.keys import create_key
from api.models import Feedback, Handoff
from tests.api.backends import Backend, fixture_app
from tests.api.tracker_support import RASA_DDL, Talk

MARKERS = ("Kwyjibo", "Zorbalu")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _files(folder: Path) -> dict[str, bytes]:
    """Every database file and side file of a folder, by name."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if ".db" in p.name}


def _rasa_like(path: Path) -> sqlite3.Connection:
    """A connection that holds Rasa's file open in WAL mode, as the running Rasa server does (bot/stores.py):
    while one stays open SQLite does not fold the log back into the file by itself."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    for ddl in RASA_DDL:
        conn.execute(ddl)
    return conn


def test_api_database_is_created_private_and_an_old_one_is_made_private(tmp_path: Path) -> None:
    """The API's SQLite file and its -wal and -shm are 0600 even under umask 022; an existing 0644 file becomes 0600."""
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'data' / 'guichet.db'}")
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x TEXT)")
            conn.exec_driver_sql("INSERT INTO t VALUES ('x')")
        db = tmp_path / "data" / "guichet.db"
        assert _mode(db) == 0o600
        assert _mode(db.with_name("guichet.db-wal")) == 0o600 and _mode(db.with_name("guichet.db-shm")) == 0o600
        engine.dispose()
        loose = tmp_path / "loose.db"
        sqlite3.connect(loose).close()
        loose.chmod(0o644)
        make_engine(f"sqlite:///{loose}").dispose()
        assert _mode(loose) == 0o600
    finally:
        os.umask(old)


def test_api_connections_delete_securely(tmp_path: Path) -> None:
    """Every connection of the API's database has secure_delete on."""
    engine = make_engine(f"sqlite:///{tmp_path / 'guichet.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_erasure_leaves_no_text_in_any_sqlite_file(tmp_path: Path) -> None:
    """After DELETE /staff/conversations/{id}, neither Rasa's file nor the API's, nor their -wal files, hold a byte
    of the conversation's text, while Rasa keeps its file open; the other conversations are intact."""
    stores = Backend("sqlite").stores(tmp_path)
    rasa = _rasa_like(tmp_path / "rasa.db")
    try:
        gone = Talk("erase-me-wal", 1772442000.0).session()
        gone.describe("Projet Kwyjibo pour Mme Zorbalu", "fr", ["funding"])
        kept = Talk("keep-me-wal", 1772442000.0).session().describe("Projet de télésuivi", "fr", ["funding"])
        for talk in (gone, kept):
            for e in talk.events:
                rasa.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                    "VALUES (?, ?, ?, NULL, ?, ?)",
                    (talk.sender, e["event"], e["timestamp"], e.get("name"), json.dumps(e)),
                )
        with fixture_app(tmp_path, stores) as client:
            with client.app.state.sessions() as s:
                key = {"Authorization": f"Bearer {create_key(s, 'admin', 'a')}"}
                s.add(Feedback(conversation_id="erase-me-wal", rating="down", reasons=[], comment="Kwyjibo trop lent"))
                s.add(Handoff(reference="GN-TEST0001", conversation_id="erase-me-wal", name="Mme Zorbalu",
                              email="zorbalu@example.org", consent=True, lang="fr", profile={}, levers=[],
                              transcript=[{"role": "founder", "text": "Projet Kwyjibo"}]))
                s.commit()
            before = _files(tmp_path)
            assert any(m.encode() in b for b in before.values() for m in MARKERS)  # the test can see them
            r = client.delete("/staff/conversations/erase-me-wal", headers=key)
            assert r.status_code == 200, r.text
            after = _files(tmp_path)
            found = sorted(n for n, b in after.items() for m in MARKERS if m.encode() in b)
            assert found == [], found
            assert client.get("/staff/conversations/keep-me-wal", headers=key).status_code == 200
        assert rasa.execute("SELECT count(*) FROM events WHERE sender_id = 'keep-me-wal'").fetchone()[0] > 0
    finally:
        rasa.close()


def test_run_all_creates_the_stores_private(tmp_path: Path) -> None:
    """scripts/run_all.sh (make run) starts every process under umask 077, so the tracker store Rasa creates is
    0600 though the caller's umask is 022, and tightens a store file left 0644 by an earlier run."""
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "bot").mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "scripts" / "run_all.sh", root / "scripts" / "run_all.sh")
    stubs = {  # stand-ins for the three servers: each makes the file the real one makes, then stops
        ".venv/bin/uvicorn": "exec sleep 5",
        ".venv-rasa/bin/rasa": 'if [ "$2" = actions ]; then exec sleep 5; else touch "$RASA_SQLITE_PATH"; fi',
    }
    for rel, body in stubs.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"#!/bin/sh\n{body}\n")
        (root / rel).chmod(0o755)
    data = tmp_path / "data"
    data.mkdir()
    (data / "rasa-tracker.db-wal").write_bytes(b"")
    (data / "rasa-tracker.db-wal").chmod(0o644)
    env = {"PATH": os.environ["PATH"], "GUICHET_DATA_DIR": str(data), "PORT": "1"}
    subprocess.run(["bash", str(root / "scripts" / "run_all.sh")], env=env, cwd=root, umask=0o022, timeout=60,
                   capture_output=True, check=False)
    assert _mode(data / "rasa-tracker.db") == 0o600
    assert _mode(data / "rasa-tracker.db-wal") == 0o600


def test_purge_leaves_no_text_in_rasas_files(tmp_path: Path) -> None:
    """`guichet purge` removes an expired conversation from Rasa's file and its -wal while Rasa holds it open (SQLite
    folds the log in when the command's last connection closes, unless another process is writing: the purge's
    own checkpoint does not depend on that)."""
    rasa = _rasa_like(tmp_path / "rasa-tracker.db")
    try:
        talk = Talk("expired-wal", 1_000_000_000.0).session()  # 2001: far past any retention
        talk.describe("Projet Kwyjibo pour Mme Zorbalu", "fr", ["funding"])
        for e in talk.events:
            rasa.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, action_name, data) VALUES (?, ?, ?, ?, ?)",
                (talk.sender, e["event"], e["timestamp"], e.get("name"), json.dumps(e)),
            )
        assert any(m.encode() in b for b in _files(tmp_path).values() for m in MARKERS)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GUICHET_", "DATABASE_URL"))}
        res = subprocess.run([sys.executable, "-c", "from api.cli import main; main()", "purge"], timeout=120,
                             env={**env, "GUICHET_DATA_DIR": str(tmp_path)}, capture_output=True, text=True)
        assert res.returncode == 0 and "deleted 1 conversation" in res.stdout, res.stderr[-2000:]
        found = sorted(n for n, b in _files(tmp_path).items() for m in MARKERS if m.encode() in b)
        assert found == [], found
    finally:
        rasa.close()
