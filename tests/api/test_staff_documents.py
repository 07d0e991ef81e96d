"""Staff document uploads and re-indexing: validation, all-or-nothing storage, live swap, safe failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.keys import create_key
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index, current_build
from tests.retrieval.test_loading import minimal_pdf

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
LIMIT = 4096


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """An API over a private copy of the tiny knowledge base, with a small upload limit, and its keys."""
    root = tmp_path_factory.mktemp("docs")
    knowledge = root / "knowledge"
    shutil.copytree(FIXTURE, knowledge)
    build_index(build_chunks(load_catalogue(knowledge), knowledge)[0], root / "data" / "index", None)
    settings = Settings(knowledge_dir=knowledge, data_dir=root / "data", embedding_model="none", max_upload_bytes=LIMIT)
    with TestClient(create_app(settings)) as client:
        with client.app.state.sessions() as s:
            keys = {
                "read": {"Authorization": f"Bearer {create_key(s, 'read', 'r')}"},
                "admin": {"Authorization": f"Bearer {create_key(s, 'admin', 'a')}"},
            }
        yield client, keys, root


def _stored(root: Path) -> list[str]:
    folder = root / "data" / "documents"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    ("files", "status", "named"),
    [
        ([("files", ("run.exe", b"MZ...", "application/octet-stream"))], 415, "run.exe"),
        ([("files", ("vide.md", b"", "text/markdown"))], 422, "vide.md"),
        ([("files", ("latin.txt", "Évaluation clinique".encode("latin-1"), "text/plain"))], 422, "latin.txt"),
        ([("files", ("fake.pdf", b"not a pdf at all", "application/pdf"))], 422, "fake.pdf"),
        ([("files", ("big.md", b"# Titre\n" + b"a" * LIMIT, "text/markdown"))], 413, "big.md"),
        (
            [
                ("files", ("good.md", b"# Bon document\n\nUn texte valable.", "text/markdown")),
                ("files", ("bad.html", b"", "text/html")),
            ],
            422,
            "bad.html",
        ),
    ],
)
def test_bad_uploads_refused_and_nothing_stored(env, files, status, named) -> None:
    """Each bad file gets a 4xx naming it, and no file of the request is stored."""
    client, keys, root = env
    before = _stored(root)
    r = client.post("/staff/documents", files=files, headers=keys["admin"])
    assert r.status_code == status and named in r.json()["detail"]
    assert _stored(root) == before


def test_upload_limits_and_scope(env) -> None:
    """A body far over the limit is refused at the edge; a read key cannot upload; no file is a 422."""
    client, keys, root = env
    huge = [("files", ("huge.md", b"a" * (LIMIT + 2 * 1024 * 1024), "text/markdown"))]
    assert client.post("/staff/documents", files=huge, headers=keys["admin"]).status_code == 413
    ok = [("files", ("x.md", b"# X\n\ntexte", "text/markdown"))]
    assert client.post("/staff/documents", files=ok, headers=keys["read"]).status_code == 403
    assert client.post("/staff/documents", headers=keys["admin"]).status_code == 422
    assert "x.md" not in _stored(root)


def test_upload_then_reindex_serves_the_new_document(env) -> None:
    """Uploaded .md and .pdf (names made safe) are searchable once re-indexed; the live brain is swapped."""
    client, keys, root = env
    files = [
        (
            "files",
            (
                "../../Zorglub notes.md",
                "# Programme Zorglub\n\nLe programme Zorglub finance la télésurveillance.".encode(),
                "text/markdown",
            ),
        ),
        ("files", ("annexe.pdf", minimal_pdf("Programme Quibble pour la sante numerique"), "application/pdf")),
    ]
    r = client.post("/staff/documents", files=files, headers=keys["admin"])
    assert r.status_code == 201, r.text
    assert [d["name"] for d in r.json()["documents"]] == ["Zorglub-notes.md", "annexe.pdf"]
    assert _stored(root) == ["Zorglub-notes.md", "annexe.pdf"]
    listed = client.get("/staff/documents", headers=keys["read"]).json()["documents"]
    assert [d["name"] for d in listed] == ["Zorglub-notes.md", "annexe.pdf"]
    assert not any("Zorglub" in h["text"] for h in client.post("/search", json={"query": "Zorglub"}).json()["results"])
    old = client.app.state.brain
    r = client.post("/staff/reindex", headers=keys["admin"])
    assert r.status_code == 200 and r.json()["status"] == "rebuilt", r.text
    assert client.app.state.brain is not old
    hits = client.post("/search", json={"query": "Zorglub télésurveillance"}).json()["results"]
    assert hits and "Zorglub" in hits[0]["text"]
    assert any("Quibble" in h["text"] for h in client.post("/search", json={"query": "Quibble"}).json()["results"])
    again = client.post("/staff/reindex", headers=keys["admin"]).json()
    assert again["status"] == "unchanged" and again["chunks"] == r.json()["chunks"]


def test_failed_reindex_keeps_the_old_index_serving(env) -> None:
    """A broken knowledge base makes re-indexing fail with a 4xx; the served index and CURRENT stay as they were."""
    client, keys, root = env
    lever = next((root / "knowledge" / "levers").glob("*.yaml"))
    saved = lever.read_text(encoding="utf-8")
    pointer = current_build(root / "data" / "index")
    brain = client.app.state.brain
    try:
        lever.write_text("id: [unclosed\n", encoding="utf-8")
        r = client.post("/staff/reindex?force=true", headers=keys["admin"])
        assert r.status_code == 422 and "previous index keeps serving" in r.json()["detail"]
    finally:
        lever.write_text(saved, encoding="utf-8")
    assert client.app.state.brain is brain and current_build(root / "data" / "index") == pointer
    assert client.post("/search", json={"query": "budget formation"}).json()["results"]
    assert client.post("/staff/reindex", headers=keys["read"]).status_code == 403


def test_delete_uploaded_document(env) -> None:
    """An uploaded document can be removed by its stored name; unknown or unsafe names are 404."""
    client, keys, root = env
    client.post(
        "/staff/documents", files=[("files", ("tmp.txt", b"Texte temporaire.", "text/plain"))], headers=keys["admin"]
    )
    assert "tmp.txt" in _stored(root)
    assert client.delete("/staff/documents/tmp.txt", headers=keys["admin"]).status_code == 200
    assert "tmp.txt" not in _stored(root)
    assert client.delete("/staff/documents/..%2Fguichet.db", headers=keys["admin"]).status_code == 404
