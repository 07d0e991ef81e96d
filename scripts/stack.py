"""A private Guichet stack on loopback for benchmarks: the API, the action server and one or more Rasa servers.

`embedded`: the defaults (SQLite files in a temporary folder, in-memory lock store), one Rasa server.
`production`: bot/endpoints.production.yml, i.e. a PostgreSQL tracker store and a Redis lock store shared by
every Rasa server, and the API on PostgreSQL; fresh databases are created and dropped afterwards.
Run alone, it starts the stack and prints its addresses until Ctrl-C:
  .venv/bin/python scripts/stack.py production --rasa-instances 2
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
UVICORN = ROOT / ".venv" / "bin" / "uvicorn"
MODEL = ROOT / "bot" / "models" / "current.tar.gz"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS = {"host": "127.0.0.1", "port": 6379}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Return once url answers below 500; RuntimeError with the log's end if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: process exited {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {timeout}s:\n{log.read_text()[-3000:]}")


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a process and its descendants, in MB; None once it is gone."""
    total = 0
    for p in _tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)
    return round(total / 1024, 1) if total else None


def _tree(pid: int) -> list[int]:
    """A process and its descendants (uvicorn workers, Rasa's sub-processes), at most 64."""
    seen = [pid]
    for p in seen:
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        seen.extend(int(c) for c in children if len(seen) < 64)
    return seen


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) used so far by a process and its living descendants; None once it is gone."""
    total, found = 0.0, False
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        found = True
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15)
    return total if found else None


def _pg(sql: str) -> None:
    import psycopg  # the application's environment has it (production driver)

    with psycopg.connect(dbname="postgres", autocommit=True, connect_timeout=3, **PG) as conn:
        conn.execute(sql)


class LocalStack:
    def __init__(self, mode: str = "embedded", rasa_instances: int = 1, api_workers: int = 1, api_only: bool = False):
        if mode == "embedded" and rasa_instances != 1:
            raise SystemExit("several Rasa servers need a shared tracker and lock store: use production")
        if not api_only and (not RASA.exists() or not MODEL.exists()):
            raise SystemExit("the dialogue server is not set up: run `make bot-model` first")
        self.mode, self.instances, self.api_workers = mode, 0 if api_only else rasa_instances, api_workers
        self.api_only = api_only
        self.tmp = Path(tempfile.mkdtemp(prefix="guichet-stack-"))
        self.procs: dict[str, subprocess.Popen] = {}
        self.databases: list[str] = []
        self.api, self.actions, self.rasa = "", "", []

    def _env(self, api_port: int, actions_port: int) -> dict[str, str]:
        env = {
            **os.environ,
            "GUICHET_DATA_DIR": str(self.tmp / "data"),
            "GUICHET_INDEX_DIR": str(ROOT / "var" / "index"),
            "GUICHET_EMBEDDING_EXPORT_DIR": str(ROOT / "var" / "models"),  # exported once, not per stack
            "GUICHET_API_URL": f"http://127.0.0.1:{api_port}",
            "GUICHET_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "SANIC_HOST": "127.0.0.1",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
        }
        if self.mode == "embedded":
            env["RASA_SQLITE_PATH"] = str(self.tmp / "rasa.db")
            env["GUICHET_TRACKER_DB_URL"] = f"sqlite:///{self.tmp / 'rasa.db'}"
            return env
        tag = secrets.token_hex(4)
        api_db, rasa_db = f"guichet_bench_api_{tag}", f"guichet_bench_rasa_{tag}"
        for db in (api_db, rasa_db):
            _pg(f'CREATE DATABASE "{db}"')
            self.databases.append(db)
        url = f"postgresql+psycopg://{PG['user']}@{PG['host']}:{PG['port']}"
        env.update(
            GUICHET_DATABASE_URL=f"{url}/{api_db}",
            GUICHET_TRACKER_DB_URL=f"{url}/{rasa_db}",
            RASA_DB_HOST=PG["host"],
            RASA_DB_PORT=str(PG["port"]),
            RASA_DB_NAME=rasa_db,
            RASA_DB_USER=PG["user"],
            RASA_DB_PASSWORD="",
            RASA_REDIS_HOST=REDIS["host"],
            RASA_REDIS_PORT=str(REDIS["port"]),
            RASA_REDIS_DB="3",
            RASA_REDIS_PREFIX=f"bench{tag}",
        )
        return env

    def _start(self, name: str, cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
        log = (self.tmp / f"{name}.log").open("w")
        # umask 077: the SQLite stores the processes create (and their -wal files) are private, as with run_all.sh.
        self.procs[name] = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, umask=0o077
        )

    def _wait(self, name: str, url: str, timeout: float) -> None:
        try:
            wait_for(url, self.procs[name], timeout, self.tmp / f"{name}.log")
        except RuntimeError as exc:
            raise SystemExit(f"{name}: {exc}") from exc

    def start(self) -> LocalStack:
        api_port, actions_port = free_port(), free_port()
        env = self._env(api_port, actions_port)
        endpoints = "endpoints.yml" if self.mode == "embedded" else "endpoints.production.yml"
        self._start("api", [str(UVICORN), "api.main:create_app", "--factory", "--host", "127.0.0.1",
                            "--port", str(api_port), "--workers", str(self.api_workers), "--log-level", "warning"],
                    ROOT, env)
        if not self.api_only:
            self._start("actions", [str(RASA), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                        ROOT / "bot", env)
        ports = [free_port() for _ in range(self.instances)]
        for i, port in enumerate(ports, start=1):
            self._start(f"rasa{i}", [str(RASA), "run", "--model", str(MODEL), "--endpoints", endpoints,
                                     "--credentials", "credentials.yml", "--interface", "127.0.0.1",
                                     "--port", str(port)], ROOT / "bot", env)
        self.api, self.actions = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{actions_port}"
        self.rasa = [f"http://127.0.0.1:{p}" for p in ports]
        try:
            self._wait("api", f"{self.api}/health", 180)
            if not self.api_only:
                self._wait("actions", f"{self.actions}/health", 180)
            for i, url in enumerate(self.rasa, start=1):
                self._wait(f"rasa{i}", f"{url}/", 300)
        except BaseException:
            self.stop()
            raise
        return self

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.procs.items()}

    def stop(self) -> None:
        for p in self.procs.values():
            p.terminate()
        for p in self.procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        for db in self.databases:
            try:
                _pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception as exc:  # report, never hide: a leftover database is the user's to drop
                print(f"could not drop database {db}: {exc}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["embedded", "production"])
    ap.add_argument("--rasa-instances", type=int, default=1)
    ap.add_argument("--api-workers", type=int, default=1)
    ap.add_argument("--api-only", action="store_true")
    args = ap.parse_args()
    stack = LocalStack(args.mode, args.rasa_instances, args.api_workers, args.api_only).start()
    print(f"API {stack.api} · actions {stack.actions} · Rasa {' '.join(stack.rasa)} (Ctrl-C stops)", flush=True)
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
