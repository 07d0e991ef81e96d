"""Tests for retrieval.chunking: sections, sentence splitting, merging, list items, ids and metadata."""

from __future__ import annotations

import re

from retrieval.chunking import chunk_document, chunk_documents
from retrieval.models import Document

SENTENCE = "Sentence {i} explains how clinical trials are funded by the public bank."
LONG_PARAGRAPH = " ".join(SENTENCE.format(i=i) for i in range(20))

TEXT = f"""Preamble before any heading, short.

# Funding

First short paragraph.

Second short paragraph.

Third short paragraph.

## Trials

{LONG_PARAGRAPH}

## Steps

- Prepare the application file
- Submit it online
1. Wait for the committee
2) Answer its questions

# Last section

A closing paragraph.
"""


def _doc(text: str = TEXT, **kw) -> Document:
    """A Document with full metadata around the given text."""
    fields = dict(
        id="guide.en",
        lang="en",
        title="Funding guide",
        text=text,
        kind="passage",
        lever_id="grant",
        source="Ministry of Health, 2024",
        as_of="2024-05-01",
    )
    fields.update(kw)
    return Document(**fields)


def _section_of(text: str, snippet: str) -> str:
    """The heading under which a snippet appears in the source text ("" before the first heading)."""
    heading = ""
    for line in text.splitlines():
        m = re.match(r"^#{1,6}\s+(.*)$", line.strip())
        if m:
            heading = m.group(1).strip()
        elif snippet in line:
            return heading
    raise AssertionError(f"{snippet!r} not in text")


def test_chunks_never_cross_sections():
    """Every chunk's text comes from the section named in its section field, and nowhere else."""
    chunks = chunk_document(_doc(), max_chars=300, min_chars=120)
    for c in chunks:
        for line in c.text.split("\n"):
            first_sentence = re.split(r"(?<=[.!?;])\s+", line)[0]
            assert _section_of(TEXT, first_sentence) == c.section, (c.id, line)
    assert [c.section for c in chunks][0] == ""
    assert {c.section for c in chunks} == {"", "Funding", "Trials", "Steps", "Last section"}


def test_short_paragraphs_do_not_merge_across_sections():
    """Short paragraphs at the end of one section are not merged with the next section's text."""
    chunks = chunk_document(_doc(), max_chars=700, min_chars=500)
    preamble = [c for c in chunks if c.section == ""]
    assert [c.text for c in preamble] == ["Preamble before any heading, short."]
    last = [c for c in chunks if c.section == "Last section"]
    assert [c.text for c in last] == ["A closing paragraph."]


def test_long_paragraph_split_at_sentence_ends_under_max_chars():
    """A paragraph longer than max_chars becomes several chunks, each under max_chars and ending a sentence."""
    max_chars = 300
    chunks = [c for c in chunk_document(_doc(), max_chars=max_chars, min_chars=120) if c.section == "Trials"]
    assert len(chunks) >= len(LONG_PARAGRAPH) // max_chars
    for c in chunks:
        assert len(c.text) <= max_chars
        assert c.text.endswith("public bank.")
        assert c.text.startswith("Sentence ")
    assert " ".join(c.text for c in chunks) == LONG_PARAGRAPH


def test_short_paragraphs_are_merged():
    """Paragraphs shorter than min_chars join the following ones within their section."""
    chunks = [c for c in chunk_document(_doc(), max_chars=700, min_chars=160) if c.section == "Funding"]
    assert len(chunks) == 1
    assert chunks[0].text == "First short paragraph.\nSecond short paragraph.\nThird short paragraph."


def test_merge_stops_once_min_chars_is_reached():
    """A merged chunk is closed as soon as it reaches min_chars, so later paragraphs start a new one."""
    chunks = [c for c in chunk_document(_doc(), max_chars=700, min_chars=40) if c.section == "Funding"]
    assert [c.text for c in chunks] == [
        "First short paragraph.\nSecond short paragraph.",
        "Third short paragraph.",
    ]


def test_list_items_are_kept():
    """Bulleted and numbered list items are kept verbatim, each on its own line."""
    chunks = [c for c in chunk_document(_doc(), max_chars=700, min_chars=160) if c.section == "Steps"]
    lines = "\n".join(c.text for c in chunks).split("\n")
    assert lines == [
        "- Prepare the application file",
        "- Submit it online",
        "1. Wait for the committee",
        "2) Answer its questions",
    ]


def test_list_items_are_separate_paragraphs():
    """With a small min_chars each list item is a chunk of its own rather than glued to its neighbour."""
    chunks = [c for c in chunk_document(_doc(), max_chars=700, min_chars=10) if c.section == "Steps"]
    assert [c.text for c in chunks] == [
        "- Prepare the application file",
        "- Submit it online",
        "1. Wait for the committee",
        "2) Answer its questions",
    ]


def test_chunk_ids_are_sequential_per_document():
    """Chunk ids are "{doc_id}#0000", "#0001", ... in document order."""
    chunks = chunk_document(_doc(), max_chars=300, min_chars=120)
    assert [c.id for c in chunks] == [f"guide.en#{n:04d}" for n in range(len(chunks))]
    assert all(c.doc_id == "guide.en" for c in chunks)


def test_chunks_inherit_document_metadata():
    """Each chunk carries its document's title, lang, kind, lever_id, source and as_of."""
    doc = _doc(kind="example", lang="fr", id="guide.fr")
    chunks = chunk_document(doc, max_chars=300, min_chars=120)
    assert chunks
    for c in chunks:
        assert (c.title, c.lang, c.kind, c.lever_id, c.source, c.as_of) == (
            "Funding guide",
            "fr",
            "example",
            "grant",
            "Ministry of Health, 2024",
            "2024-05-01",
        )


def test_empty_sections_produce_no_chunks():
    """A heading with no text under it, or blank text, gives no chunk."""
    assert chunk_document(_doc(text="# Only a heading\n\n## Another\n\n")) == []
    assert chunk_document(_doc(text="   \n\n")) == []


def test_lines_of_a_paragraph_are_joined():
    """Hard-wrapped lines of one paragraph become one line of text."""
    chunks = chunk_document(_doc(text="# H\n\nA paragraph wrapped\nover two lines.\n"))
    assert [c.text for c in chunks] == ["A paragraph wrapped over two lines."]


def test_chunk_documents_concatenates_in_order():
    """chunk_documents chunks each document in turn, with ids restarting per document."""
    docs = [_doc(id="a.en", text="# A\n\nAlpha text."), _doc(id="b.en", text="# B\n\nBeta text.")]
    chunks = chunk_documents(docs)
    assert [(c.id, c.section, c.text) for c in chunks] == [
        ("a.en#0000", "A", "Alpha text."),
        ("b.en#0000", "B", "Beta text."),
    ]
