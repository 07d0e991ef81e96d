"""The developer scripts are modules of the project: run from the repository root with `python -m scripts.X`,
none edits sys.path, and the stack launcher is the one the end-to-end tests use."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from scripts import stack

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p.stem for p in (ROOT / "scripts").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", SCRIPTS)
def test_a_script_imports_as_a_module_without_touching_sys_path(name: str) -> None:
    """Each script imports as scripts.<name> (nothing runs at import) and never edits sys.path."""
    tree = ast.parse((ROOT / "scripts" / f"{name}.py").read_text(encoding="utf-8"))
    edits = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", None) == "sys"
    ]
    assert edits == [], f"scripts/{name}.py touches sys.path on lines {edits}"
    importlib.import_module(f"scripts.{name}")


def test_a_script_runs_as_a_module_from_the_root() -> None:
    """`python -m scripts.load --help` finds the project's packages (scripts.stack) from the repository root."""
    run = subprocess.run([sys.executable, "-m", "scripts.load", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert run.returncode == 0 and "--start" in run.stdout, run.stderr[-2000:]


def test_the_launcher_gives_each_process_its_command() -> None:
    """One command per process for every stack: the API from the root, the action server and Rasa from bot/."""
    api, cwd = stack.command("api", 8100, api_workers=2, quiet=True)
    assert cwd == ROOT and api[1:] == ["api.main:create_app", "--factory", "--host", "127.0.0.1", "--port", "8100",
                                       "--workers", "2", "--log-level", "warning"]  # fmt: skip
    actions, cwd = stack.command("actions", 5100)
    assert cwd == ROOT / "bot" and actions[1:] == ["run", "actions", "--actions", "actions", "--port", "5100"]
    rasa, cwd = stack.command("rasa_b", 5200, "endpoints.production.yml")
    assert cwd == ROOT / "bot" and rasa[rasa.index("--endpoints") + 1] == "endpoints.production.yml"
    env = stack.loopback_env("http://127.0.0.1:1", "http://127.0.0.1:2", ROOT / "x", "gs_key")
    assert env["GUICHET_ACTIONS_URL"] == "http://127.0.0.1:2/webhook" and env["GUICHET_BOT_API_KEY"] == "gs_key"
    assert len(env["GUICHET_SERVICE_KEY_SHA256"]) == 64
