"""bot/stores.py's CheckedSQLTrackerStore writes and reads exactly what Rasa's SQLTrackerStore does, with less
SQL a turn: the same turns are played on both (tests/bot/rasa_side/stores_check.py, in .venv-rasa)."""

from __future__ import annotations

import json
import secrets
import subprocess

import psycopg
import pytest

from .conftest import RASA_VENV, ROOT

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _play(a: str, b: str) -> dict:
    run = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(ROOT / "tests" / "bot" / "rasa_side" / "stores_check.py"), a, b],
        capture_output=True, text=True, timeout=300, cwd=ROOT / "bot",
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(line.removeprefix("REPORT "))


def _same_as_rasa(report: dict) -> None:
    rasa, ours = report["rasa"], report["ours"]
    assert len(rasa["rows"]) == 38  # the scenario's events, every one stored once
    assert ours["rows"] == rasa["rows"]  # column for column, in the same order
    assert ours["latest"] == rasa["latest"] and len(rasa["latest"]) == 4  # the new session only
    assert ours["full"] == rasa["full"] and len(rasa["full"]) == 38
    # a turn (retrieve, save, save, save with nothing new): Rasa counts the stored events at every save
    assert rasa["turn_sql"].count("SELECT COUNT") == 3
    assert ours["turn_sql"] == ["SELECT", "INSERT", "INSERT"]


def _rasa_ready() -> None:
    if not (RASA_VENV / "bin" / "python").exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa)")


@pytest.mark.slow
def test_sqlite_store_writes_what_rasa_writes(tmp_path):
    _rasa_ready()
    report = _play(str(tmp_path / "rasa.db"), str(tmp_path / "ours.db"))
    _same_as_rasa(report)
    assert report["pool"] == "QueuePool"  # kept connections, not one per session
    assert report["rasa"]["connects"] > 20 and report["ours"]["connects"] <= 2


@pytest.mark.slow
def test_postgresql_store_writes_what_rasa_writes():
    _rasa_ready()
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            names = [f"guichet_stores_{secrets.token_hex(4)}_{side}" for side in ("rasa", "ours")]
            for name in names:
                conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        pytest.skip(f"PostgreSQL unreachable on 127.0.0.1:5432 ({type(exc).__name__}): start it to run this test")
    try:
        _same_as_rasa(_play(*(f"postgresql://postgres@127.0.0.1:5432/{n}" for n in names)))
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _redis_up() -> None:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        pytest.skip(f"Redis unreachable on 127.0.0.1:6379 ({type(exc).__name__}): start it to run this test")


@pytest.mark.slow
def test_lock_store_keeps_rasas_tickets_atomically_in_three_round_trips():
    """EnvRedisLockStore's scripts leave the same lock value as Rasa's RedisLockStore after every step
    (tickets issued, expired, cleaned up, the lock deleted), never draw one ticket twice when two instances
    race (Rasa's own store does: the reason for the scripts), and a turn costs 3 Redis commands."""
    _rasa_ready()
    _redis_up()
    run = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(ROOT / "tests" / "bot" / "rasa_side" / "locks_check.py")],
        capture_output=True, text=True, timeout=300, cwd=ROOT / "bot",
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    report = json.loads(line.removeprefix("REPORT "))
    assert len(report["steps"]) == 14
    for step in report["steps"]:
        assert step["ours"] == step["rasa"], step["step"]
    states = [s["ours"]["state"] for s in report["steps"]]
    assert [len(s[1]) if s else 0 for s in states] == [1, 2, 3, 3, 2, 1, 2, 2, 1, 0, 0, 0, 1, 2]
    assert states[0][0] == "founder-é/1"
    ours = report["race"]["ours"]
    assert ours["drawn"] == ours["distinct"] == ours["tickets_kept"] == 200
    # (Rasa's own store, raced the same way, hands out ~75 distinct numbers for 200 tickets: not asserted,
    # since how often a race collides depends on timing; report["race"]["rasa"] shows it.)
    assert report["round_trips"]["ours"] == 3 and report["round_trips"]["rasa"] > 3
