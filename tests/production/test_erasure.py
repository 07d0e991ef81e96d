"""Erasure on the production stores: a conversation the real Rasa servers kept in PostgreSQL, with its feedback
and hand-off in the API's PostgreSQL database, leaves no row behind and does not come back (issue 19, item 6)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from api.models import Feedback, Handoff
from tests.production.conftest import ProdStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _mentions(engine: sa.Engine, needles: tuple[str, ...]) -> list[str]:
    """Every (table: cell) of a PostgreSQL database's public tables that holds one of the needles."""
    found = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                found += [f"{table}: {cell}"[:80] for cell in row if any(n in str(cell) for n in needles)]
    return found


def test_erasure_on_postgresql_leaves_no_row_and_nothing_comes_back(prod: ProdStack) -> None:
    """DELETE /staff/conversations/{id} removes the conversation from Rasa's PostgreSQL store (both servers wrote
    it) and its feedback and hand-off from the API's; the next message starts afresh, without the erased text."""
    who = f"prod-erase-{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:8]
    needles = (who, f"Kwyjibo{tag}", f"Zorbalu{tag}")
    prod.say(prod.rasa_a, who, f"Bonjour, notre projet Kwyjibo{tag} est une application de télésuivi")
    prod.say(prod.rasa_b, who, f"je suis Mme Zorbalu{tag}, nous cherchons un financement")
    with Session(prod.api_engine) as s:  # as the API writes them (POST /handoffs needs the consent question)
        s.add(Feedback(conversation_id=who, rating="down", reasons=[], comment=f"Kwyjibo{tag} trop lent"))
        s.add(Handoff(reference=f"GN-{tag.upper()}", conversation_id=who, name=f"Mme Zorbalu{tag}",
                      email="zorbalu@example.org", consent=True, lang="fr", profile={}, levers=[],
                      transcript=[{"role": "founder", "text": f"Kwyjibo{tag}"}]))
        s.commit()
    assert _mentions(prod.tracker_engine, needles) and _mentions(prod.api_engine, needles)
    admin = {"Authorization": f"Bearer {prod.key('admin')}"}
    with httpx.Client(base_url=prod.api, headers=admin, timeout=30) as api:
        r = api.delete(f"/staff/conversations/{who}")
        assert r.status_code == 200, r.text
        deleted = r.json()["deleted"]
        assert deleted["events"] > 0 and deleted["feedback"] == 1 and deleted["handoffs"] == 1
        assert _mentions(prod.tracker_engine, needles) == [] and _mentions(prod.api_engine, needles) == []
        assert api.get(f"/staff/conversations/{who}").status_code == 404
        prod.say(prod.rasa_b, who, "Bonjour")  # Rasa holds no copy: the conversation starts again, empty
        detail = api.get(f"/staff/conversations/{who}").json()
        founder = [t["text"] for t in detail["transcript"] if t["role"] == "founder"]
        assert founder == ["Bonjour"]
        assert _mentions(prod.tracker_engine, needles[1:]) == []
        assert api.delete(f"/staff/conversations/{who}").status_code == 200
