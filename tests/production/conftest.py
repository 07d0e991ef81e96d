"""The production configuration on loopback, once per session: the API on PostgreSQL, one action server and two
Rasa servers (bot/endpoints.production.yml) sharing the PostgreSQL tracker store and the Redis lock store."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from scripts.stack import command, free_port, launch, loopback_env, stop, wait_for
from tests.bot.conftest import MODEL, RASA_VENV, ROOT, SERVICE_KEY
from tests.production.proxy import CuttableProxy
from tests.production.resp import Redis

PG_HOST, REDIS_HOST = "127.0.0.1", "127.0.0.1"
PG_PORT = int(os.environ.get("GUICHET_TEST_PG_PORT", "5432"))  # trust auth, user postgres
REDIS_PORT = int(os.environ.get("GUICHET_TEST_REDIS_PORT", "6379"))
REDIS_DB = 1  # the lock store's db (RASA_REDIS_DB); this run's keys are apart by their prefix
HOW = (
    f"the production tier needs PostgreSQL on 127.0.0.1:{PG_PORT} (user postgres, trust auth) and Redis on "
    f"127.0.0.1:{REDIS_PORT} (other ports: GUICHET_TEST_PG_PORT, GUICHET_TEST_REDIS_PORT): start both, then run "
    "`.venv/bin/pytest tests/production`"
)
ADMIN_URL = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/postgres"


def _unreachable() -> str | None:
    """What is missing to run this tier, or None."""
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"PostgreSQL unreachable ({type(exc).__name__})"
    try:
        with Redis(REDIS_HOST, REDIS_PORT, timeout=3) as r:
            if r.call("PING") != b"PONG":
                return "Redis did not answer PING"
    except (OSError, RuntimeError) as exc:
        return f"Redis unreachable ({type(exc).__name__})"
    if not (RASA_VENV / "bin" / "rasa").exists() or not MODEL.exists():
        return "the dialogue server is not set up (run `make test` first: it builds .venv-rasa and the model)"
    return None


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


class ProdStack:
    """The running processes, their addresses, and how to kill and restart one of them."""

    def __init__(self, tmp: Path, suffix: str) -> None:
        self.tmp, self.suffix = tmp, suffix
        self.api_db, self.rasa_db = f"guichet_prod_api_{suffix}", f"guichet_prod_rasa_{suffix}"
        self.redis_prefix = f"guichetprod{suffix}"
        self.api_db_proxy = CuttableProxy(PG_HOST, PG_PORT).start()  # the API's own database
        self.tracker_proxy = CuttableProxy(PG_HOST, PG_PORT).start()  # Rasa B's tracker store
        self.ports = {name: free_port() for name in ("api", "actions", "rasa_a", "rasa_b")}
        self.url = {name: f"http://127.0.0.1:{port}" for name, port in self.ports.items()}
        self.api, self.rasa_a, self.rasa_b = self.url["api"], self.url["rasa_a"], self.url["rasa_b"]
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.starts: dict[str, int] = {}
        self.api_db_url = f"postgresql+psycopg://postgres@{PG_HOST}:{self.api_db_proxy.port}/{self.api_db}"
        self.api_db_direct = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{self.api_db}"
        self.rasa_db_url = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{self.rasa_db}"
        self.index_dir = tmp / "index"
        self.data_dir = tmp / "data"

    @property
    def url_pair(self) -> tuple[str, str]:
        return self.rasa_a, self.rasa_b

    def env(self, name: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GUICHET_", "RASA_", "SLACK_", "TEAMS_"))},
            **loopback_env(self.api, self.url["actions"], self.data_dir, SERVICE_KEY),
            "GUICHET_INDEX_DIR": str(self.index_dir),  # its own copy: re-indexing writes here, never in var/
            "GUICHET_DATABASE_URL": self.api_db_url,
            "GUICHET_TRACKER_DB_URL": self.rasa_db_url,
            "GUICHET_RASA_PUBLIC_URL": self.rasa_a,
            "RASA_DB_HOST": PG_HOST,
            "RASA_DB_PORT": str(self.tracker_proxy.port if name == "rasa_b" else PG_PORT),
            "RASA_DB_NAME": self.rasa_db,
            "RASA_DB_USER": "postgres",
            "RASA_DB_PASSWORD": "",
            "RASA_REDIS_HOST": REDIS_HOST,
            "RASA_REDIS_PORT": str(REDIS_PORT),
            "RASA_REDIS_DB": str(REDIS_DB),
            "RASA_REDIS_PREFIX": self.redis_prefix,
            # A lock held by a killed server frees after this (Rasa's default 60 s); longer than any turn here.
            "TICKET_LOCK_LIFETIME": "20",
        }

    def command(self, name: str) -> tuple[list[str], Path]:
        return command("rasa" if name.startswith("rasa") else name, self.ports[name], "endpoints.production.yml")

    def start(self, name: str) -> None:
        cmd, cwd = self.command(name)
        self.starts[name] = self.starts.get(name, 0) + 1
        self.procs[name], self.logs[name] = launch(f"{name}-{self.starts[name]}", cmd, cwd, self.env(name), self.tmp)

    def wait(self, name: str, timeout: float = 300) -> None:
        """Until the process serves: /health for the API and actions, a loaded model and a store for Rasa."""
        path = "/health" if name in ("api", "actions") else "/"
        wait_for(self.url[name] + path, self.procs[name], timeout, self.logs[name])
        if name.startswith("rasa"):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"{name} exited:\n{self.logs[name].read_text()[-3000:]}")
                try:
                    if httpx.get(self.url[name] + "/webhooks/ready/", timeout=5).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            raise RuntimeError(f"{name}: model not loaded after {timeout}s")

    def kill(self, name: str) -> None:
        """SIGKILL: no clean-up of any kind, as a crash or the OOM killer would do."""
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)

    def restart(self, name: str, timeout: float = 300) -> None:
        if self.procs[name].poll() is None:
            self.kill(name)
        self.start(name)
        self.wait(name, timeout)

    def say(self, rasa: str, sender: str, message: str, timeout: float = 60) -> list[dict]:
        r = httpx.post(f"{rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=timeout)
        r.raise_for_status()
        return r.json()

    def events(self, sender: str) -> list[tuple[str, str | None]]:
        """(type_name, action_name) of the sender's events in Rasa's store, in order."""
        q = sa.text("SELECT type_name, action_name FROM events WHERE sender_id = :s ORDER BY id")
        with self.tracker_engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.execute(q, {"s": sender})]

    def key(self, scope: str) -> str:
        """A staff key made with the CLI, on the API's PostgreSQL database."""
        env = {**self.env("api"), "GUICHET_DATABASE_URL": self.api_db_direct}
        res = subprocess.run(
            [str(ROOT / ".venv/bin/guichet"), "keys", "create", "--scope", scope, "--name", f"prod-{scope}"],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return res.stdout.strip().splitlines()[-1]

    def boot(self) -> None:
        shutil.copytree(ROOT / "var" / "index", self.index_dir)  # re-indexing writes here, never in var/
        _admin(f"CREATE DATABASE {self.api_db}")
        _admin(f"CREATE DATABASE {self.rasa_db}")
        self.tracker_engine = sa.create_engine(self.rasa_db_url, pool_pre_ping=True)
        self.api_engine = sa.create_engine(self.api_db_direct, pool_pre_ping=True)
        for name in ("api", "actions", "rasa_a"):
            self.start(name)
        # Rasa A creates the events table; B starts once it exists (two create_all at once may collide).
        deadline = time.monotonic() + 300
        while not sa.inspect(self.tracker_engine).has_table("events"):
            if time.monotonic() > deadline or self.procs["rasa_a"].poll() is not None:
                raise RuntimeError(f"rasa_a made no events table:\n{self.logs['rasa_a'].read_text()[-3000:]}")
            time.sleep(0.5)
        self.start("rasa_b")
        for name in ("api", "actions", "rasa_a", "rasa_b"):
            self.wait(name)

    def shutdown(self) -> None:
        stop(list(self.procs.values()))
        for proxy in (self.api_db_proxy, self.tracker_proxy):
            proxy.stop()
        for engine in (getattr(self, "tracker_engine", None), getattr(self, "api_engine", None)):
            if engine is not None:
                engine.dispose()
        for db in (self.api_db, self.rasa_db):
            _admin(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        with Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB) as r:
            keys = r.call("KEYS", f"{self.redis_prefix}:*")
            if isinstance(keys, list) and keys:
                r.call("DEL", *(bytes(k).decode() for k in keys))

    def lock_keys(self) -> list[bytes]:
        """The Redis keys of this stack's lock store (one per conversation while a turn holds its lock)."""
        with Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB) as r:
            keys = r.call("KEYS", f"{self.redis_prefix}:*")
        return [bytes(k) for k in keys] if isinstance(keys, list) else []


@pytest.fixture(scope="session")
def prod(tmp_path_factory) -> Iterator[ProdStack]:
    """The production stack, started once; kill tests restart only what they kill."""
    missing = _unreachable()
    if missing:
        pytest.skip(f"{missing}; {HOW}")
    stack = ProdStack(tmp_path_factory.mktemp("prod"), secrets.token_hex(4))
    try:
        stack.boot()
        yield stack
    finally:
        stack.shutdown()
