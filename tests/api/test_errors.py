"""Every error the API answers is in its own description, with the body and the headers it has (api/errors.py):
the edge answers (400, 413, 429), the keys' (401, 403), the routes' own (404, 409, 415, 422 as a list or as a
sentence), a database down (503); and a 405 names every method of its path."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from api.core.catalogue import load_catalogue
from api.core.corpus import build_chunks
from api.keys import create_key
from api.main import create_app
from api.settings import Settings
from retrieval.index import build_index
from tests.api.service_support import SERVICE, SERVICE_DIGEST, at_consent
from tests.api.tracker_support import Talk, create_tracker_db, write

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "knowledge"
JSON = {"content-type": "application/json"}


@contextmanager
def running(data: Path, **settings) -> Iterator[TestClient]:
    build_index(build_chunks(load_catalogue(FIXTURE), FIXTURE)[0], data / "index", None)
    app = create_app(Settings(knowledge_dir=FIXTURE, data_dir=data, embedding_model="none", **settings))
    with TestClient(app) as client:
        yield client


def conforms(client: TestClient, response, path: str, method: str) -> None:
    """The status is documented for the operation, and the body and the required headers are as documented."""
    spec = client.app.openapi()
    documented = spec["paths"][path][method.lower()]["responses"]
    assert str(response.status_code) in documented, (method, path, response.status_code, sorted(documented))
    schemathesis.openapi.from_dict(spec)[path][method].validate_response(response)  # raises if the body is not
    for name, header in documented[str(response.status_code)].get("headers", {}).items():
        assert not header.get("required") or name in response.headers, (path, response.status_code, name)


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The API with the smallest body limit and no rate limit, and a key of each scope."""
    with running(tmp_path_factory.mktemp("errors"), max_body_bytes=1024, rate_limit="") as client:
        with client.app.state.sessions() as s:
            keys = {"read": create_key(s, "read", "reader"), "admin": create_key(s, "admin", "boss")}
        yield client, keys


CASES = [
    ("POST", "/search", "/search", {"content": b'{"query": "\xff\xfe"}', "headers": JSON}, None, 400),
    ("POST", "/route", "/route", {"json": {"text": "x" * 2000}}, None, 413),
    ("POST", "/search", "/search", {"json": {"query": ""}}, None, 422),
    ("POST", "/route", "/route", {"json": {"profile": {"ai": 0}}}, None, 422),  # 0 is not false
    ("GET", "/staff/conversations", "/staff/conversations?until=0", {}, "read", 422),  # not 1970-01-01
    ("GET", "/staff/analytics", "/staff/analytics?since=1700000000", {}, "read", 422),
    ("GET", "/staff/knowledge/lapsed", "/staff/knowledge/lapsed?today=0", {}, "read", 422),
    ("GET", "/staff/analytics", "/staff/analytics?since=2026-03-05&until=2026-03-01", {}, "read", 422),
    ("GET", "/staff/handoffs", "/staff/handoffs", {}, None, 401),
    ("POST", "/handoffs", "/handoffs", {"json": {"conversation_id": "c1"}}, None, 401),  # declared as a text only
    ("GET", "/staff/handoffs", "/staff/handoffs", {"headers": {"Authorization": "Bearer gk_0_x"}}, None, 401),
    ("POST", "/staff/reindex", "/staff/reindex", {}, "read", 403),
    ("GET", "/levers/{lever_id}", "/levers/nope", {}, None, 404),
    ("GET", "/staff/handoffs/{reference}", "/staff/handoffs/GN-NONE", {}, "read", 404),
    ("DELETE", "/staff/documents/{name}", "/staff/documents/none.md", {}, "admin", 404),
    ("POST", "/staff/documents", "/staff/documents", {"files": [("files", ("a.exe", b"MZ"))]}, "admin", 415),
    ("POST", "/staff/documents", "/staff/documents", {"files": [("files", ("a.md", b""))]}, "admin", 422),
]


