"""Tests for retrieval.loading: each supported format read into a Document, every bad file skipped with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from retrieval.loading import (
    MAX_BYTES,
    Skipped,
    UnreadableDocument,
    read_document,
    read_folder,
    read_outside,
    split_front_matter,
)

MARKDOWN = """---
id: strategie-sante
lang: fr
title: Stratégie d'accélération santé numérique
sources:
  - Ministère de la Santé
  - Bpifrance
as_of: 2024-05-01
---
# Financement

La stratégie mobilise des fonds pour les jeunes entreprises.
"""

TEXT_EN = """Clinical trials of medical devices

The sponsor of a clinical investigation must obtain the approval of an ethics committee
before the first patient is included. This is how the process works in France.
"""

HTML = """<!DOCTYPE html>
<html><head><title>Guide des aides</title>
<script>var tracking = "SECRET_SCRIPT_TEXT";</script>
<style>body { color: red; }</style></head>
<body><nav>Menu navigation</nav>
<h1>Les aides à l'innovation</h1>
<p>Les entreprises de santé numérique peuvent demander une subvention pour leur projet.</p>
<ul><li>Dépôt en ligne</li><li>Réponse sous deux mois</li></ul>
<footer>Mentions légales</footer>
</body></html>
"""


def minimal_pdf(text: str, title: str | None = None) -> bytes:
    """A one-page PDF written by hand: a Helvetica text stream "BT /F1 24 Tf 100 700 Td (text) Tj ET"."""
    stream = f"BT /F1 24 Tf 100 700 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title is not None:
        objects.append(f"<< /Title ({title}) >>".encode("latin-1"))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info = b" /Info 6 0 R" if title is not None else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


def blank_pdf(path: Path) -> None:
    """A valid PDF with one empty page, written with pypdf."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with path.open("wb") as f:
        writer.write(f)


def test_minimal_pdf_helper_is_a_real_pdf(tmp_path):
    """The hand-written PDF parses with pypdf and its text is extractable (guards the fixtures below)."""
    path = tmp_path / "hello.pdf"
    path.write_bytes(minimal_pdf("Hello World", title="Greeting"))
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    assert reader.pages[0].extract_text().strip() == "Hello World"
    assert reader.metadata.title == "Greeting"


def test_markdown_front_matter_fills_document(tmp_path):
    """Front matter id, lang, title, sources and as_of become the Document's fields; the body is the text."""
    path = tmp_path / "strategie.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = read_document(path, tmp_path)
    assert doc.id == "strategie-sante.fr"
    assert doc.lang == "fr"
    assert doc.title == "Stratégie d'accélération santé numérique"
    assert doc.source == "Ministère de la Santé, Bpifrance"
    assert doc.as_of == "2024-05-01"
    assert doc.kind == "passage"
    assert doc.path == str(path)
    assert doc.text.startswith("# Financement")
    assert "---" not in doc.text and "sources" not in doc.text


def test_txt_without_front_matter_detects_lang_and_ids_from_file_name(tmp_path):
    """Plain text gets its lang detected, its id from the relative file name and its source from the path."""
    sub = tmp_path / "guides"
    sub.mkdir()
    path = sub / "Clinical Trials.txt"
    path.write_text(TEXT_EN, encoding="utf-8")
    doc = read_document(path, tmp_path)
    assert doc.lang == "en"
    assert doc.id == "guides-clinical-trials.en"
    assert doc.title == "Clinical Trials"
    assert doc.source == str(Path("guides") / "Clinical Trials.txt")
    assert doc.as_of is None
    assert "ethics committee" in doc.text


def test_markdown_title_from_first_heading(tmp_path):
    """Without a title in front matter, the first Markdown heading is the title."""
    path = tmp_path / "note.md"
    path.write_text("# Le remboursement des dispositifs\n\nLa prise en charge dépend de l'évaluation.\n", "utf-8")
    doc = read_document(path, tmp_path)
    assert doc.title == "Le remboursement des dispositifs"
    assert doc.lang == "fr"


