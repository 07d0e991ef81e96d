"""The `guichet` command: build the index, search, route, ask, check the knowledge base."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from retrieval.index import IndexUnavailable

from .core.brain import Brain, build_brain, embedder_from_settings
from .core.catalogue import CatalogueError, load_catalogue
from .core.indexing import rebuild
from .settings import Settings, get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
log = logging.getLogger("guichet")


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("sentence_transformers", "transformers", "httpx", "bm25s", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _brain(settings: Settings) -> Brain:
    embedder, reason = embedder_from_settings(settings)
    notes = [] if reason == "ok" else [reason]
    try:
        brain = build_brain(
            settings.knowledge_dir,
            settings.resolved_index_dir(),
            embedder,
            settings.fusion(),
            notes,
            settings.retention_days,
        )
    except (IndexUnavailable, CatalogueError) as exc:
        _fail(str(exc))
    for note in brain.notes:
        log.warning(note)
    return brain


def _read_jsonl(path: Path) -> list[dict]:
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read {path}: {exc}")
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            _fail(f"{path}:{n}: not JSON ({exc.msg})")
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            _fail(f"{path}:{n}: expected an object with a string 'text'")
        items.append({"id": obj.get("id", str(n)), "text": obj["text"], "lang": obj.get("lang")})
    return items


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _batch(path: Path, answer: Callable[[Brain, dict], dict]) -> None:
    """One JSON line out per {id, text} line in, with the time the query took inside the process (ms)."""
    items = _read_jsonl(path)
    brain = _brain(get_settings())
    for it in items:
        t0 = time.perf_counter()
        out = answer(brain, it)
        _emit({"id": it["id"], **out, "ms": round((time.perf_counter() - t0) * 1000, 2)})


def _routed(brain: Brain, it: dict) -> dict:
    res = brain.route(it["text"], lang=it["lang"])
    return {"in_scope": res["in_scope"], "levers": [{"id": lv["id"], "score": lv["score"]} for lv in res["levers"]]}


@app.command()
def index(
    docs: Annotated[Path | None, typer.Option(help="An extra folder of .md/.txt/.html/.pdf documents")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if the corpus is unchanged")] = False,
) -> None:
    """(Re)build the retrieval index from knowledge/ (plus extra documents), atomically."""
    _setup_logging()
    s = get_settings()
    if docs is not None and not docs.exists():
        _fail(f"--docs {docs}: no such file or folder")
    t0 = time.perf_counter()
    # The ONNX export of the query encoder is made here too, before any server starts (a
    # uvicorn worker busy exporting for seconds can miss its supervisor's pings and be restarted).
    embedder, reason = embedder_from_settings(s)
    if reason != "ok":
        log.warning(reason)
    try:
        built = rebuild(
            s.knowledge_dir, s.resolved_index_dir(), s.data_dir, embedder, s.chunk_max_chars, extra=docs, force=force
        )
    except (CatalogueError, IndexUnavailable) as exc:
        _fail(str(exc))
    for sk in built.skipped:
        log.warning("skipped %s: %s", sk.path, sk.reason)
    path, manifest, rebuilt, skipped = built.path, built.manifest, built.rebuilt, built.skipped
    state = "built" if rebuilt else "unchanged, kept"
    typer.echo(
        f"index {state}: {manifest['chunk_count']} chunks, "
        f"{'model ' + manifest['model']['name'] if manifest['model'] else 'lexical only'}, "
        f"{len(skipped)} file(s) skipped, {time.perf_counter() - t0:.1f}s -> {path}",
        err=True,
    )


@app.command()
def search(
    query: Annotated[str | None, typer.Argument()] = None,
    k: Annotated[int, typer.Option(min=1, max=100)] = 5,
    lang: Annotated[str | None, typer.Option(help="fr or en; detected when absent")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    jsonl: Annotated[Path | None, typer.Option(help="Batch: one {id, text} JSON line per query")] = None,
) -> None:
    """Hybrid search over the knowledge base."""
    _setup_logging()
    if query is None and jsonl is None:
        _fail("give a QUERY or --jsonl FILE")
    if jsonl:
        _batch(jsonl, lambda b, it: {"results": [h.to_dict() for h in b.search(it["text"], k, it["lang"] or lang)]})
        return
    brain = _brain(get_settings())
    hits = brain.search(query or "", k=k, lang=lang)
    if as_json:
        _emit({"query": query, "mode": brain.mode, "results": [h.to_dict() for h in hits]})
        return
    for i, h in enumerate(hits, start=1):
        c = h.chunk
        typer.echo(f"{i}. [{h.score:.4f}] {c.title} — {c.section} ({c.doc_id})\n   {c.text}\n   source: {c.source}\n")


@app.command()
def route(
    message: Annotated[str | None, typer.Argument()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    jsonl: Annotated[Path | None, typer.Option(help="Batch: one {id, text} JSON line per message")] = None,
) -> None:
    """Rank the levers for a founder's free-text message."""
    _setup_logging()
    if message is None and jsonl is None:
        _fail("give a MESSAGE or --jsonl FILE")
    if jsonl:
        _batch(jsonl, _routed)
        return
    res = _brain(get_settings()).route(message)
    if as_json:
        _emit(res)
        return
    if not res["in_scope"]:
        typer.echo(f"out of scope ({res['scope_reason']})")
        return
    for i, lv in enumerate(res["levers"], start=1):
        typer.echo(f"{i}. {lv['name']} [{lv['id']}] score {lv['score']}")
        for r in lv["reasons"]:
            typer.echo(f"   - {r}")
        for c in lv["criteria"]:
            typer.echo(f"   [{c['verdict']}] {c['name']}: {c['evidence']['text']} ({c['evidence']['source']})")
        if lv["next_steps"]:
            typer.echo(f"   next: {lv['next_steps'][0]}")
    typer.echo(f"still worth asking: {', '.join(res['missing']) or 'nothing'}")


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument()] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en; detected when absent")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    jsonl: Annotated[Path | None, typer.Option(help="Batch: one {id, text} JSON line per question")] = None,
) -> None:
    """Answer a question from the knowledge base, with citations."""
    _setup_logging()
    if question is None and jsonl is None:
        _fail("give a QUESTION or --jsonl FILE")
    if jsonl:
        keep = ("answer", "citations", "levers", "found", "in_scope", "lang", "fiche")
        _batch(jsonl, lambda b, it: {k: v for k, v in b.ask(it["text"], lang=it["lang"] or lang).items() if k in keep})
        return
    res = _brain(get_settings()).ask(question or "", lang=lang)
    if as_json:
        _emit(res)
        return
    typer.echo(res["answer"])
    for i, c in enumerate(res["citations"], start=1):
        typer.echo(f"[{i}] {c['title']} — {c['source']}")
    if res["levers"]:
        typer.echo(f"levers: {', '.join(res['levers'])}")


