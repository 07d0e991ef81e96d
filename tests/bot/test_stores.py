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
