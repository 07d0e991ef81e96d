"""Conversations read from Rasa's tracker store: summaries, filters, transcripts, erasure and purge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.core.conversations import Filters, erase, list_conversations, purge, summary_of, transcript
from api.core.rasa_store import EVENTS, has_events, tracker_engine, tracker_state
from api.core.tracker import day_bounds
from api.db import make_engine, migrate, session_factory
from api.models import Feedback, Handoff
from tests.api.backends import Backend
from tests.api.tracker_support import DAY, DAY1, create_tracker_db, handoff, small_dataset


@pytest.fixture
def stores(tmp_path: Path, backend: Backend):
    urls = backend.stores(tmp_path)  # SQLite files or fresh PostgreSQL databases
    small_dataset(create_tracker_db(urls.tracker_url))
    tracker = tracker_engine(urls.tracker_url)
    api = make_engine(urls.database_url)
    migrate(api)
    yield tracker, session_factory(api)
    tracker.dispose()
    api.dispose()


def _ids(conn, f: Filters = Filters(), held=()) -> list[str]:
    return [s.id for s in list_conversations(conn, f, 50, 0, held)[1]]


def test_summaries_most_recent_first(stores) -> None:
    """Each summary carries dates, turns, language, lever ids shown and the profile slots."""
    tracker, _ = stores
    with tracker.connect() as conn:
        total, page = list_conversations(conn, Filters(), 50, 0, {"conv-fr-full"})
    assert total == 5
    assert [s.id for s in page] == ["conv-opened", "conv-fr-hello", "conv-fr-dropped", "conv-en", "conv-fr-full"]
    full = page[-1]
    assert full.started_at == "2026-03-02T09:00:00+00:00" and full.turns == 5 and full.lang == "fr"
    assert full.levers == ["grant", "trial"] and full.handoff is True
    assert full.profile["needs"] == ["funding", "evidence"] and full.profile["stage"] == "prototype"
    assert page[3].lang == "en" and page[3].handoff is False and page[0].turns == 0


def test_filters_and_paging(stores) -> None:
    """Dates, language, lever and hand-off filters narrow the list in SQL; limit/offset page it."""
    tracker, _ = stores
    held = {"conv-fr-full"}
    with tracker.connect() as conn:
        assert _ids(conn, Filters(lang="en")) == ["conv-en"]
        assert "conv-opened" in _ids(conn, Filters(lang="fr")) and "conv-en" not in _ids(conn, Filters(lang="fr"))
        assert _ids(conn, Filters(lever="trial")) == ["conv-fr-full"]
        assert _ids(conn, Filters(lever="gra")) == []  # whole ids only
        assert _ids(conn, Filters(handoff_ids=held, has_handoff=True)) == ["conv-fr-full"]
        assert len(_ids(conn, Filters(handoff_ids=held, has_handoff=False))) == 4
        lo, hi = day_bounds(dt.date(2026, 3, 3), dt.date(2026, 3, 3))
        assert _ids(conn, Filters(since=lo, until=hi)) == ["conv-fr-dropped"]
        total, page = list_conversations(conn, Filters(), 2, 2)
        assert total == 5 and [s.id for s in page] == ["conv-fr-dropped", "conv-en"]


def test_transcript_turns(stores) -> None:
    """The transcript holds both sides with text, intent, buttons and the custom payloads, in order."""
    tracker, _ = stores
    with tracker.connect() as conn:
        turns, actions = transcript(conn, "conv-fr-full")
        assert summary_of(conn, "nobody") is None
    assert turns[0]["role"] == "founder" and turns[0]["intent"] == "describe_project"
    cards = next(t for t in turns if t.get("custom") and t["custom"]["type"] == "lever_cards")
    assert [c["id"] for c in cards["custom"]["levers"]] == ["grant", "trial"]
    assert cards["buttons"][0]["payload"] == '/ask_about_lever{"lever":"grant"}'
    assert "action_recommend" in actions and "action_listen" not in actions
    assert [t["at"] for t in turns] == sorted(t["at"] for t in turns)


def test_erase_removes_every_row(stores) -> None:
    """Erasure deletes the sender's events and the API's feedback and hand-offs for it, and counts them."""
    tracker, sessions = stores
    with sessions() as s:
        s.add(Feedback(conversation_id="conv-en", rating="up", reasons=[]))
        s.add(handoff("GN-2", "conv-en", name="Bo", email="bo@example.com", lang="en"))
        s.commit()
        with tracker.begin() as conn:
            before = conn.scalar(select(func.count()).where(EVENTS.c.sender_id == "conv-en"))
            done = erase(conn, s, "conv-en")
        assert (done.events, done.feedback, done.handoffs) == (before, 1, 1) and before > 10
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
    with tracker.connect() as conn:
        assert conn.scalar(select(func.count()).where(EVENTS.c.sender_id == "conv-en")) == 0
        assert conn.scalar(select(func.count()).select_from(EVENTS)) > 0  # the others stay


def test_purge_by_retention(stores) -> None:
    """Purge removes conversations idle since the cutoff, older feedback and closed hand-offs only."""
    tracker, sessions = stores
    old = dt.datetime.fromtimestamp(DAY1, dt.UTC)
    with sessions() as s:
        s.add(Feedback(conversation_id="x", rating="up", reasons=[], created_at=old))
        s.add(Feedback(conversation_id="y", rating="up", reasons=[], created_at=old + dt.timedelta(days=10)))
        for ref, status in (("GN-A", "closed"), ("GN-B", "open")):
            s.add(handoff(ref, "x", status=status, updated_at=old))
        s.commit()
        cutoff = dt.datetime.fromtimestamp(DAY1 + 2 * DAY, dt.UTC)
        with tracker.begin() as conn:
            dry = purge(conn, s, cutoff, dry_run=True)
        with tracker.begin() as conn:
            done = purge(conn, s, cutoff)
        assert dry == done and (done.conversations, done.feedback, done.handoffs) == (3, 1, 1)
        assert [h.reference for h in s.scalars(select(Handoff))] == ["GN-B"]
    with tracker.connect() as conn:
        assert _ids(conn) == ["conv-opened", "conv-fr-hello"]


def test_absent_store_is_not_created(tmp_path: Path) -> None:
    """Before Rasa starts there is no store: reported absent, and reading does not create the file."""
    engine = tracker_engine(f"sqlite:///{tmp_path / 'none.db'}")
    assert tracker_state(engine) == "absent" and not has_events(engine)
    assert not (tmp_path / "none.db").exists()