def test_utf8_bom_is_accepted(tmp_path):
    """A UTF-8 file with a byte-order mark reads like one without."""
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff".encode() + MARKDOWN.encode("utf-8"))
    assert read_document(path, tmp_path).id == "strategie-sante.fr"


def test_html_drops_scripts_and_reads_title(tmp_path):
    """HTML gives the <title>, the text of headings, paragraphs and list items, and nothing from scripts or chrome."""
    path = tmp_path / "aides.html"
    path.write_text(HTML, encoding="utf-8")
    doc = read_document(path, tmp_path)
    assert doc.title == "Guide des aides"
    assert doc.lang == "fr"
    assert "subvention" in doc.text
    assert "Dépôt en ligne" in doc.text
    for absent in ("SECRET_SCRIPT_TEXT", "color: red", "Menu navigation", "Mentions légales"):
        assert absent not in doc.text


def test_pdf_text_and_title(tmp_path):
    """A real PDF with a text stream gives its text and its metadata title."""
    path = tmp_path / "essais.pdf"
    path.write_bytes(minimal_pdf("Clinical trials need an ethics committee approval", title="Trials guide"))
    doc = read_document(path, tmp_path)
    assert doc.text == "Clinical trials need an ethics committee approval"
    assert doc.title == "Trials guide"
    assert doc.lang == "en"
    assert doc.id == "essais.en"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "empty file"),
        ("latin1.txt", b"\xff\xfe\xfa caf\xe9 au lait", "not UTF-8"),
        ("fake.pdf", b"This is plain text with a .pdf name.\n", "not a PDF"),
        ("actually-pdf.txt", None, "holds PDF"),
        ("page.txt", b"<html><body>hello</body></html>", "holds HTML"),
        ("report.docx", b"PK\x03\x04 not really a docx", "unsupported file type .docx"),
        ("binary.txt", b"abc\x00\x01\x02def", "binary content"),
        ("open.md", b"---\ntitle: never closed\nbody text\n", "never closed"),
        ("badyaml.md", b"---\ntitle: [unclosed\n---\nbody\n", "not valid YAML"),
        ("badlang.md", b"---\nlang: de\n---\nGuten Tag\n", "not fr or en"),
    ],
)
def test_read_document_refuses_with_reason(tmp_path, name, content, reason):
    """Each unusable file raises UnreadableDocument whose message says why."""
    path = tmp_path / name
    path.write_bytes(minimal_pdf("Hello") if content is None else content)
    with pytest.raises(UnreadableDocument, match=reason):
        read_document(path, tmp_path)


def test_front_matter_must_be_a_mapping():
    """Front matter that is YAML but not a mapping is refused; no front matter gives {}."""
    with pytest.raises(UnreadableDocument, match="not a mapping"):
        split_front_matter("---\n- a\n- b\n---\nbody")
    assert split_front_matter("body only") == ({}, "body only")


