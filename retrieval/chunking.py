"""Split documents into chunks along their sections and paragraphs, keeping title, lever and source."""

from __future__ import annotations

import re

from .models import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) in order; text before the first heading has an empty heading."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    para: list[str] = []

    def flush() -> None:
        if para:
            sections[-1][1].append(" ".join(line.strip() for line in para).strip())
            para.clear()

    for line in text.splitlines():
        m = _HEADING.match(line.strip())
        if m:
            flush()
            sections.append((m.group(2).strip(), []))
        elif not line.strip():
            flush()
        elif line.lstrip().startswith(("- ", "* ", "• ")) or re.match(r"^\s*\d+[.)]\s", line):
            flush()  # a list item is a paragraph of its own
            para.append(line.strip())
        else:
            para.append(line)
    flush()
    return [(h, [p for p in ps if p]) for h, ps in sections if any(ps)]


def _split_long(paragraph: str, max_chars: int) -> list[str]:
    """Cut a paragraph longer than max_chars at sentence ends."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    sentences = re.split(r"(?<=[.!?;])\s+", paragraph)
    out, cur = [], ""
    for s in sentences:
        if cur and len(cur) + len(s) + 1 > max_chars:
            out.append(cur)
            cur = s
        else:
            cur = f"{cur} {s}".strip()
    if cur:
        out.append(cur)
    return out


def chunk_document(doc: Document, max_chars: int = 700, min_chars: int = 160) -> list[Chunk]:
    """Paragraph-sized chunks that never cross a section; short paragraphs join the next one."""
    chunks: list[Chunk] = []
    for heading, paragraphs in _sections(doc.text):
        pieces = [p for para in paragraphs for p in _split_long(para, max_chars)]
        buf = ""
        for piece in pieces:
            if buf and len(buf) + len(piece) + 1 > max_chars:
                chunks.append(_make(doc, heading, buf, len(chunks)))
                buf = ""
            buf = f"{buf}\n{piece}".strip() if buf else piece
            if len(buf) >= min_chars:
                chunks.append(_make(doc, heading, buf, len(chunks)))
                buf = ""
        if buf:
            chunks.append(_make(doc, heading, buf, len(chunks)))
    return chunks


def _make(doc: Document, section: str, text: str, n: int) -> Chunk:
    return Chunk(
        id=f"{doc.id}#{n:04d}",
        doc_id=doc.id,
        lang=doc.lang,
        kind=doc.kind,
        title=doc.title,
        section=section,
        text=text,
        lever_id=doc.lever_id,
        source=doc.source,
        as_of=doc.as_of,
    )


def chunk_documents(docs: list[Document], max_chars: int = 700) -> list[Chunk]:
    return [c for d in docs for c in chunk_document(d, max_chars=max_chars)]
