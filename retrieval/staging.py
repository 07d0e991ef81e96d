"""Staging files and folders a crash can leave behind, and the sweep that removes them safely.

A writer holds an exclusive flock on its staging entry while it works; the kernel drops the lock when the
process dies, SIGKILL included. The sweep removes only entries whose lock it can take and that are a few
second old (the gap between creating an entry and locking it is microseconds), so it never touches the work of a live
writer, in this process or in another one sharing the folder (several API instances on one volume).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

MIN_AGE_SECONDS = 1.0


@contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on an existing staging file or folder until the block ends."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def sweep(folder: Path, prefix: str, min_age: float = MIN_AGE_SECONDS) -> list[str]:
    """Remove the entries of folder named prefix* that no live writer holds; returns their names."""
    removed: list[str] = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for path in sorted(folder.glob(f"{prefix}*")):
        try:
            if now - path.lstat().st_mtime < min_age:
                continue
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # gone meanwhile
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a live writer holds it
        try:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path.name)
        finally:
            os.close(fd)
    if removed:
        log.warning("removed %d staging entr%s left by an interrupted write in %s: %s",
                    len(removed), "y" if len(removed) == 1 else "ies", folder, ", ".join(removed))
    return removed