@pytest.mark.parametrize(("method", "path", "url", "request_", "key", "status"), CASES, ids=lambda v: str(v)[:40])
def test_each_error_is_documented_as_sent(api, method, path, url, request_, key, status) -> None:
    """Each of these requests gets its error, documented for its operation with the body and headers sent."""
    client, keys = api
    kwargs = {**request_, "headers": {**request_.get("headers", {})}}
    if key:
        kwargs["headers"]["Authorization"] = f"Bearer {keys[key]}"
    r = client.request(method, url, **kwargs)
    assert r.status_code == status, (url, r.status_code, r.text[:200])
    conforms(client, r, path, method)


def test_unauthorised_says_how_to_authenticate(api) -> None:
    """A 401 carries WWW-Authenticate: Bearer, as documented (the error handler used to drop it)."""
    client, _ = api
    r = client.get("/staff/conversations")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"


def test_a_name_uploaded_twice_is_a_documented_409(api) -> None:
    """The second upload of one name, without replace, is the 409 the description announces."""
    client, keys = api
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    doc = [("files", ("twice.md", b"# Twice\n\nUn document de test sur la formation."))]
    assert client.post("/staff/documents", files=doc, headers=admin).status_code == 201
    r = client.post("/staff/documents", files=doc, headers=admin)
    assert r.status_code == 409
    conforms(client, r, "/staff/documents", "POST")


def test_a_database_down_is_a_documented_503(api, tmp_path) -> None:
    """With the API's database unreachable, a staff route answers the documented 503 with Retry-After."""
    client, keys = api
    working = client.app.state.sessions
    client.app.state.sessions = sessionmaker(create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db"))
    try:
        r = client.get("/staff/handoffs", headers={"Authorization": f"Bearer {keys['read']}"})
    finally:
        client.app.state.sessions = working
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    conforms(client, r, "/staff/handoffs", "GET")


def test_a_405_names_every_method_of_its_path(api) -> None:
    """OPTIONS on a path served by two routes (GET and POST /staff/documents) allows both, as documented."""
    client, _ = api
    spec = client.app.openapi()
    for path in ("/staff/documents", "/staff/conversations/{conversation_id}", "/search"):
        r = client.options(path.replace("{conversation_id}", "c1"))
        assert r.status_code == 405
        assert set(r.headers["allow"].split(", ")) == {m.upper() for m in spec["paths"][path]}


def test_too_many_requests_is_documented_where_the_limit_applies(tmp_path) -> None:
    """Past the rate limit a route answers 429 with Retry-After, as its description says; /health is never
    limited and does not say it; without a limit, no route says it."""
    with running(tmp_path / "limited", rate_limit="2/minute") as client:
        statuses = [client.get("/levers").status_code for _ in range(3)]
        r = client.get("/levers")
        assert statuses == [200, 200, 429] and r.status_code == 429
        conforms(client, r, "/levers", "GET")
        assert [client.get("/health").status_code for _ in range(3)] == [200] * 3
        assert "429" not in client.app.openapi()["paths"]["/health"]["get"]["responses"]
    with running(tmp_path / "unlimited", rate_limit="") as client:
        operations = [op for ops in client.app.openapi()["paths"].values() for op in ops.values()]
        assert operations and not any("429" in op["responses"] for op in operations)


def test_the_receipts_are_documented(tmp_path) -> None:
    """The 201 bodies of /feedback, /handoffs and a hand-off's notes are the documented receipts."""
    tracker = create_tracker_db(tmp_path / "rasa.db")
    write(tracker, at_consent(Talk("c-receipts", 1772442000.0).session()))
    settings = {"tracker_db_url": f"sqlite:///{tracker}", "service_key_sha256": SERVICE_DIGEST}
    with running(tmp_path / "api", **settings) as client:
        r = client.post("/feedback", json={"conversation_id": "c-receipts", "rating": "up"}, headers=SERVICE)
        assert r.status_code == 201
        conforms(client, r, "/feedback", "POST")
        case = {"conversation_id": "c-receipts", "name": "Ana Lopez", "email": "ana@example.com", "consent": True}
        r = client.post("/handoffs", json=case, headers=SERVICE)
        assert r.status_code == 201
        conforms(client, r, "/handoffs", "POST")
        note = {"conversation_id": "c-receipts", "text": "plutôt le matin"}
        r = client.post(f"/handoffs/{r.json()['reference']}/notes", json=note, headers=SERVICE)
        assert r.status_code == 201
        conforms(client, r, "/handoffs/{reference}/notes", "POST")
