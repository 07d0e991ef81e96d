"""The real stack for end-to-end tests: the API, the action server and a Rasa server on loopback."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import free_port, wait_for
from tests.bot.fakes.botframework import FakeBotFramework
from tests.bot.fakes.slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
RASA_VENV = ROOT / ".venv-rasa"
MODEL = ROOT / "bot" / "models" / "current.tar.gz"


def rasa_side_report(script: str, *args: str) -> dict:
    """Runs tests/bot/rasa_side/SCRIPT in .venv-rasa (from bot/) and returns the JSON of its `REPORT ` line;
    skips when the dialogue server's environment is not set up."""
    if not (RASA_VENV / "bin" / "python").exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa and the model)")
    run = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(ROOT / "tests" / "bot" / "rasa_side" / script), *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT / "bot",
    )
    line = next((x for x in run.stdout.splitlines() if x.startswith("REPORT ")), None)
    assert line, run.stdout[-2000:] + run.stderr[-3000:]
    return json.loads(line.removeprefix("REPORT "))


class Stack:
    def __init__(self, api: str, rasa: str, actions: str, procs: dict[str, subprocess.Popen], tmp: Path):
        self.api, self.rasa, self.actions, self.procs, self.tmp = api, rasa, actions, procs, tmp

    def say(self, sender: str, message: str) -> list[dict]:
        r = httpx.post(f"{self.rasa}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=30)
        r.raise_for_status()
        return r.json()


class ChannelStack:
    """The stack seen through a chat platform's fake user (Slack, Teams): the REST conversation tests run
    unchanged on it, each `say` going through the platform's signed protocol."""

    def __init__(self, stack: Stack, user: Any) -> None:
        self.stack, self.procs, self.user = stack, stack.procs, user

    def say(self, sender: str, message: str) -> list[dict]:
        return self.user.say(sender, message)

    def __getattr__(self, name: str) -> object:
        return getattr(self.stack, name)


def _start(name: str, cmd: list[str], cwd: Path, env: dict, tmp: Path) -> tuple[subprocess.Popen, Path]:
    log = tmp / f"{name}.log"
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    return proc, log


class ChannelFakes:
    """The fake Slack and Bot Framework servers, and the environment pointing the bot's channels at them."""

    def __init__(self) -> None:
        self.slack_secret = secrets.token_hex(16)
        self.slack = FakeSlack(f"xoxb-test-{secrets.token_hex(8)}").start()
        self.botframework = FakeBotFramework(str(uuid.uuid4()), secrets.token_urlsafe(16)).start()
        bf = self.botframework
        self.env = {
            "SLACK_BOT_TOKEN": self.slack.token,
            "SLACK_SIGNING_SECRET": self.slack_secret,
            "SLACK_API_URL": self.slack.api_url,
            "SLACK_CHANNEL": "C0GUICHET",
            "TEAMS_APP_ID": bf.app_id,
            "TEAMS_APP_PASSWORD": bf.password,
            "TEAMS_TOKEN_URL": bf.token_url,
            "TEAMS_OPENID_URL": bf.openid_url,
            "TEAMS_ALLOWED_ISSUERS": "https://api.botframework.com",
            "TEAMS_ALLOWED_SERVICE_HOSTS": bf.url.removeprefix("http://"),
            "TEAMS_HTTP_TIMEOUT": "2",
            "TEAMS_KEYS_MIN_REFRESH_SECONDS": "0",
        }

    def stop(self) -> None:
        self.slack.stop()
        self.botframework.reachable.set()
        self.botframework.stop()


@pytest.fixture(scope="session")
def channel_fakes() -> Iterator[ChannelFakes]:
    """Slack and Bot Framework fakes, started before the stack (the OpenID metadata unreachable at first)."""
    fakes = ChannelFakes()
    try:
        yield fakes
    finally:
        fakes.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests named test_zz_* stop parts of the shared stack: they run after every other test."""
    items.sort(key=lambda item: item.name.startswith("test_zz_"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory, channel_fakes: ChannelFakes) -> Iterator[Stack]:
    if not (RASA_VENV / "bin" / "rasa").exists() or not MODEL.exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa and the model)")
    tmp = tmp_path_factory.mktemp("stack")
    api_port, actions_port, rasa_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "GUICHET_DATA_DIR": str(tmp / "data"),
        "GUICHET_INDEX_DIR": str(ROOT / "var" / "index"),
        "GUICHET_API_URL": f"http://127.0.0.1:{api_port}",
        # The demo page at the API's / points the web widget at this Rasa server (socket.io).
        "GUICHET_RASA_PUBLIC_URL": f"http://127.0.0.1:{rasa_port}",
        "SANIC_HOST": "127.0.0.1",
        "GUICHET_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "RASA_SQLITE_PATH": str(tmp / "rasa.db"),
        # The API reads conversations from Rasa's own tracker store (staff transcripts, analytics, erasure).
        "GUICHET_TRACKER_DB_URL": f"sqlite:///{tmp / 'rasa.db'}",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        **channel_fakes.env,  # the Slack and Teams channels talk to the fakes
    }
    procs: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        procs["api"], logs["api"] = _start(
            "api",
            [
                str(ROOT / ".venv/bin/uvicorn"),
                "api.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
            ],
            ROOT,
            env,
            tmp,
        )
        procs["actions"], logs["actions"] = _start(
            "actions",
            [str(RASA_VENV / "bin/rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
            ROOT / "bot",
            env,
            tmp,
        )
        procs["rasa"], logs["rasa"] = _start(
            "rasa",
            [
                str(RASA_VENV / "bin/rasa"),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
            ],
            ROOT / "bot",
            env,
            tmp,
        )
        wait_for(f"http://127.0.0.1:{api_port}/health", procs["api"], 120, logs["api"])
        wait_for(f"http://127.0.0.1:{actions_port}/health", procs["actions"], 120, logs["actions"])
        wait_for(f"http://127.0.0.1:{rasa_port}/", procs["rasa"], 240, logs["rasa"])
        yield Stack(
            f"http://127.0.0.1:{api_port}",
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{actions_port}",
            procs,
            tmp,
        )
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
