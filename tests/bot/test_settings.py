"""The bot's settings: each process reads its environment in one module (the action server in
bot/actions/settings.py, the Rasa server in bot/channels/settings.py), and a malformed value stops the process
at start with an error naming the variable. The Rasa server's channel settings, one by one, are in
test_channels_edge.py."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.stack import command, embedded_stores, free_port

from .conftest import MODEL, RASA_VENV, ROOT

sys.path.insert(0, str(ROOT / "bot"))

from actions.settings import Settings  # noqa: E402
from actions.settings import read as read_actions  # noqa: E402
from channels.settings import RedisLocks  # noqa: E402
from channels.settings import read as read_server  # noqa: E402

BOT = ROOT / "bot"
SETTINGS_MODULES = {BOT / "actions" / "settings.py", BOT / "channels" / "settings.py"}
# Reading the process environment: os.environ, os.getenv, os.environb, `from os import environ`.
ENV_READ = re.compile(r"\bos\.(environ|getenv)|\bfrom os import [^\n]*\b(environ|getenv)\b")


def test_the_action_servers_settings_and_their_defaults() -> None:
    """Unset: the API on loopback, a 4 s timeout, no key, 2 working days; set: taken as given."""
    assert read_actions({}) == Settings("http://127.0.0.1:8000", 4.0, None, 2)
    assert read_actions({"GUICHET_API_URL": "https://api.example.org/", "GUICHET_API_TIMEOUT": "2.5",
                         "GUICHET_BOT_API_KEY": "gs_key", "GUICHET_ADVISOR_REPLY_DAYS": " 5 "}) == Settings(
        "https://api.example.org", 2.5, "gs_key", 5)


@pytest.mark.parametrize(("name", "value"), [
    ("GUICHET_API_TIMEOUT", "abc"), ("GUICHET_API_TIMEOUT", "0"), ("GUICHET_API_TIMEOUT", "nan"),
    ("GUICHET_API_TIMEOUT", "inf"), ("GUICHET_ADVISOR_REPLY_DAYS", "two"), ("GUICHET_ADVISOR_REPLY_DAYS", "2.5"),
    ("GUICHET_ADVISOR_REPLY_DAYS", "-1"), ("GUICHET_API_URL", "127.0.0.1:8000"),
])
def test_a_bad_action_server_setting_is_refused_naming_it(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"^{name} must be"):
        read_actions({name: value})


def test_the_rasa_servers_speedups_switch_and_lock_store_defaults() -> None:
    """GUICHET_RASA_SPEEDUPS: on by default, off in the usual spellings; the Redis lock store's db and prefix
    from RASA_REDIS_DB and RASA_REDIS_PREFIX, 1 and "guichet" when unset."""
    assert read_server({}).speedups and read_server({"GUICHET_RASA_SPEEDUPS": " ON "}).speedups
    assert not any(read_server({"GUICHET_RASA_SPEEDUPS": off}).speedups for off in ("off", "0", "False", "no"))
    assert read_server({}).redis == RedisLocks(1, "guichet")
    assert read_server({"RASA_REDIS_DB": "3", "RASA_REDIS_PREFIX": "bench7"}).redis == RedisLocks(3, "bench7")


def test_every_environment_read_in_the_bot_goes_through_its_settings() -> None:
    """No module of the two servers reads the environment but their settings modules (bot/results/ holds
    a cross-validation script run by hand, not part of either server)."""
    readers = [str(path.relative_to(ROOT)) for path in sorted(BOT.rglob("*.py"))
               if path not in SETTINGS_MODULES and "results" not in path.relative_to(BOT).parts[:1]
               and ENV_READ.search(path.read_text(encoding="utf-8"))]
    assert readers == []
    assert all(ENV_READ.search(path.read_text(encoding="utf-8")) for path in SETTINGS_MODULES)  # the check sees


def start(name: str, env: dict[str, str], tmp_path: Path, timeout: float) -> subprocess.CompletedProcess:
    """Starts the action server ("actions") or the Rasa server with `env` added; it must stop by itself within
    `timeout` seconds (it takes 2 s and 10 s to stop on a bad setting here; a server that reads its settings
    later runs on)."""
    if not (RASA_VENV / "bin" / "rasa").exists() or not MODEL.exists():
        pytest.skip("the dialogue server is not set up: run `make test` (it builds .venv-rasa and the model)")
    port = free_port()
    cmd, cwd = command(name, port)
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1", "GUICHET_ACTIONS_URL": f"http://127.0.0.1:{free_port()}/webhook",
            **embedded_stores(tmp_path)}
    try:
        return subprocess.run(cmd, cwd=cwd, env={**base, **env}, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} still running after {timeout:g} s with {env}: the setting is not read at start")


def test_a_bad_setting_stops_the_action_server_at_start(tmp_path: Path) -> None:
    """rasa-sdk imports the actions at start: the process exits there, naming the variable, before serving."""
    run = start("actions", {"GUICHET_API_TIMEOUT": "abc"}, tmp_path, timeout=60)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-2000:]
    assert "ValueError: GUICHET_API_TIMEOUT must be a positive float, not 'abc'" in output, output[-2000:]
    assert "Action endpoint is up and running" not in output


@pytest.mark.parametrize(("name", "value", "said"), [
    ("TEAMS_HTTP_TIMEOUT", "soon", "TEAMS_HTTP_TIMEOUT must be a number, not 'soon'"),
    ("RASA_REDIS_PREFIX", "guichet:lock", "RASA_REDIS_PREFIX must be alphanumeric"),
])
def test_a_bad_setting_stops_the_rasa_server_at_start(tmp_path: Path, name: str, value: str, said: str) -> None:
    """Rasa reads its settings when it builds the channels and the tracker store, before the model: it exits
    there, naming the variable (a Redis setting too, though these endpoints use no Redis)."""
    run = start("rasa", {name: value}, tmp_path, timeout=120)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-2000:]
    assert f"ValueError: {said}" in output, output[-2000:]
    assert "Rasa server is up and running" not in output
