"""The API does what its own description says: every Schemathesis check (status codes, content types, headers,
response bodies, valid requests accepted, invalid ones refused, Allow on 405, auth not ignored) on every
operation of the full description, staff routes included, in process (ASGI), with a fixed seed.

test_errors.py makes the edge answers (413, 429, 401, 403, 409) that this run does not reach on its own and
checks them against the description likewise.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, seed, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.parameters import ParameterLocation

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.keys import create_key
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index
from tests.api.tracker_support import create_tracker_db, small_dataset

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
DATA = Path(tempfile.mkdtemp(prefix="guichet-conformance-"))
build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], DATA / "index", None)
small_dataset(create_tracker_db(DATA / "rasa-tracker.db"))
# No rate limit here (test_errors.py checks the 429); "development": one description with every route.
APP = create_app(
    Settings(knowledge_dir=FIXTURE, data_dir=DATA, embedding_model="none", rate_limit="", environment="development")
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
KEY: dict[str, str] = {}
# Whether an upload is taken depends on the files themselves (a .md, .txt, .html or .pdf name, not empty,
# readable), which no schema can say: a schema-valid upload may be refused (415, 422), as
# test_staff_uploads.py checks; every other check runs on it here.
CONTENT_RULES = {("POST", "/staff/documents")}


@schema.hook
def map_query(ctx, query):
    """`since` not after `until`: a rule between two values the description states in words only."""
    since, until = (query or {}).get("since"), (query or {}).get("until")
    if isinstance(since, str) and isinstance(until, str) and since > until:
        query["since"], query["until"] = until, since
    return query


@pytest.fixture(scope="module", autouse=True)
def running_app():
    with TestClient(APP):
        with APP.state.sessions() as s:
            KEY["admin"] = create_key(s, "admin", "conformance")
        yield
    shutil.rmtree(DATA, ignore_errors=True)


@schema.parametrize()
@seed(20261206)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found (no shrinking: bounded time)
)
def test_every_operation_conforms(case) -> None:
    """Each operation, fed schema-valid and schema-violating requests, answers as its description says."""
    # A staff key for staff routes, but not on a case whose headers are the invalid part on purpose (a missing
    # Authorization): adding one would make it a valid request, which then is rightly accepted.
    own_headers = case.meta is not None and case.meta.is_negative_at(ParameterLocation.HEADER)
    staff = case.path.startswith("/staff") and not own_headers
    headers = {"Authorization": f"Bearer {KEY['admin']}"} if staff else None
    excluded = [positive_data_acceptance] if (case.method, case.path) in CONTENT_RULES else []
    case.call_and_validate(headers=headers, excluded_checks=excluded)


def test_feedback_credential_is_described_as_optional() -> None:
    """POST /feedback's description allows a call without credential (the widget's) or with the bot's, as the
    route does; test_every_operation_conforms then checks both kinds of call against it."""
    security = APP.openapi()["paths"]["/feedback"]["post"]["security"]
    assert len(security) == 2 and {} in security and {"HTTPBearer": []} in security
