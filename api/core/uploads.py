"""Staff document uploads: safe names, the loader's own checks, all-or-nothing storage, no silent replacement."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
import uuid
from contextlib import ExitStack
from pathlib import Path

from retrieval.loading import UnreadableDocument, outside_id, read_document
from retrieval.staging import held, sweep

from .extras import UPLOADS

SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
MAX_BYTES = 20 * 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Rejected(ValueError):
    """A file refused, with the HTTP status that fits and a reason naming the (sanitised) file."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def safe_name(filename: str | None) -> str:
    """The base name reduced to ASCII letters, digits, dot, dash and underscore (never a path)."""
    base = re.split(r"[\\/]", filename or "")[-1]
    ascii_name = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, ext = _UNSAFE.sub("-", ascii_name).strip(".-_").rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = re.sub(r"-{2,}", "-", stem)[:100].strip(".-_")
    return f"{stem}.{ext.lower()}" if ext else stem


def check_name(filename: str | None) -> str:
    name = safe_name(filename)
    if not Path(name).stem:
        raise Rejected(422, "a file has no usable name")
    if Path(name).suffix not in SUFFIXES:
        raise Rejected(415, f"{name}: unsupported type; send {', '.join(SUFFIXES)}")
    return name


def check_size(name: str, size: int, limit: int = MAX_BYTES) -> None:
    if size == 0:
        raise Rejected(422, f"{name}: the file is empty")
    if size > limit:
        raise Rejected(413, f"{name}: over the {limit // 2**20} MiB limit")


def upload_id(name: str, lang: str) -> str:
    """The id an uploaded file's passages carry (in search results, citations): upload-<stored name>.<lang>."""
    return outside_id(UPLOADS, Path(name), lang)


def _present(folder: Path) -> dict[str, str]:
    """Stored names by their case-folded form (OK.md and ok.md would be one file on some disks)."""
    return {p.name.casefold(): p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def store(folder: Path, files: list[tuple[str, bytes]], limit: int = MAX_BYTES, replace: bool = False) -> list[dict]:
    """Check every file with the index's own loader, then store them all, or none if any is refused; a name
    already stored is refused (409) unless replace is asked for."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path, dict]] = []
    names: set[str] = set()
    locks = ExitStack()  # each staged file stays locked until stored or dropped (see retrieval/staging.py)
    present = _present(folder)
    try:
        for filename, data in files:
            name = check_name(filename)
            if name.casefold() in names:
                raise Rejected(422, f"{name}: sent twice")
            names.add(name.casefold())
            if name.casefold() in present and not replace:
                raise Rejected(409, f"{name}: {present[name.casefold()]} is already uploaded; ask for replace=true "
                               "to replace it")
            check_size(name, len(data), limit)
            tmp = folder / f".upload-{uuid.uuid4().hex}{Path(name).suffix}"
            tmp.touch()
            staged.append((tmp, folder / name, {}))
            locks.enter_context(held(tmp))
            tmp.write_bytes(data)
            try:
                doc = read_document(tmp)
            except UnreadableDocument as exc:
                raise Rejected(422, f"{name}: {exc}") from exc
            staged[-1][2].update({"name": name, "id": upload_id(name, doc.lang), "bytes": len(data),
                                  "lang": doc.lang, "title": doc.title[:200]})
        _place(folder, [(tmp, final) for tmp, final, _ in staged], replace)
    finally:
        for tmp, _, _ in staged:
            tmp.unlink(missing_ok=True)
        locks.close()
    return [info for _, _, info in staged]


def _place(folder: Path, moves: list[tuple[Path, Path]], replace: bool) -> None:
    """Move the staged files to their names. Without replace, a link that finds its name taken (an upload
    of the same name that finished meanwhile) undoes this request's links and is a 409."""
    if replace:
        for tmp, final in moves:
            for other in folder.iterdir():  # the same name in another case goes: one document per name
                if other.name != final.name and other.name.casefold() == final.name.casefold():
                    other.unlink(missing_ok=True)
            os.replace(tmp, final)
        return
    placed: list[Path] = []
    for tmp, final in moves:
        try:
            os.link(tmp, final)
        except FileExistsError as exc:
            for p in placed:
                p.unlink(missing_ok=True)
            raise Rejected(409, f"{final.name}: is already uploaded; ask for replace=true to replace it") from exc
        placed.append(final)


def sweep_staging(folder: Path) -> list[str]:
    """Remove the staged files of uploads a crash interrupted (never those of an upload in progress)."""
    return sweep(folder, ".upload-")


def listing(folder: Path) -> list[dict]:
    """The uploaded documents, by name."""
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.iterdir()):
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES:
            st = p.stat()
            when = dt.datetime.fromtimestamp(st.st_mtime, dt.UTC).isoformat(timespec="seconds")
            out.append({"name": p.name, "bytes": st.st_size, "uploaded_at": when})
    return out


def remove(folder: Path, name: str) -> bool:
    """Delete one uploaded document by its stored name (a re-index takes it out of search)."""
    clean = safe_name(name)
    path = folder / clean
    if clean != name or clean.startswith(".") or not path.is_file():
        return False
    path.unlink()
    return True
