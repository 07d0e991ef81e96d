"""Where a test's two stores live: SQLite files, or fresh PostgreSQL databases created and dropped by the test.

The API's database (API keys, hand-offs, feedback) and Rasa's tracker store (conversations) are separate
databases in production; each Stores gets its own pair. PostgreSQL: GUICHET_TEST_PG_URL, a URL of a role
that may CREATE DATABASE (default: the local server, user postgres); unreachable, the PostgreSQL half skips.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest
import sqlalchemy as sa

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PG_URL = os.environ.get("GUICHET_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


def _libpq(url: sa.URL) -> str:
    """The SQLAlchemy URL as a libpq connection string (psycopg's own)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@lru_cache(maxsize=1)
def pg_problem() -> str | None:
    """None when the PostgreSQL test server answers, else why not (checked once per session)."""
    url = sa.make_url(PG_URL)
    try:
        with psycopg.connect(_libpq(url), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        return f"PostgreSQL not reachable at {where} ({type(exc).__name__}): start it or set GUICHET_TEST_PG_URL"
    return None


@dataclass(frozen=True)
class Stores:
    """The URLs of one test's API database and Rasa tracker store."""

    kind: str
    database_url: str
    tracker_url: str

    def env(self) -> dict[str, str]:
        """The variables that point the API (or `guichet`) at these stores."""
        return {"GUICHET_DATABASE_URL": self.database_url, "GUICHET_TRACKER_DB_URL": self.tracker_url}

    def tracker_exists(self) -> bool:
        """Whether Rasa's events table exists (SQLite: without creating the file by looking)."""
        if self.kind == "sqlite":
            path = Path(sa.make_url(self.tracker_url).database or "")
            if not path.exists():
                return False
        engine = sa.create_engine(self.tracker_url)
        try:
            return sa.inspect(engine).has_table("events")
        finally:
            engine.dispose()


class Backend:
    """Makes Stores of one kind; PostgreSQL databases made here are dropped by close()."""

    def __init__(self, kind: str):
        if kind == "postgresql" and (problem := pg_problem()):
            pytest.skip(problem)
        self.kind = kind
        self._made: list[str] = []

    def stores(self, data_dir: Path, tracker_file: str = "rasa.db") -> Stores:
        if self.kind == "sqlite":
            data_dir.mkdir(parents=True, exist_ok=True)
            return Stores("sqlite", f"sqlite:///{data_dir / 'guichet.db'}", f"sqlite:///{data_dir / tracker_file}")
        name = f"guichet_test_{secrets.token_hex(6)}"
        admin = sa.make_url(PG_URL)
        with psycopg.connect(_libpq(admin), autocommit=True, connect_timeout=5) as conn:
            for db in (name, f"{name}_rasa"):
                conn.execute(f'CREATE DATABASE "{db}"')
                self._made.append(db)
        api, tracker = (admin.set(database=db).render_as_string(hide_password=False) for db in (name, f"{name}_rasa"))
        return Stores("postgresql", api, tracker)

    def close(self) -> None:
        if not self._made:
            return
        with psycopg.connect(_libpq(sa.make_url(PG_URL)), autocommit=True, connect_timeout=5) as conn:
            for db in self._made:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self._made.clear()


def traces(url: str, needles: tuple[str, ...]) -> list[str]:
    """Every (table, cell) of a database that mentions one of the needles."""
    engine = sa.create_engine(url)
    found = []
    try:
        with engine.connect() as conn:
            for table in sa.inspect(conn).get_table_names():
                for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                    found += [f"{table}: {cell}"[:80] for cell in row if any(n in str(cell) for n in needles)]
    finally:
        engine.dispose()
    return found


def column(url: str, sql: str) -> list:
    """The first column of a query's rows, on any of the two kinds of database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(sa.text(sql))]
    finally:
        engine.dispose()


def fixture_app(data: Path, stores: Stores) -> TestClient:
    """The API (not yet started) on the tiny fixture knowledge base, lexical index built in data/."""
    from fastapi.testclient import TestClient

    from api.core.catalogue import load_catalogue
    from api.core.corpus import build_chunks
    from api.main import create_app
    from api.settings import Settings
    from retrieval.index import build_index
    from tests.api.service_support import SERVICE_DIGEST

    chunks, _ = build_chunks(load_catalogue(FIXTURE), FIXTURE)
    build_index(chunks, data / "index", None)
    settings = Settings(
        knowledge_dir=FIXTURE,
        data_dir=data,
        embedding_model="none",
        database_url=stores.database_url,
        tracker_db_url=stores.tracker_url,
        service_key_sha256=SERVICE_DIGEST,  # the bot's credential (tests/api/service_support.py)
    )
    return TestClient(create_app(settings))


@contextmanager
def fixture_api(data: Path, backend: Backend) -> Iterator[TestClient]:
    """The API on the tiny fixture knowledge base, its stores on this backend."""
    with fixture_app(data, backend.stores(data)) as client:
        yield client
