"""What has lapsed on a given day: review dates, due targets, past years written as ahead, old open calls."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from api.core.catalogue import load_catalogue
from api.core.lapsed import knowledge_lapses, past_as_future, report

REPO_KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"
DAY = dt.date(2026, 12, 6)


def _lapses(knowledge: Path, day: dt.date = DAY):
    return knowledge_lapses(load_catalogue(knowledge), knowledge / "documents", day)


def _edit_lever(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_past_years_written_as_ahead_are_found() -> None:
    """Targets and future tenses pointing at a past year are found; a dated announcement in brackets is not."""
    assert past_as_future("30 tiers-lieux d'ici 2025 (annonce du 18 octobre 2021).", "fr", DAY) == [2025]
    assert past_as_future("A barometer will be published during 2022.", "en", DAY) == [2022]
    assert past_as_future("30 sites by 2025, a date now past.", "en", DAY) == [2025]
    assert past_as_future("Un baromètre devait être publié courant 2022.", "fr", DAY) == []
    assert past_as_future("L'objectif fixé en 2021 était de 30 tiers-lieux pour 2025.", "fr", DAY) == []
    assert past_as_future("40 millions d'activations d'ici fin 2027.", "fr", DAY) == []  # still ahead


def test_a_due_target_is_wrong_until_said_in_the_past(knowledge_dir: Path) -> None:
    """A fact past its due date is an error; with lapsed_ok (its text in the past) it is listed on purpose."""
    path = knowledge_dir / "levers" / "grant.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    fact = {"text": {"fr": "Objectif : 10 projets.", "en": "Target: 10 projects."}, "as_of": "2021-10-20",
            "source": "s001", "due": "2025-12-31"}
    _edit_lever(path, facts=[*data["facts"], fact])
    (due,) = [x for x in _lapses(knowledge_dir) if x.kind == "due"]
    assert due.record == "lever:grant" and due.field == "facts.1" and not due.on_purpose
    _edit_lever(path, facts=[*data["facts"], {**fact, "lapsed_ok": True}])
    (due,) = [x for x in _lapses(knowledge_dir) if x.kind == "due"]
    assert due.on_purpose and report([due]) == {"wrong": 0, "on_purpose": 1, "lapses": [due.to_dict()]}


def test_an_old_open_status_and_an_expired_lever(knowledge_dir: Path) -> None:
    """An `open` status older than the review period is an error; past valid_until is on purpose only if closed."""
    desk = knowledge_dir / "levers" / "desk.yaml"
    kinds = {(x.kind, x.on_purpose) for x in _lapses(knowledge_dir, dt.date(2027, 1, 1))}
    assert ("stale-open", False) not in kinds  # known open on 2026-11-23: still fresh
    later = [x for x in _lapses(knowledge_dir, dt.date(2027, 6, 1)) if x.kind == "stale-open"]
    assert [(x.record, x.on_purpose) for x in later] == [("lever:desk", False)]
    _edit_lever(desk, valid_until="2026-01-01")
    (expired,) = [x for x in _lapses(knowledge_dir) if x.kind == "expired"]
    assert not expired.on_purpose
    _edit_lever(desk, status={"value": "closed", "known_on": "2026-01-01", "source": "s001"})
    (expired,) = [x for x in _lapses(knowledge_dir) if x.kind == "expired"]
    assert expired.on_purpose


def test_documents_past_review_or_speaking_of_the_past_as_ahead(knowledge_dir: Path) -> None:
    """A document paragraph with a past target, or a document past review_by, is listed as an error."""
    doc = knowledge_dir / "documents" / "fr" / "strategie.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nLe baromètre sera publié en 2022. [s001, 2021-10-20]\n")
    found = [x for x in _lapses(knowledge_dir) if x.record == "document:fr/strategie.md"]
    assert [(x.kind, x.on_purpose) for x in found] == [("past-as-future", False)]
    assert any(x.kind == "review" for x in _lapses(knowledge_dir, dt.date(2027, 6, 1)) if x.record.startswith("doc"))


def test_shipped_levers_and_documents_have_nothing_to_fix_today() -> None:
    """On the day they were last verified, the shipped levers and documents have no lapse that is not on purpose."""
    wrong = [x for x in _lapses(REPO_KNOWLEDGE) if not x.on_purpose and not x.record.startswith("fiche:")]
    assert wrong == []
