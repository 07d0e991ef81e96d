"""The services each app builds in its lifespan (api/services.py) are its own: two apps in one process share no
re-indexing lock and no figures memo."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import api.services
from api.keys import create_key
from tests.api.backends import Backend, fixture_app
from tests.api.tracker_support import Talk, create_tracker_db, write


@pytest.fixture()
def two_apps(tmp_path: Path) -> Iterator[list[tuple[TestClient, dict[str, str]]]]:
    """Two APIs started in this process, each on its own data folder, with an admin key each."""
    with ExitStack() as stack:
        apps = []
        for name in ("one", "two"):
            data = tmp_path / name
            client = stack.enter_context(fixture_app(data, Backend("sqlite").stores(data)))
            with client.app.state.sessions() as s:
                apps.append((client, {"Authorization": f"Bearer {create_key(s, 'admin', name)}"}))
        yield apps


def test_a_reindexing_in_one_app_does_not_hold_the_other(two_apps, monkeypatch) -> None:
    """While the first app re-indexes, a second re-indexing there is a 409, and the other app re-indexes at once."""
    (one, admin_one), (two, admin_two) = two_apps
    held_dir = one.app.state.settings.resolved_index_dir()
    entered, release = threading.Event(), threading.Event()
    real = api.services.rebuild

    def slow_for_the_first_app(knowledge_dir, index_dir, *args, **kwargs):
        if index_dir == held_dir:
            entered.set()
            release.wait(30)
        return real(knowledge_dir, index_dir, *args, **kwargs)

    monkeypatch.setattr(api.services, "rebuild", slow_for_the_first_app)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(one.post, "/staff/reindex", headers=admin_one)
        try:
            assert entered.wait(30), "the first re-indexing never started"
            again = one.post("/staff/reindex", headers=admin_one)
            assert again.status_code == 409 and "already running" in again.json()["detail"]
            other = two.post("/staff/reindex", headers=admin_two)
            assert other.status_code == 200, other.text
        finally:
            release.set()
        assert first.result(timeout=60).status_code == 200
    assert one.post("/staff/reindex", headers=admin_one).status_code == 200  # the lock was released


def test_an_erasure_in_one_app_leaves_the_other_apps_figures(two_apps) -> None:
    """Each app computes its own start-up figures; erasing a conversation empties that app's memo only."""
    (one, admin_one), (two, _) = two_apps
    assert one.app.state.figures is not two.app.state.figures
    memos = [one.app.state.figures.memo, two.app.state.figures.memo]
    deadline = time.monotonic() + 20
    while not all(m.items for m in memos) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(m.items for m in memos), "the start-up figures were not computed"
    url = one.app.state.settings.resolved_tracker_db_url()
    create_tracker_db(url)
    write(url, Talk("erase-me", 1772442000.0).session().user("Bonjour", "greet", "fr"))
    assert one.delete("/staff/conversations/erase-me", headers=admin_one).status_code == 200
    assert not memos[0].items and memos[1].items
