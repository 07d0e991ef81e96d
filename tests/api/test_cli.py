"""The `guichet` command as outside tools call it: index, batch search and route, ask, check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"


def run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from api.cli import main; main()", *args]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if check and res.returncode != 0:
        raise AssertionError(f"{args} exited {res.returncode}: {res.stderr[-2000:]}")
    return res


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("cli-data")
    e = {
        **os.environ,
        "GUICHET_KNOWLEDGE_DIR": str(FIXTURE),
        "GUICHET_DATA_DIR": str(data),
        "GUICHET_EMBEDDING_MODEL": "none",
    }
    run(e, "index")
    return e


def test_index_is_kept_when_unchanged_and_says_lexical(env: dict) -> None:
    """A second build of the same corpus keeps the index and says dense search is off."""
    res = run(env, "index")
    assert "unchanged, kept" in res.stderr and "Dense search is OFF" in res.stderr


def test_batch_route_contract(env: dict, tmp_path: Path) -> None:
    """route --jsonl prints exactly one JSON line per input with id, in_scope, levers and ms."""
    f = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "Notre start-up cherche un financement pour son logiciel"},
        {"id": "b", "text": "Une recette de crêpes ?"},
    ]
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    out = [json.loads(line) for line in run(env, "route", "--jsonl", str(f)).stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b"]
    assert out[0]["in_scope"] and out[0]["levers"][0]["id"] == "grant" and out[0]["ms"] >= 0
    assert out[1]["in_scope"] is False


def test_batch_search_contract(env: dict, tmp_path: Path) -> None:
    """search --jsonl prints results with text, score, doc_id, title and lever_id, nothing else on stdout."""
    f = tmp_path / "q.jsonl"
    f.write_text(json.dumps({"id": "q1", "text": "budget de la formation"}) + "\n", encoding="utf-8")
    stdout = run(env, "search", "--jsonl", str(f), "--k", "3").stdout
    (obj,) = [json.loads(line) for line in stdout.splitlines()]
    assert obj["id"] == "q1" and len(obj["results"]) <= 3
    assert {"text", "score", "doc_id", "title", "lever_id"} <= set(obj["results"][0])
    assert "81" in obj["results"][0]["text"]


def test_bad_batch_file_is_a_clear_error(env: dict, tmp_path: Path) -> None:
    """A batch line that is not JSON fails with its line number, not a traceback."""
    f = tmp_path / "bad.jsonl"
    f.write_text('{"id": "1", "text": "ok"}\nnot json\n', encoding="utf-8")
    res = run(env, "route", "--jsonl", str(f), check=False)
    assert res.returncode == 2 and "bad.jsonl:2" in res.stderr and "Traceback" not in res.stderr


def test_batch_ask_contract(env: dict, tmp_path: Path) -> None:
    """ask --jsonl prints one line per question: id, answer, numbered citations, levers, found, ms; nothing else."""
    f = tmp_path / "a.jsonl"
    lines = [
        {"id": "a1", "text": "Depuis quand la télésurveillance est-elle remboursée ?"},
        {"id": "a2", "text": "Quel est le prix de la licence de télésurveillance en Belgique ?", "lang": "fr"},
    ]
    f.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    out = [json.loads(line) for line in run(env, "ask", "--jsonl", str(f)).stdout.splitlines()]
    assert [o["id"] for o in out] == ["a1", "a2"]
    assert all({"answer", "citations", "levers", "found", "ms"} <= set(o) for o in out)
    first = out[0]["citations"][0]
    assert out[0]["found"] and first["n"] == 1 and {"url", "date", "title"} <= set(first)
    assert out[1]["found"] is False and out[1]["answer"].startswith("Je ne sais pas")


def test_ask_json(env: dict) -> None:
    """ask --json gives the answer, its citations and in_scope."""
    obj = json.loads(run(env, "ask", "Quel budget pour la formation ?", "--json").stdout)
    assert obj["in_scope"] and "81" in obj["answer"] and obj["citations"]


def test_check_lists_overdue_records(env: dict) -> None:
    """check exits 0 before review dates and 1, listing records, after them."""
    assert run(env, "check", "--today", "2027-01-01").returncode == 0
    res = run(env, "check", "--today", "2028-01-01", check=False)
    assert res.returncode == 1 and "lever grant" in res.stdout and "document" in res.stdout


def test_check_lists_what_lapsed_on_purpose_without_failing(env: dict) -> None:
    """A past target said in the past is listed "on purpose" and does not make check fail; errors come first."""
    ok = run(env, "check", "--today", "2026-12-06")
    assert ok.returncode == 0 and "on purpose" in ok.stdout and "remote-monitoring" in ok.stdout
    assert "0 to fix" in ok.stderr
    late = run(env, "check", "--today", "2028-01-01", check=False).stdout.splitlines()
    assert late[0].startswith("WRONG") and late[-1].startswith("on purpose")


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    """Searching before any build says to run `guichet index`."""
    e = {
        **os.environ,
        "GUICHET_KNOWLEDGE_DIR": str(FIXTURE),
        "GUICHET_DATA_DIR": str(tmp_path),
        "GUICHET_EMBEDDING_MODEL": "none",
    }
    res = run(e, "search", "formation", check=False)
    assert res.returncode == 2 and "guichet index" in res.stderr


def test_index_with_extra_documents_skips_bad_files(tmp_path: Path) -> None:
    """--docs ingests good files, names each skipped one with its reason, and the build goes on."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "note.md").write_text("# Cybersécurité\n\nLes hôpitaux renforcent la cybersécurité en 2024.\n")
    (docs / "empty.txt").write_text("")
    (docs / "fake.pdf").write_text("this is not a pdf")
    (docs / "latin1.txt").write_bytes("Donn\xe9es de sant\xe9".encode("latin-1"))
    e = {
        **os.environ,
        "GUICHET_KNOWLEDGE_DIR": str(FIXTURE),
        "GUICHET_DATA_DIR": str(tmp_path / "data"),
        "GUICHET_EMBEDDING_MODEL": "none",
    }
    res = run(e, "index", "--docs", str(docs))
    for name in ("empty.txt", "fake.pdf", "latin1.txt"):
        assert name in res.stderr
    assert "3 file(s) skipped" in res.stderr
    hit = json.loads(run(e, "search", "cybersécurité hôpitaux", "--json").stdout)["results"][0]
    assert "cybersécurité" in hit["text"]


def test_keys_create_list_revoke(env: dict) -> None:
    """keys create prints a key once; list shows its prefix and scope, never the secret; revoke works."""
    key = run(env, "keys", "create", "--scope", "admin", "--name", "ops").stdout.strip()
    prefix = key.split("_")[1]
    listed = run(env, "keys", "list").stdout
    assert prefix in listed and "admin" in listed and key not in listed
    assert run(env, "keys", "revoke", prefix).returncode == 0
    assert "revoked" in run(env, "keys", "list").stdout
    assert run(env, "keys", "create", "--scope", "root", check=False).returncode == 2