@app.command()
def check(
    today: Annotated[str | None, typer.Option(help="YYYY-MM-DD; default today")] = None,
) -> None:
    """Validate knowledge/ and list what has lapsed: records past review or validity, targets past due,
    past years written as ahead, calls shown as open on old news (exit 1 only for what is not on purpose)."""
    _setup_logging()
    s = get_settings()
    try:
        cat = load_catalogue(s.knowledge_dir)
        day = dt.date.fromisoformat(today) if today else dt.date.today()
    except (CatalogueError, ValueError) as exc:
        _fail(str(exc))
    from .core.lapsed import knowledge_lapses, report

    found = report(knowledge_lapses(cat, s.knowledge_dir / "documents", day))
    for x in found["lapses"]:
        mark = "on purpose" if x["on_purpose"] else "WRONG"
        record = x["record"].replace(":", " ", 1)  # "lever grant", "document fr/strategy-launch.md"
        typer.echo(f"{mark:10}  {x['kind']:14}  {record}  {x['field']}  {x['date']}  {x['detail']}")
    typer.echo(
        f"{len(cat.levers)} levers, {len(cat.fiches)} fiches valid; as of {day}: {found['wrong']} to fix, "
        f"{found['on_purpose']} lapsed on purpose",
        err=True,
    )
    raise typer.Exit(1 if found["wrong"] else 0)


keys_app = typer.Typer(help="Staff API keys (stored hashed; a key is shown once).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _db_session():
    from .db import make_engine, migrate, session_factory

    engine = make_engine(get_settings().resolved_database_url())
    migrate(engine)
    return session_factory(engine)()


@keys_app.command("create")
def keys_create(
    scope: Annotated[str, typer.Option(help="read or admin")] = "read",
    name: Annotated[str, typer.Option(help="Who or what the key is for")] = "staff",
) -> None:
    """Create a key and print it (once)."""
    from .keys import SCOPES, create_key

    if scope not in SCOPES:
        _fail(f"--scope must be one of {', '.join(SCOPES)}")
    with _db_session() as session:
        typer.echo(create_key(session, scope, name))


@keys_app.command("list")
def keys_list() -> None:
    """List keys by prefix, name, scope and state (never the secrets)."""
    from sqlalchemy import select

    from .models import ApiKey

    with _db_session() as session:
        for k in session.scalars(select(ApiKey).order_by(ApiKey.created_at)):
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            typer.echo(f"{k.prefix}  {k.scope:5}  {state:18}  {k.name}")


@keys_app.command("revoke")
def keys_revoke(prefix: str) -> None:
    """Revoke the key with this prefix."""
    from .keys import revoke

    with _db_session() as session:
        if not revoke(session, prefix):
            _fail(f"no active key with prefix {prefix}")
    typer.echo(f"revoked {prefix}")


@app.command()
def purge(
    days: Annotated[int | None, typer.Option(min=1, help="Retention in days; default GUICHET_RETENTION_DAYS")] = None,
    dry_run: Annotated[bool, typer.Option(help="Count what would go, delete nothing")] = False,
) -> None:
    """Delete conversations idle longer than the retention period, older feedback and closed hand-offs."""
    from .core.conversations import purge as purge_stores
    from .core.conversations import scrub
    from .core.rasa_store import StoreMismatch, has_events, tracker_engine

    _setup_logging()
    s = get_settings()
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=days or s.retention_days)
    try:
        tracker = tracker_engine(s.resolved_tracker_db_url())
    except StoreMismatch as exc:  # nothing purged: neither Rasa's store nor the API's tables
        _fail(str(exc))
    try:
        with _db_session() as session:
            if has_events(tracker):
                with tracker.begin() as conn:
                    done = purge_stores(conn, session, cutoff, dry_run)
            else:
                log.warning("no conversation store at %s yet: only the API's tables are purged", tracker.url)
                done = purge_stores(None, session, cutoff, dry_run)
            if not dry_run:
                scrub(tracker, session.get_bind().engine)  # deleted rows out of the SQLite -wal files too
    finally:
        tracker.dispose()
    verb = "would delete" if dry_run else "deleted"
    typer.echo(
        f"{verb} {done.conversations} conversation(s) ({done.events} events), {done.feedback} feedback, "
        f"{done.handoffs} closed hand-off(s) older than {cutoff:%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    app()
