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

from scripts.stack import command, embedded_stores, free_port, launch, loopback_env, stop, wait_for
from tests.bot.fakes.botframework import FakeBotFramework
from tests.bot.fakes.slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
RASA_VENV = ROOT / ".venv-rasa"
MODEL = ROOT / "bot" / "models" / "current.tar.gz"
SERVICE_KEY = f"gs_{secrets.token_urlsafe(32)}"  # the stack's service credential, new each test session


def rasa_side_report(script: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Runs tests/bot/rasa_side/SCRIPT in .venv-rasa (from bot/, with `env` added to the environment) and
    returns the JSON of its `REPORT ` line; skips when the dialogue server's environment is not set up."""
    if not (RASA_VENV / "bin" / "python").exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa and the model)")
    run = subprocess.run(
        [str(RASA_VENV / "bin" / "python"), str(ROOT / "tests" / "bot" / "rasa_side" / script), *args],
        capture_output=True, text=True, timeout=300, cwd=ROOT / "bot", env={**os.environ, **(env or {})},
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
    ports = {"api": free_port(), "actions": free_port(), "rasa": free_port()}
    api, actions, rasa = (f"http://127.0.0.1:{ports[name]}" for name in ("api", "actions", "rasa"))
    env = {
        **os.environ,
        **loopback_env(api, actions, tmp / "data", SERVICE_KEY),
        # The demo page at the API's / points the web widget at this Rasa server (socket.io).
        "GUICHET_RASA_PUBLIC_URL": rasa,
        # The API reads conversations from Rasa's own tracker store (staff transcripts, analytics, erasure).
        **embedded_stores(tmp),
        **channel_fakes.env,  # the Slack and Teams channels talk to the fakes
    }
    procs: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        for name, port in ports.items():
            cmd, cwd = command(name, port)
            procs[name], logs[name] = launch(name, cmd, cwd, env, tmp)
        wait_for(f"{api}/health", procs["api"], 120, logs["api"])
        wait_for(f"{actions}/health", procs["actions"], 120, logs["actions"])
        wait_for(f"{rasa}/", procs["rasa"], 240, logs["rasa"])
        yield Stack(api, rasa, actions, procs, tmp)
    finally:
        stop(list(procs.values()))
