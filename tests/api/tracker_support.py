"""Rasa 3.6 tracker-store rows for tests: the exact `events` DDL and event JSON as SQLTrackerStore writes them.

The DDL is what `SQLTrackerStore(dialect="sqlite")` creates (copied from sqlite_master); each row is filled
as SQLTrackerStore.save does: type_name = the event type, intent_name = parse_data.intent.name, action_name =
the event's "name" (the action's, or the slot's for slot events), data = json.dumps(event.as_dict()).
A store is a SQLite file (a Path) or a database URL (PostgreSQL: the DDL Rasa's SQLEvent compiles to there).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa

RASA_DDL = (
    "CREATE TABLE events (\n\tid INTEGER NOT NULL, \n\tsender_id VARCHAR(255) NOT NULL, \n\t"
    "type_name VARCHAR(255) NOT NULL, \n\ttimestamp FLOAT, \n\tintent_name VARCHAR(255), \n\t"
    "action_name VARCHAR(255), \n\tdata TEXT, \n\tPRIMARY KEY (id)\n)",
    "CREATE INDEX ix_events_sender_id ON events (sender_id)",
)
# CreateTable(SQLTrackerStore.SQLEvent.__table__) compiled for postgresql in .venv-rasa (SQLAlchemy 1.4).
RASA_DDL_POSTGRESQL = (
    "CREATE TABLE events (\n\tid SERIAL NOT NULL, \n\tsender_id VARCHAR(255) NOT NULL, \n\t"
    "type_name VARCHAR(255) NOT NULL, \n\ttimestamp FLOAT, \n\tintent_name VARCHAR(255), \n\t"
    "action_name VARCHAR(255), \n\tdata TEXT, \n\tPRIMARY KEY (id)\n)",
    "CREATE INDEX ix_events_sender_id ON events (sender_id)",
)
Store = Path | str  # a SQLite file, or a SQLAlchemy URL


def _engine(store: Store) -> sa.Engine:
    return sa.create_engine(f"sqlite:///{store}" if isinstance(store, Path) else store)


def create_tracker_db(store: Store) -> Store:
    engine = _engine(store)
    try:
        with engine.begin() as conn:
            for ddl in RASA_DDL if engine.dialect.name == "sqlite" else RASA_DDL_POSTGRESQL:
                conn.exec_driver_sql(ddl)
    finally:
        engine.dispose()
    return store


class Talk:
    """One conversation's events in Rasa's as_dict() shapes, one second apart."""

    def __init__(self, sender: str, start: float):
        self.sender, self.t, self.events = sender, start, []

    def _add(self, event: dict[str, Any]) -> Talk:
        self.events.append({"event": event.pop("event"), "timestamp": self.t, **event})
        self.t += 1.0
        return self

    def session(self) -> Talk:
        self._add({"event": "session_started", "metadata": {"model_id": "m1"}})
        return self.action("action_session_start").action("action_listen")

    def action(self, name: str, policy: str | None = "RulePolicy") -> Talk:
        return self._add(
            {
                "event": "action",
                "metadata": {"model_id": "m1"},
                "name": name,
                "policy": policy,
                "confidence": 1.0 if policy else None,
                "action_text": None,
                "hide_rule_turn": False,
            }
        )

    def user(self, text: str, intent: str, lang: str | None = None, confidence: float = 0.93) -> Talk:
        mid = uuid.uuid4().hex
        entities = [{"entity": "language", "value": lang, "start": 0, "end": 0, "extractor": "LanguageDetector"}]
        parse = {
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities if lang else [],
            "text": text,
            "message_id": mid,
            "metadata": {},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
        }
        self._add(
            {
                "event": "user",
                "metadata": {"model_id": "m1"},
                "text": text,
                "parse_data": parse,
                "input_channel": "rest",
                "message_id": mid,
            }
        )
        self._add({"event": "user_featurization", "use_text_for_featurization": False})
        return self.slot("language", lang) if lang else self

    def bot(self, text: str, buttons: list[dict] | None = None, custom: dict | None = None) -> Talk:
        data = {"elements": None, "quick_replies": None, "buttons": buttons, "attachment": None, "image": None}
        data["custom"] = custom
        return self._add(
            {"event": "bot", "metadata": {"utter_action": None, "model_id": "m1"}, "text": text, "data": data}
        )

    def slot(self, name: str, value: Any) -> Talk:
        return self._add({"event": "slot", "name": name, "value": value})

    # A few turns as the bot's actions play them (bot/actions).
    def describe(self, text: str, lang: str, needs: list[str], stage: str = "prototype") -> Talk:
        self.user(text, "describe_project", lang).action("action_prefill_profile")
        self.slot("project_text", text).slot("stage", stage).slot("needs", needs).slot("api_down", False)
        return self.action("action_listen")

    def qualify(self, lang: str) -> Talk:
        self.action("action_confirm_profile")
        self.bot("Si je résume votre projet : ... C'est bien ça ?", [{"title": "Oui", "payload": "/affirm"}])
        self.slot("profile_confirmed", None).action("action_listen")
        return self.user("/affirm", "affirm", None, 1.0)

    def recommend(self, levers: list[str], lang: str) -> Talk:
        blank = {"why": [], "amount": None, "next_step": "", "source": "", "criteria": []}
        cards = [{"id": i, "name": i.title(), **blank} for i in levers]
        buttons = [{"title": f"Détails : {i}", "payload": '/ask_about_lever{"lever":"' + i + '"}'} for i in levers]
        self.action("action_recommend")
        self.bot("Voici les leviers…", buttons, {"type": "lever_cards", "lang": lang, "levers": cards})
        self.slot("recommended", levers).slot("profile_confirmed", True).slot("api_down", False)
        return self.action("action_listen")

    def ask(self, text: str, lang: str, cited: bool | None) -> Talk:
        """A question: cited=True answered with sources, False in scope but no citation, None out of scope."""
        self.user(text, "ask_question", lang).action("action_answer_question")
        if cited is None:
            self.bot("Je ne peux répondre qu'aux questions…", [{"title": "Conseiller", "payload": "/request_advisor"}])
        else:
            citations = [{"title": "Doc", "source": "s001", "text": "…"}] if cited else []
            answer = {"answer": "…", "citations": citations, "levers": [], "in_scope": True, "lang": lang}
            self.bot("Réponse [1]", None, {"type": "answer", **answer})
        return self.slot("api_down", False).action("action_listen")

    def fallback(self, text: str, lang: str) -> Talk:
        self.user(text, "nlu_fallback", lang, 0.2).action("action_clarify")
        self.bot("Je ne suis pas sûr d'avoir compris.", [{"title": "être orienté", "payload": "/describe_project"}])
        return self.action("action_listen")

    def handoff(self, name: str, email: str) -> Talk:
        self.user("/request_advisor", "request_advisor", None, 1.0).action("handoff_form")
        self.slot("person_name", name).slot("email", email).slot("consent", True)
        self.action("action_file_handoff").bot(f"C'est noté, {name} : un conseiller vous écrira à {email}.")
        return self.slot("consent", None).action("action_listen")


def rows(talk: Talk) -> list[tuple]:
    out = []
    for e in talk.events:
        intent = (e.get("parse_data") or {}).get("intent", {}).get("name")
        out.append((talk.sender, e["event"], e["timestamp"], intent, e.get("name"), json.dumps(e)))
    return out


INSERT = sa.text(
    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
    "VALUES (:sender_id, :type_name, :timestamp, :intent_name, :action_name, :data)"
)
COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


def write(store: Store, *talks: Talk) -> None:
    engine = _engine(store)
    try:
        with engine.begin() as conn:
            for talk in talks:
                conn.execute(INSERT, [dict(zip(COLUMNS, row, strict=True)) for row in rows(talk)])
    finally:
        engine.dispose()


DAY1 = 1772442000.0  # 2026-03-02 09:00 UTC
DAY = 86400.0


def small_dataset(store: Store) -> dict[str, Talk]:
    """Five conversations whose figures the tests know exactly (see test_analytics)."""
    c1 = Talk("conv-fr-full", DAY1).session()
    c1.describe(
        "Notre start-up développe un logiciel de télésurveillance, il nous faut un financement",
        "fr",
        ["funding", "evidence"],
    )
    c1.qualify("fr").recommend(["grant", "trial"], "fr")
    c1.ask("Combien finance la subvention ?", "fr", cited=True)
    c1.ask("Quel temps fera-t-il demain à Paris ?", "fr", cited=None)
    c1.handoff("Ana Lopez", "ana@example.com")
    c2 = Talk("conv-en", DAY1 + 3600).session()
    c2.describe("Our startup builds remote monitoring software and needs funding", "en", ["funding"])
    c2.qualify("en").recommend(["grant"], "en")
    c2.ask("What will the weather be tomorrow in Paris?", "en", cited=None)
    c2.fallback("asdf qwerty zxcv", "en")
    c3 = Talk("conv-fr-dropped", DAY1 + DAY).session()
    c3.describe("Nous voulons former nos équipes au numérique en santé", "fr", ["training"])
    c3.ask("Quel temps fera-t-il à Paris demain matin ?", "fr", cited=False)
    c4 = Talk("conv-fr-hello", DAY1 + 3 * DAY).session().user("Bonjour", "greet", "fr").action("action_listen")
    c5 = Talk("conv-opened", DAY1 + 3 * DAY + 60).session()
    talks = {t.sender: t for t in (c1, c2, c3, c4, c5)}
    write(store, *talks.values())
    return talks


def handoff(reference: str, conversation_id: str, **fields: Any) -> Any:
    """A consented hand-off case with an empty profile and transcript; fields override (status, updated_at…)."""
    from api.models import Handoff

    values: dict[str, Any] = {
        "name": "Ana",
        "email": "a@example.com",
        "consent": True,
        "lang": "fr",
        "profile": {},
        "levers": [],
        "transcript": [],
        **fields,
    }
    return Handoff(reference=reference, conversation_id=conversation_id, **values)
