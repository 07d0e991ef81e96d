"""Staff figures computed from Rasa's events and the API's feedback, on a small known dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.core.analytics import analytics
from api.core.rasa_store import tracker_engine
from api.db import make_engine, migrate, session_factory
from api.models import Feedback
from tests.api.backends import Backend
from tests.api.tracker_support import create_tracker_db, handoff, small_dataset

D1 = dt.date(2026, 3, 2)


@pytest.fixture
def stores(tmp_path: Path, backend: Backend):
    """A tracker DB with the five known conversations and an API DB with their feedback and one hand-off."""
    urls = backend.stores(tmp_path)  # SQLite files or fresh PostgreSQL databases
    small_dataset(create_tracker_db(urls.tracker_url))
    tracker = tracker_engine(urls.tracker_url)
    api = make_engine(urls.database_url)
    migrate(api)
    with session_factory(api)() as s:
        at = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
        s.add_all(
            [
                Feedback(
                    conversation_id="conv-fr-full", rating="up", reasons=["clear", "reliable-sources"], created_at=at
                ),
                Feedback(
                    conversation_id="conv-en", rating="down", reasons=["incorrect", "missing-sources"], created_at=at
                ),
                Feedback(
                    conversation_id="conv-fr-dropped",
                    rating="down",
                    reasons=["off-topic"],
                    created_at=at + dt.timedelta(days=1),
                ),
                handoff("GN-1", "conv-fr-full", email="ana@example.com"),
            ]
        )
        s.commit()
    yield tracker, session_factory(api)
    tracker.dispose()
    api.dispose()


def test_figures_on_known_dataset(stores) -> None:
    """Every figure matches what the five conversations hold."""
    tracker, sessions = stores
    with tracker.connect() as conn, sessions() as s:
        a = analytics(conn, s)
    assert a["conversations"]["total"] == 5
    assert a["conversations"]["per_day"] == [
        {"day": "2026-03-02", "count": 2},
        {"day": "2026-03-03", "count": 1},
        {"day": "2026-03-04", "count": 0},
        {"day": "2026-03-05", "count": 2},
    ]
    assert a["funnel"] == {"started": 4, "qualified": 2, "levers_shown": 2, "handoff": 1}
    assert a["levers"] == [{"id": "grant", "count": 2}, {"id": "trial", "count": 1}]
    assert a["needs"] == [{"id": "funding", "count": 2}, {"id": "evidence", "count": 1}, {"id": "training", "count": 1}]
    assert a["feedback"] == {
        "up": 1,
        "down": 2,
        "reasons": {
            "clear": 1,
            "complete": 0,
            "reliable-sources": 1,
            "incorrect": 1,
            "off-topic": 1,
            "missing-sources": 1,
        },
    }


def test_unanswered_questions_grouped(stores) -> None:
    """Out-of-scope, uncited and fallback messages are the gaps; the two French weather questions group."""
    tracker, sessions = stores
    with tracker.connect() as conn, sessions() as s:
        gaps = analytics(conn, s)["unanswered"]
    assert gaps["total"] == 4
    groups = {g["label"]: (g["count"], sorted(g["conversations"])) for g in gaps["groups"]}
    assert groups == {
        "Quel temps fera-t-il demain à Paris ?": (2, ["conv-fr-dropped", "conv-fr-full"]),
        "What will the weather be tomorrow in Paris?": (1, ["conv-en"]),
        "asdf qwerty zxcv": (1, ["conv-en"]),
    }
    assert "Combien finance la subvention ?" not in str(gaps)  # answered with a citation


def test_date_range(stores) -> None:
    """since/until keep the conversations started in those UTC days, and feedback given in them."""
    tracker, sessions = stores
    with tracker.connect() as conn, sessions() as s:
        a = analytics(conn, s, since=D1 + dt.timedelta(days=1), until=D1 + dt.timedelta(days=1))
    assert a["conversations"]["total"] == 1
    assert a["funnel"] == {"started": 1, "qualified": 0, "levers_shown": 0, "handoff": 0}
    assert a["needs"] == [{"id": "training", "count": 1}]
    assert a["unanswered"]["total"] == 1
    assert a["feedback"]["down"] == 1 and a["feedback"]["up"] == 0


def test_without_a_tracker_store(stores) -> None:
    """Before Rasa has stored anything, figures are zero and feedback still counts."""
    _, sessions = stores
    with sessions() as s:
        a = analytics(None, s)
    assert a["conversations"] == {"total": 0, "per_day": []} and a["funnel"]["started"] == 0
    assert a["feedback"]["up"] == 1
