"""Staging entries: a crashed writer's are swept, a live writer's (in this process or another) are kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from retrieval.staging import held, sweep


def _age(path: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_unlocked_old_entries_go_and_young_or_held_ones_stay(tmp_path: Path) -> None:
    """An old unlocked file or folder is removed; a locked one and one just created are kept."""
    dead_dir, dead_file = tmp_path / ".tmp-dead", tmp_path / ".tmp-dead.md"
    live, young, other = tmp_path / ".tmp-live", tmp_path / ".tmp-young", tmp_path / "kept.md"
    for d in (dead_dir, live, young):
        d.mkdir()
    (dead_dir / "chunks.jsonl").write_text("{}")
    dead_file.write_text("x")
    other.write_text("x")
    for p in (dead_dir, dead_file, live, other):
        _age(p, 60)
    with held(live):
        removed = sweep(tmp_path, ".tmp-")
    assert sorted(removed) == [".tmp-dead", ".tmp-dead.md"]
    assert live.exists() and young.exists() and other.exists() and not dead_dir.exists()


def test_a_killed_writers_entry_is_swept_once_its_process_is_gone(tmp_path: Path) -> None:
    """A writer holding its entry in another process protects it; after SIGKILL the lock is gone and so is it."""
    entry = tmp_path / ".upload-abc.md"
    entry.write_text("half")
    _age(entry, 60)
    code = (
        "import sys, time; from pathlib import Path; from retrieval.staging import held\n"
        f"with held(Path({str(entry)!r})):\n    print('locked', flush=True); time.sleep(60)\n"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        assert sweep(tmp_path, ".upload-") == [] and entry.exists()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert sweep(tmp_path, ".upload-") == [".upload-abc.md"] and not entry.exists()


def test_sweeping_a_missing_folder_is_a_no_op(tmp_path: Path) -> None:
    """A data folder not created yet has nothing to sweep."""
    assert sweep(tmp_path / "absent", ".tmp-") == []