@pytest.fixture
def messy_folder(tmp_path) -> Path:
    """A folder with four good documents and nine bad files of every kind."""
    root = tmp_path / "docs"
    (root / "fr").mkdir(parents=True)
    (root / "fr" / "strategie.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "trials.txt").write_text(TEXT_EN, encoding="utf-8")
    (root / "aides.html").write_text(HTML, encoding="utf-8")
    (root / "hello.pdf").write_bytes(minimal_pdf("Hello World from the digital health desk"))
    # bad ones
    blank_pdf(root / "blank.pdf")
    (root / "empty.txt").write_bytes(b"")
    (root / "latin1.txt").write_bytes(b"\xff\xfe\xfa\xe9t\xe9 sant\xe9")
    (root / "mislabelled.pdf").write_text("I am text pretending to be a PDF.", encoding="utf-8")
    (root / "really-pdf.txt").write_bytes(minimal_pdf("Hidden PDF"))
    (root / "report.docx").write_bytes(b"PK\x03\x04 a zip container")
    with (root / "huge.txt").open("wb") as f:
        f.truncate(21 * 1024 * 1024)  # sparse: over the limit without writing 21 MB
    (root / "whitespace.md").write_text("   \n\n\t\n", encoding="utf-8")
    (root / "fr" / "open.md").write_text("---\ntitle: never closed\n", encoding="utf-8")
    (root / ".hidden.md").write_text("# Hidden\n\nNot to be read.\n", encoding="utf-8")
    return root


def test_read_folder_keeps_good_files_and_skips_bad_ones_with_reasons(messy_folder):
    """read_folder returns every readable document and one Skipped per bad file, naming it with a reason."""
    docs, skipped = read_folder(messy_folder)
    assert sorted(d.id for d in docs) == ["aides.fr", "hello.en", "strategie-sante.fr", "trials.en"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert all(isinstance(s, Skipped) for s in skipped)
    assert set(reasons) == {
        "blank.pdf",
        "empty.txt",
        "latin1.txt",
        "mislabelled.pdf",
        "really-pdf.txt",
        "report.docx",
        "huge.txt",
        "whitespace.md",
        "open.md",
    }
    expected = {
        "blank.pdf": "no text",
        "empty.txt": "empty file",
        "latin1.txt": "not UTF-8",
        "mislabelled.pdf": "not a PDF",
        "really-pdf.txt": "holds PDF",
        "report.docx": "unsupported file type .docx",
        "huge.txt": "over the 20 MiB limit",
        "whitespace.md": "no text",
        "open.md": "never closed",
    }
    for name, fragment in expected.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert {s.path for s in skipped} <= {str(p) for p in messy_folder.rglob("*")}


def test_read_folder_ignores_hidden_files(messy_folder):
    """Dot files are neither read nor reported."""
    docs, skipped = read_folder(messy_folder)
    assert not any(".hidden" in (d.path or "") for d in docs)
    assert not any(".hidden" in s.path for s in skipped)


def test_huge_file_is_refused_before_reading(messy_folder, monkeypatch):
    """The size limit is checked from the file's size, without reading its bytes."""
    assert (messy_folder / "huge.txt").stat().st_size > MAX_BYTES

    def no_read(self):
        raise AssertionError(f"read {self}")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    with pytest.raises(UnreadableDocument, match=r"MiB is over the 20 MiB limit"):
        read_document(messy_folder / "huge.txt", messy_folder)


def test_read_folder_on_a_single_file(tmp_path):
    """Given a file instead of a folder, read_folder reads just that file."""
    path = tmp_path / "trials.txt"
    path.write_text(TEXT_EN, encoding="utf-8")
    docs, skipped = read_folder(path)
    assert [d.id for d in docs] == ["trials.en"]
    assert skipped == []


def test_outside_documents_are_named_by_their_path_never_their_front_matter(tmp_path):
    """read_outside gives ok.md, ok.txt, ok.pdf and sub/ok.md four ids in the namespace, ignores a front matter
    id (returned as the claim, to report) and keeps '#' out of ids, which chunk ids split on."""
    (tmp_path / "ok.md").write_text("---\nid: lever-grant\nlang: fr\n---\nUn texte en français.\n")
    (tmp_path / "ok.txt").write_text("Un autre texte en français pour le guichet.\n")
    (tmp_path / "ok.pdf").write_bytes(minimal_pdf("Un document PDF en francais"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "ok.md").write_text("Encore un texte en français.\n")
    (tmp_path / "a b#c.md").write_text("Un nom étrange pour un texte en français.\n")
    pairs, skipped = read_outside(tmp_path, "upload")
    assert skipped == []
    ids = {doc.path.rsplit("/", 1)[-1] if "sub" not in doc.path else "sub/ok.md": doc.id for doc, _ in pairs}
    assert ids["ok.md"] == "upload-ok.md.fr" and ids["ok.txt"] == "upload-ok.txt.fr"
    assert ids["ok.pdf"].startswith("upload-ok.pdf.") and ids["sub/ok.md"] == "upload-sub/ok.md.fr"
    assert len(set(ids.values())) == 5 and not any("#" in i for i in ids.values())
    claims = {doc.id: claimed for doc, claimed in pairs}
    assert claims["upload-ok.md.fr"] == "lever-grant.fr"

