"""Rasa's tracker store read through its one adapter: the probe at start, and JSON read as JSON, on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.core import rasa_store
from api.core.conversations import Filters, list_conversations
from api.core.tracker import answered
from tests.api.backends import Backend, fixture_app
from tests.api.tracker_support import COLUMNS, DAY1, INSERT, Talk, create_tracker_db, rows, write


def _run(url: str, *sql: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in sql:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def _compact(url: str, *talks: Talk) -> None:
    """Rows as another JSON writer would serialise the same events: no spaces, non-ASCII kept as is."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for talk in talks:
                for row in rows(talk):
                    data = json.dumps(json.loads(row[-1]), separators=(",", ":"), ensure_ascii=False)
                    conn.execute(INSERT, dict(zip(COLUMNS, (*row[:-1], data), strict=True)))
    finally:
        engine.dispose()


def test_a_table_without_rasas_columns_is_refused_at_start(tmp_path: Path, backend: Backend) -> None:
    """An events table lacking a column the API reads stops the start with a message naming it and the fix."""
    url = backend.stores(tmp_path).tracker_url
    _run(url, "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255))")
    with pytest.raises(rasa_store.StoreMismatch) as refused:
        rasa_store.tracker_engine(url)
    message = str(refused.value)
    assert "events lacks timestamp, intent_name, action_name, data" in message
    assert "GUICHET_TRACKER_DB_URL" in message and rasa_store.RASA_SERIES in message


def test_events_not_in_rasas_json_are_refused_at_start(tmp_path: Path, backend: Backend) -> None:
    """A table with Rasa's columns whose newest event is not Rasa's event JSON is refused, not misread."""
    url = str(create_tracker_db(backend.stores(tmp_path).tracker_url))
    write(url, Talk("c1", DAY1).session())
    _run(url, "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('c2', 'user', 1.0, '{\"kind\": 1}')")
    with pytest.raises(rasa_store.StoreMismatch, match="newest event .* not in Rasa 3's JSON format"):
        rasa_store.tracker_engine(url)


def test_a_store_changed_after_start_reads_as_incompatible(tmp_path: Path, backend: Backend) -> None:
    """An empty store passes the probe; a table made later without Rasa's columns is reported, never read."""
    url = str(create_tracker_db(backend.stores(tmp_path).tracker_url))
    engine = rasa_store.tracker_engine(url)
    try:
        assert rasa_store.tracker_state(engine) == "ok"
        _run(url, "DROP TABLE events", "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))")
        state = rasa_store.tracker_state(engine)
        assert state.startswith("incompatible (table events lacks type_name") and not rasa_store.has_events(engine)
    finally:
        engine.dispose()


def test_the_api_does_not_start_on_a_foreign_store(tmp_path: Path, backend: Backend) -> None:
    """The API's start probes the store it is pointed at and stops with StoreMismatch."""
    stores = backend.stores(tmp_path)
    _run(stores.tracker_url, "CREATE TABLE events (id INTEGER PRIMARY KEY, body TEXT)")
    with pytest.raises(rasa_store.StoreMismatch), fixture_app(tmp_path, stores):
        pass


def _odd_replies() -> Talk:
    t = Talk("odd", DAY1).session().slot("recommended", "training").slot("language", "en")
    for payload in (
        {"type": "answer", "citations": [{"title": "Doc"}], "in_scope": True},  # 1: answered
        {"type": "answer", "citations": [{"title": "Doc"}], "in_scope": False},  # 2: out of scope
        {"type": "answer", "citations": [], "in_scope": True},  # 3: no citation
        {"type": "answer", "citations": "Doc"},  # 4: citations that are not a list
        {"type": "lever", "id": "grant"},  # 5: lever details
        {"type": "answer", "citations": [{"title": "Doc"}]},  # 6: in_scope left out: in scope
    ):
        t.user("Une question ?", "ask_question").action("action_answer_question").bot("…", None, payload)
    return t.user("Sans réponse ?", "ask_question").action("action_answer_question").bot("Texte seul")


@pytest.mark.parametrize("writer", ["rasa", "compact"])
def test_json_is_read_as_json_whatever_its_spacing(tmp_path: Path, backend: Backend, writer: str) -> None:
    """Reply payloads, a list slot held as a scalar and the last language read the same from Rasa's
    json.dumps and from compact JSON (no text pattern on the serialisation)."""
    url = str(create_tracker_db(backend.stores(tmp_path).tracker_url))
    talk, other = _odd_replies(), Talk("other", DAY1 + 60).session().slot("recommended", ["grant", "training-x"])
    (write if writer == "rasa" else _compact)(url, talk, other)
    engine = rasa_store.tracker_engine(url)
    try:
        with engine.connect() as conn:
            bots = [eid for eid, in conn.execute(sa.text("SELECT id FROM events WHERE type_name = 'bot' ORDER BY id"))]
            replies = rasa_store.replies(conn, bots)
            assert [answered(replies[b]) for b in bots] == [True, False, False, False, True, True, False]
            assert replies[bots[1]].out_of_scope and not replies[bots[2]].cited and replies[bots[6]].payload is None

            def ids(f: Filters) -> list[str]:
                return [s.id for s in list_conversations(conn, f, 10, 0)[1]]

            assert ids(Filters(lever="training")) == ["odd"]  # a scalar value, and not "training-x"
            assert ids(Filters(lever="grant")) == ["other"]
            assert ids(Filters(lang="en")) == ["odd"] and ids(Filters(lang="fr")) == ["other"]
    finally:
        engine.dispose()
