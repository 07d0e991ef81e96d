"""A private Guichet stack on loopback: the API, the action server and one or more Rasa servers.

The one launcher of the project's processes: the benchmarks (LocalStack), the end-to-end tests
(tests/bot/conftest.py) and the production tier (tests/production/conftest.py) start them with `command`,
`loopback_env`, `launch` and `stop` below.

`embedded`: the defaults (SQLite files in a temporary folder, in-memory lock store), one Rasa server.
`production`: bot/endpoints.production.yml, i.e. a PostgreSQL tracker store and a Redis lock store shared by
every Rasa server, and the API on PostgreSQL; fresh databases are created and dropped afterwards.
Run alone, it starts the stack and prints its addresses until Ctrl-C:
  .venv/bin/python -m scripts.stack production --rasa-instances 2
"""

from __future__ import annotations

import argparse
import hashlib
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
BOT = ROOT / "bot"
MODEL = BOT / "models" / "current.tar.gz"
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


def command(name: str, port: int, endpoints: str = "endpoints.yml", api_workers: int = 1, quiet: bool = False
            ) -> tuple[list[str], Path]:
    """The command line and working folder of one process: "api", "actions", or a Rasa server (any other name)
    with the endpoints file given (bot/endpoints.yml: embedded stores; endpoints.production.yml)."""
    if name == "api":
        cmd = [str(UVICORN), "api.main:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(api_workers)] if api_workers != 1 else []
        return cmd + (["--log-level", "warning"] if quiet else []), ROOT
    if name == "actions":
        return [str(RASA), "run", "actions", "--actions", "actions", "--port", str(port)], BOT
    return [str(RASA), "run", "--model", str(MODEL), "--endpoints", endpoints, "--credentials", "credentials.yml",
            "--interface", "127.0.0.1", "--port", str(port)], BOT  # fmt: skip


def service_credential(key: str) -> dict[str, str]:
    """The bot's service credential (docs/security.md, item 2): the actions send the key, the API keeps its digest."""
    return {"GUICHET_BOT_API_KEY": key, "GUICHET_SERVICE_KEY_SHA256": hashlib.sha256(key.encode()).hexdigest()}


def loopback_env(api: str, actions: str, data_dir: Path, service_key: str) -> dict[str, str]:
    """What every process of a private stack is told: where the API and the action server listen, the data
    folder, the index built by `make index` (never rebuilt per stack), the service credential, Rasa quiet."""
    return {
        "GUICHET_DATA_DIR": str(data_dir),
        "GUICHET_INDEX_DIR": str(ROOT / "var" / "index"),
        "GUICHET_EMBEDDING_EXPORT_DIR": str(ROOT / "var" / "models"),  # exported once, not per stack
        "GUICHET_API_URL": api,
        "GUICHET_ACTIONS_URL": f"{actions}/webhook",
        "SANIC_HOST": "127.0.0.1",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        **service_credential(service_key),
    }


def embedded_stores(folder: Path) -> dict[str, str]:
    """Rasa's tracker store as a SQLite file in folder, which the API reads too (bot/endpoints.yml)."""
    return {"RASA_SQLITE_PATH": str(folder / "rasa.db"), "GUICHET_TRACKER_DB_URL": f"sqlite:///{folder / 'rasa.db'}"}


def launch(name: str, cmd: list[str], cwd: Path, env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, Path]:
    """Start one process, its output in log_dir/NAME.log. umask 077: the SQLite stores the processes create (and
    their -wal files) are private, as with run_all.sh."""
    log = log_dir / f"{name}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, umask=0o077)
    return proc, log


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM to each, then wait for all (SIGKILL after 20 s)."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


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
        self.service_key = f"gs_{secrets.token_urlsafe(32)}"

    def _env(self, api_port: int, actions_port: int) -> dict[str, str]:
        loopback = loopback_env(
            f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{actions_port}", self.tmp / "data", self.service_key
        )
        env = {**os.environ, **loopback}
        if self.mode == "embedded":
            return {**env, **embedded_stores(self.tmp)}
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

    def _start(self, name: str, port: int, env: dict[str, str], endpoints: str = "endpoints.yml") -> None:
        cmd, cwd = command(name, port, endpoints, self.api_workers, quiet=True)
        self.procs[name] = launch(name, cmd, cwd, env, self.tmp)[0]

    def _wait(self, name: str, url: str, timeout: float) -> None:
        try:
            wait_for(url, self.procs[name], timeout, self.tmp / f"{name}.log")
        except RuntimeError as exc:
            raise SystemExit(f"{name}: {exc}") from exc

    def start(self) -> LocalStack:
        api_port, actions_port = free_port(), free_port()
        env = self._env(api_port, actions_port)
        endpoints = "endpoints.yml" if self.mode == "embedded" else "endpoints.production.yml"
        self._start("api", api_port, env)
        if not self.api_only:
            self._start("actions", actions_port, env)
        ports = [free_port() for _ in range(self.instances)]
        for i, port in enumerate(ports, start=1):
            self._start(f"rasa{i}", port, env, endpoints)
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
        stop(list(self.procs.values()))
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
