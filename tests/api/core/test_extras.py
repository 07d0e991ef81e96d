"""Documents from outside knowledge/: never an official id, never an official source's citation."""

from __future__ import annotations

from pathlib import Path

from api.core.corpus import CITATION
from api.core.extras import outside_chunks, plain_references


def test_references_to_official_sources_become_plain_text() -> None:
    """Every form the answerer reads as a citation ([s001], [s001, date]) is kept readable but never matches it."""
    text, n = plain_references("Un fait. [s001, 2021-10-20] Un autre. [s004] Rien [note] ni [S012 , 01/02/2024].")
    assert n == 3 and not CITATION.search(text)
    assert "(s001, 2021-10-20)" in text and "[note]" in text


def test_a_taken_id_is_skipped_and_a_claim_reported(tmp_path: Path) -> None:
    """A document whose own id the knowledge base already uses is left out with a reason; one whose front matter
    names a knowledge base id is indexed under its own and reported; their chunks name no lever."""
    (tmp_path / "claim.md").write_text("---\nid: lever-grant\nlang: fr\n---\nUn texte assez long. [s001]\n")
    (tmp_path / "taken.md").write_text("Un texte en français, assez long pour être lu.\n")
    chunks, skipped, collisions = outside_chunks(tmp_path, "upload", {"lever-grant.fr", "upload-taken.md.fr"}, 700)
    assert [s.path.rsplit("/", 1)[-1] for s in skipped] == ["taken.md"] and "upload-taken.md.fr" in skipped[0].reason
    assert {c.doc_id for c in chunks} == {"upload-claim.md.fr"}
    assert all(c.lever_id is None and c.kind == "passage" and not CITATION.search(c.text) for c in chunks)
    reasons = " ".join(c.reason for c in collisions)
    assert "lever-grant.fr" in reasons and "upload-claim.md.fr" in reasons and "s001" in reasons
