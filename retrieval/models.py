"""Small frozen value types passed between the retrieval stages."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """A text to index, with the metadata every chunk of it inherits."""

    id: str
    lang: str
    title: str
    text: str
    kind: str = "passage"  # "passage" is searchable; "example" serves lever routing only
    lever_id: str | None = None
    source: str = ""  # human-readable provenance: title, publisher, date
    as_of: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Chunk:
    """A retrievable piece of a document; id is "{doc_id}#{n:04d}"."""

    id: str
    doc_id: str
    lang: str
    kind: str
    title: str
    section: str
    text: str
    lever_id: str | None = None
    source: str = ""
    as_of: str | None = None

    def indexed_text(self) -> str:
        """What the lexical and dense indexes see: the body with its title and section for context."""
        head = " — ".join(p for p in (self.title, self.section) if p)
        return f"{head}\n{self.text}" if head else self.text

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Hit:
    """A chunk found by a search, with its fused score and the rank it had in each ranking."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        c = self.chunk
        return {
            "text": c.text,
            "score": round(self.score, 6),
            "doc_id": c.doc_id,
            "chunk_id": c.id,
            "title": c.title,
            "section": c.section,
            "lever_id": c.lever_id,
            "lang": c.lang,
            "source": c.source,
            "as_of": c.as_of,
        }
