"""The period a question asks about, and the answers that cannot speak for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from api.core.catalogue import load_catalogue
from api.core.periods import asked_period, later_years, newer_than_known, spans

TODAY = dt.date(2026, 12, 6)
NAMED = load_catalogue(Path(__file__).resolve().parents[3] / "knowledge").vocab.named_years


def test_a_year_in_a_programmes_name_is_not_the_future() -> None:
    """"France 2030" and "Innovation santé 2030" are names; "en 2028" asks about a year to come."""
    assert not later_years("Les appels France 2030 sont-ils encore ouverts ?", TODAY, NAMED)
    assert not later_years("le plan innovation santé 2030, c'est combien ?", TODAY, NAMED)
    assert later_years("Combien paiera PECAN en 2028 ?", TODAY, NAMED)
    assert later_years("la vague 2027 des tiers-lieux", TODAY, NAMED)


@pytest.mark.parametrize(
    ("question", "start", "label"),
    [
        ("How many PECAN applications were refused in October 2026?", dt.date(2026, 10, 1), "October 2026"),
        ("combien de dossiers PECAN acceptés en août 2026 ?", dt.date(2026, 8, 1), "août 2026"),
        ("combien de lauréats en 2026 ?", dt.date(2026, 1, 1), "2026"),
        ("how many laureates this year?", dt.date(2026, 1, 1), "2026"),
        ("entre mars 2025 et avril 2026, combien ?", dt.date(2025, 3, 1), "mars 2025"),
    ],
)
def test_asked_period_is_a_month_or_the_current_year(question: str, start: dt.date, label: str) -> None:
    """A named month, or the current year said as the time asked about, from the earliest named."""
    period = asked_period(question, TODAY, NAMED)
    assert period is not None and period.start == start and label in period.label.values()


@pytest.mark.parametrize(
    "question",
    ["société créée en 2024, on est éligibles à i-Lab ?", "France 2030 : quels appels ?", "combien pour i-Lab ?"],
)
def test_no_period_in_a_story_or_a_programme_name(question: str) -> None:
    """A past year of the founder's story and a programme's name ask about no period."""
    assert asked_period(question, TODAY, NAMED) is None


def test_newer_than_known_compares_with_the_latest_statement() -> None:
    """The period must begin after every dated statement; undated statements say nothing either way."""
    assert asked_period("toujours ok en décembre 2026 ?", TODAY, NAMED).holds(TODAY)
    assert asked_period("et en 2026 ?", TODAY, NAMED).holds(TODAY)
    assert not asked_period("en octobre 2026 ?", TODAY, NAMED).holds(TODAY)
    october = asked_period("en octobre 2026 ?", TODAY, NAMED)
    assert october is not None
    assert newer_than_known(october, [dt.date(2025, 9, 16), None])
    assert not newer_than_known(october, [dt.date(2025, 9, 16), dt.date(2026, 11, 2)])
    assert not newer_than_known(october, [None])


def test_an_answer_older_than_the_month_asked_says_it_does_not_know(fixture_brain) -> None:
    """A fiche dated July 2023 cannot say what happened in October 2026: "I don't know", with its latest date,
    and no figure of the older answer."""
    res = fixture_brain.ask("Was remote monitoring reimbursed in October 2026?", today=TODAY)
    assert not res["found"] and "don't know for October 2026" in res["answer"]
    assert "July 2023" in res["answer"] and "30" not in res["answer"]
    same = fixture_brain.ask("Since when is remote monitoring reimbursed?", today=TODAY)
    assert same["found"] and same["fiche"] == "remote-monitoring"


def test_a_date_in_the_founders_story_is_not_the_period_asked(fixture_brain) -> None:
    """A month or a year the founder tells ("filed in March 2024", "we launch in 2027") is not what the sentence
    that asks is about: the answer is given, not "I don't know for March 2024" nor a refusal of the future."""
    told = fixture_brain.ask(
        "We filed in October 2026 with our operator. Since when is remote monitoring reimbursed?", today=TODAY
    )
    assert told["found"] and told["fiche"] == "remote-monitoring"
    later = fixture_brain.ask("We launch in 2028. Since when is remote monitoring reimbursed?", today=TODAY)
    assert later["found"] and later["fiche"] == "remote-monitoring"
    asked = fixture_brain.ask("We filed last year. Was remote monitoring reimbursed in October 2026?", today=TODAY)
    assert not asked["found"] and "October 2026" in asked["answer"]


def test_spans_of_time_read_with_their_length_and_unit() -> None:
    assert spans("Combien de projets financés un an après le lancement ?") == {(1, "year")}
    assert spans("deux ans après : combien de projets ?") == {(2, "year")}
    assert spans("first-year results, then the two-year review") == {(1, "year"), (2, "year")}
    assert spans("déposer dans les 9 mois, la 1ère année") == {(9, "month"), (1, "year")}
    assert spans("year one of the strategy") == {(1, "year")}
    assert spans("en 2025, puis 2026") == frozenset()  # a year is no span
