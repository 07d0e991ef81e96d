"""guichet_contract.inputs: which conversation ids and names may be stored and echoed (both environments)."""

from __future__ import annotations

import pytest
from guichet_contract import name_problem, sender_problem, tidy_name, unsafe_character

ESCAPES = ["\x00", "\x1b[2J", "\x07", "\x9b", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200b", "\ufeff",
           "\u2028", "\u2029", "\ud800", "\ue000"]


@pytest.mark.parametrize("bad", ESCAPES)
def test_control_format_and_separator_characters_are_refused_everywhere(bad: str) -> None:
    """NUL, terminal escapes, C1 controls, bidi overrides and isolates, marks, zero-width characters, line and
    paragraph separators, surrogates and private use: refused in ids and names alike."""
    assert unsafe_character(f"a{bad}b") == f"U+{ord(bad[0]):04X}"
    assert sender_problem(f"user{bad}") and name_problem(f"Ana {bad}Lopez")


def test_plain_ids_and_names_pass() -> None:
    """The channels' ids, accented and hyphenated names, and markup (escaped by each renderer) pass."""
    for sender in ("a" * 64, "slack:T1:C1:1712.5:U1", "teams:" + "f" * 40, "test-user 1"):
        assert sender_problem(sender) is None
    for name in ("Zoé O'Hara-Łukasz", "李小龙", "Bob <!channel> *gras*", "Ana\tLopez\n"):
        assert name_problem(name) is None
    assert tidy_name("  Ana \t Lopez\n") == "Ana Lopez"


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "a", "--", "/affirm", "x" * 101, 42])
def test_blank_letterless_or_oversized_names_are_refused(name: object) -> None:
    """Blank, one letter, no letter, a payload, over 100 characters or not a string."""
    assert name_problem(name)


@pytest.mark.parametrize("sender", ["", " ", "x" * 129, None, 7])
def test_empty_blank_or_long_sender_ids_are_refused(sender: object) -> None:
    assert sender_problem(sender)
