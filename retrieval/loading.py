"""Read documents from disk: Markdown with front matter, plain text, HTML and PDF."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import yaml

from .analysis import detect_lang
from .models import Document

MAX_BYTES = 20 * 1024 * 1024
SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".pdf"}


@dataclass(frozen=True)
class Skipped:
    """A file left out of the build, and why in words a user can act on."""

    path: str
    reason: str


class UnreadableDocument(ValueError):
    pass


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split a leading YAML block fenced by --- lines from the body; no block gives {}."""
    if not text.startswith("---"):
        return {}, text
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise UnreadableDocument("front matter opened with --- but never closed")
    try:
        meta = yaml.safe_load(parts[0][3:]) or {}
    except yaml.YAMLError as exc:
        raise UnreadableDocument(f"front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise UnreadableDocument("front matter is not a mapping")
    return meta, parts[1].lstrip("-").lstrip("\n")


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableDocument("binary content in a text file (mislabelled?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _html_text(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    blocks = [el.get_text(" ", strip=True) for el in soup.find_all(["h1", "h2", "h3", "p", "li", "td"])]
    body = "\n\n".join(b for b in blocks if b) or soup.get_text("\n", strip=True)
    return title, body


def _pdf_text(path: Path, data: bytes) -> tuple[str, str]:
    if not data.startswith(b"%PDF"):
        raise UnreadableDocument("named .pdf but is not a PDF file")
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise UnreadableDocument(f"PDF could not be parsed: {exc}") from exc
    return str(title), "\n\n".join(p.strip() for p in pages if p.strip())


def read_document(path: Path, root: Path | None = None) -> Document:
    """One file to a Document; raises UnreadableDocument with a reason for anything unusable."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnreadableDocument(f"unsupported file type {suffix or '(none)'}")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > MAX_BYTES:
        raise UnreadableDocument(f"{size / 2**20:.1f} MiB is over the 20 MiB limit")
    data = path.read_bytes()
    meta: dict = {}
    if suffix == ".pdf":
        title, body = _pdf_text(path, data)
    elif suffix in {".html", ".htm"}:
        title, body = _html_text(data)
    else:
        if data.startswith(b"%PDF") or data[:5].lower() in {b"<!doc", b"<html"}:
            raise UnreadableDocument(f"named {suffix} but holds {'PDF' if data.startswith(b'%PDF') else 'HTML'}")
        meta, body = split_front_matter(_decode(data))
        title = ""
    if not body.strip():
        raise UnreadableDocument("no text could be extracted")
    rel = path.relative_to(root) if root else Path(path.name)
    title = str(meta.get("title") or title or _first_heading(body) or path.stem.replace("-", " "))
    lang = str(meta.get("lang") or detect_lang(body[:5000])[0])
    if lang not in ("fr", "en"):
        raise UnreadableDocument(f"front matter lang '{lang}' is not fr or en")
    doc_id = str(meta.get("id") or _slug(rel))
    sources = meta.get("sources") or meta.get("source") or ""
    source = ", ".join(map(str, sources)) if isinstance(sources, list) else str(sources)
    as_of = meta.get("as_of")
    return Document(
        id=f"{doc_id}.{lang}",
        lang=lang,
        title=title,
        text=body,
        source=source or str(rel),
        as_of=str(as_of) if as_of else None,
        path=str(path),
    )


def _first_heading(body: str) -> str:
    for line in body.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""


def _slug(rel: Path) -> str:
    stem = "-".join(rel.with_suffix("").parts)
    clean = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem.lower()).strip("-")
    return clean or hashlib.sha1(str(rel).encode()).hexdigest()[:12]


def outside_id(namespace: str, rel: Path, lang: str) -> str:
    """The id of a document from outside the knowledge base: its namespace and its own path, never what its
    front matter says. Distinct paths give distinct ids (ok.md, ok.txt and ok.pdf too); no '#' (chunk ids)."""
    return f"{namespace}-{quote(rel.as_posix())}.{lang}"


def read_outside(root: Path, namespace: str) -> tuple[list[tuple[Document, str]], list[Skipped]]:
    """Like read_folder, each document under its namespaced id, paired with the id it would have taken
    by itself (its front matter's, or its file name's), so that a claim on another id can be reported."""
    docs, skipped = read_folder(root)
    base = root if root.is_dir() else root.parent
    out = []
    for doc in docs:
        rel = Path(str(doc.path)).relative_to(base)
        out.append((replace(doc, id=outside_id(namespace, rel, doc.lang)), doc.id))
    return out, skipped


def read_folder(root: Path) -> tuple[list[Document], list[Skipped]]:
    """Every supported file below root; the unusable ones are skipped with a reason, the rest go on."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    base = root if root.is_dir() else root.parent
    for path in sorted(_files(root)):
        try:
            docs.append(read_document(path, base))
        except (UnreadableDocument, OSError) as exc:
            skipped.append(Skipped(str(path), str(exc)))
    return docs, skipped


def _files(root: Path) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for path in root.rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            yield path
