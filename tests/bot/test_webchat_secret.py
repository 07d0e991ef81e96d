"""`make run` (scripts/run_all.sh) gives the Rasa server its web widget session secret, made once and kept."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_all(root: Path, data: Path, **extra: str) -> dict[str, str]:
    """Runs run_all.sh with stand-ins for the three servers; what each server was given as the secret."""
    seen = root / "seen"
    seen.mkdir(exist_ok=True)
    stubs = {  # each stand-in writes down the secret it was given, then stops
        ".venv/bin/uvicorn": f'printf %s "$GUICHET_CHAT_SESSION_SECRET" > {seen}/api',
        ".venv-rasa/bin/rasa": f'if [ "$2" = actions ]; then out={seen}/actions; else out={seen}/rasa; fi\n'
                               'printf %s "$GUICHET_CHAT_SESSION_SECRET" > "$out"',
    }
    for rel, body in stubs.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"#!/bin/sh\n{body}\nsleep 2\n")
        (root / rel).chmod(0o755)
    env = {"PATH": os.environ["PATH"], "GUICHET_DATA_DIR": str(data), "PORT": "1", **extra}
    subprocess.run(["bash", str(root / "scripts" / "run_all.sh")], env=env, cwd=root, umask=0o022, timeout=60,
                   capture_output=True, check=False)
    return {p.name: p.read_text() for p in seen.iterdir()}


def test_run_all_makes_the_session_secret_once_keeps_it_private_and_gives_it_to_rasa_only(tmp_path: Path) -> None:
    """The first run makes a 32-byte secret in the data folder (0600 under umask 022) and gives it to the Rasa
    server only; the next run reuses it (open tabs keep their sessions); a secret given in the environment wins."""
    root, data = tmp_path / "repo", tmp_path / "data"
    (root / "scripts").mkdir(parents=True)
    (root / "bot").mkdir()
    data.mkdir()
    shutil.copy(ROOT / "scripts" / "run_all.sh", root / "scripts" / "run_all.sh")
    first = run_all(root, data)
    assert re.fullmatch(r"[0-9a-f]{64}", first["rasa"]) and first["api"] == "" and first["actions"] == ""
    secret_file = data / "chat-session.secret"
    assert secret_file.read_text() == first["rasa"] and secret_file.stat().st_mode & 0o777 == 0o600
    assert run_all(root, data)["rasa"] == first["rasa"]
    given = "g" * 40
    assert run_all(root, data, GUICHET_CHAT_SESSION_SECRET=given)["rasa"] == given
