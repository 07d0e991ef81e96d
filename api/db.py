"""The API's database: engine and sessions from settings, schema by Alembic migrations."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger("guichet.db")
# Hand-offs (names, e-mail addresses), feedback and conversations: readable by the owner only. SQLite creates a
# database's -wal, -shm and -journal files with the database file's own mode.
PRIVATE = 0o600
_SIDE_FILES = ("-wal", "-shm", "-journal")


class Base(DeclarativeBase):
    pass


# A database that drops packets silently would otherwise hold a request for the kernel's TCP timeout
# (minutes); after this many seconds the request gets the API's 503 instead.
CONNECT_TIMEOUT_SECONDS = 5


def server_connect_args(url: str) -> dict:
    """Driver options for a database server (PostgreSQL): a bounded connection time."""
    return {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgresql") else {}


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if not url.startswith("sqlite"):
        return None
    db = make_url(url).database
    return Path(db) if db and db != ":memory:" and not db.startswith("file:") else None


def private_file(path: Path) -> None:
    """Create the database file readable by its owner only, and take group and other rights off an existing
    one and its side files (a file made before, with the process's umask)."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE))
    for p in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        try:
            if stat.S_IMODE(p.stat().st_mode) & 0o077:
                p.chmod(PRIVATE)
        except FileNotFoundError:
            pass
        except PermissionError:
            log.warning("%s is readable by other users and not ours to change: chmod 600 it", p)


def secure_delete(dbapi_conn) -> None:
    """SQLite overwrites what a DELETE frees with zeros: erased text leaves no readable remnant in the file."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


def make_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        private_file(path)
    engine = create_engine(url, pool_pre_ping=True, connect_args=server_connect_args(url))
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # WAL: readers never block the writer
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
            secure_delete(dbapi_conn)

    return engine


def checkpoint(engine: Engine, tries: int = 3, wait_ms: int = 2000) -> bool:
    """After an erasure, on SQLite: copy the write-ahead log into the database file and truncate the -wal file
    to zero bytes (PRAGMA wal_checkpoint(TRUNCATE)), so that the erased rows' old pages stay in neither.
    True when done (or nothing to do: another database, no WAL); False, logged, when readers kept it busy."""
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or not Path(db).exists():
        return True  # never create a file by looking (Rasa's store before Rasa made it)
    for attempt in range(tries):
        try:
            with engine.connect() as conn:
                before = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
                try:
                    row = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(before or 0)}")
        except SQLAlchemyError as exc:  # the erasure itself has committed: say so, do not fail it
            log.warning("%s: checkpoint failed (%s)", db, type(exc).__name__)
            return False
        if row is None or row[0] == 0:
            return True
        time.sleep(0.05 * (attempt + 1))
    log.warning("%s: the write-ahead log could not be truncated (busy); erased rows may stay in its -wal file "
                "until the next checkpoint", db)
    return False


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
