"""Property-based fuzzing of every operation of the OpenAPI schema: no input may cause a 5xx."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.keys import create_key
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index
from tests.api.tracker_support import create_tracker_db, small_dataset

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
DATA = Path(tempfile.mkdtemp(prefix="guichet-fuzz-"))
# Loading the schema runs the app's lifespan, which needs an index: build a tiny lexical one first.
build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], DATA / "index", None)
# Conversations in Rasa's tracker store (its default place under the data dir), so staff routes read real rows.
small_dataset(create_tracker_db(DATA / "rasa-tracker.db"))
APP = create_app(Settings(knowledge_dir=FIXTURE, data_dir=DATA, embedding_model="none"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
KEY: dict[str, str] = {}


@pytest.fixture(scope="module", autouse=True)
def running_app():
    with TestClient(APP):
        with APP.state.sessions() as s:
            KEY["admin"] = create_key(s, "admin", "fuzz")
        yield
    shutil.rmtree(DATA, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error(case) -> None:
    """Whatever a client sends, with or without a staff key, the answer is never a 5xx."""
    headers = {"Authorization": f"Bearer {KEY['admin']}"} if case.path.startswith("/staff") else None
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
