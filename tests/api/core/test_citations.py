"""Rendering statements: numbered references said once, the age of old information, past targets."""

from __future__ import annotations

import datetime as dt

from api.core.citations import Statement, parse_date, render
from api.core.tense import past_targets


def test_each_source_is_numbered_once_in_order_of_first_use(fixture_catalogue) -> None:
    """Two statements citing the same source share its number; citations carry publisher, date and link."""
    sts = [Statement("Premier fait", ("s001",)), Statement("Second fait.", ("s004", "s001"))]
    text, cites = render(sts, fixture_catalogue, "fr", dt.date(2021, 12, 1))
    assert text == "Premier fait. [1] Second fait. [2][1]"
    assert [(c["n"], c["source_id"]) for c in cites] == [(1, "s001"), (2, "s004")]
    assert cites[0]["publisher"] == "Gouvernement" and cites[0]["url"].startswith("https://")


def test_old_information_says_its_date_from_todays_date(fixture_catalogue) -> None:
    """Freshest statement over two years old: one line says its month and year; recent ones say nothing."""
    sts = [Statement("Un fait.", ("s001",), dt.date(2022, 10, 18))]
    old, _ = render(sts, fixture_catalogue, "fr", dt.date(2026, 12, 6))
    fresh, _ = render(sts, fixture_catalogue, "en", dt.date(2023, 1, 1))
    assert old.endswith("Dernière information datée d’octobre 2022.") and "Latest" not in fresh


def test_a_status_line_dated_that_month_says_the_date_once(fixture_catalogue) -> None:
    """"i-Nov : récurrent (information d'octobre 2024)." is not followed by "Dernière information datée d'octobre
    2024": the status line says it; a status line of another month does not."""
    when = dt.date(2024, 10, 1)
    status = [Statement("i-Nov : récurrent (information d’octobre 2024).", ("s001",), when)]
    said, _ = render(status, fixture_catalogue, "fr", dt.date(2026, 12, 7))
    assert said == "i-Nov : récurrent (information d’octobre 2024). [1]"
    en = [Statement("i-Nov: recurring (as known in October 2024).", ("s001",), when)]
    assert "Latest" not in render(en, fixture_catalogue, "en", dt.date(2026, 12, 7))[0]
    other = [*status, Statement("Un fait.", ("s004",), dt.date(2024, 11, 2))]
    assert render(other, fixture_catalogue, "fr", dt.date(2026, 12, 7))[0].endswith("datée de novembre 2024.")


def test_past_targets_from_todays_date() -> None:
    """A target year already over reads as a past target, with the year it was set; a future one is untouched."""
    text = "La stratégie prévoit 30 tiers-lieux d'ici 2025."
    said = past_targets(text, "fr", dt.date(2026, 12, 6), dt.date(2021, 10, 20))
    assert said == (
        "Objectif fixé en 2021 pour 2025, échéance aujourd'hui passée : la stratégie prévoit 30 tiers-lieux d'ici 2025."
    )
    assert past_targets(text, "fr", dt.date(2024, 5, 1), dt.date(2021, 10, 20)) == text
    assert past_targets("30 sites by 2030.", "en", dt.date(2026, 12, 6), None) == "30 sites by 2030."


def test_dates_in_brackets_are_read_in_both_notations() -> None:
    """[s001, 20/10/2021] and [s001, 2021-10-20] give the same date; anything else gives none."""
    assert parse_date("20/10/2021") == parse_date("2021-10-20") == dt.date(2021, 10, 20)
    assert parse_date("octobre 2021") is None
