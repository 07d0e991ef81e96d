"""Grouping similar unanswered questions with the project's French/English analysis."""

from __future__ import annotations

from api.core.grouping import group_questions, jaccard, stems


def test_inflections_and_accents_fold_together() -> None:
    """Plural, accents and word order do not split a French question from its variant."""
    assert stems("Quelles aides pour les dispositifs médicaux ?") == stems("aide dispositif medical quelle")


def test_greedy_groups_biggest_first() -> None:
    """Similar questions share a group labelled by their most frequent wording; unrelated ones stand alone."""
    items = [
        ("a", "Quel temps fera-t-il demain ?"),
        ("b", "Quel temps fera-t-il demain ?"),
        ("c", "quel temps fait-il demain à Paris"),
        ("d", "Comment obtenir le marquage CE ?"),
        ("e", "What is the weather tomorrow?"),
    ]
    groups = group_questions(items)
    assert [(g.label, g.count) for g in groups] == [
        ("Quel temps fera-t-il demain ?", 3),
        ("Comment obtenir le marquage CE ?", 1),
        ("What is the weather tomorrow?", 1),
    ]
    assert groups[0].conversations == ["a", "b", "c"] and groups[0].examples[1] == "quel temps fait-il demain à Paris"


def test_threshold_and_empty_texts() -> None:
    """Below the threshold questions stay apart; texts of stop words only still get a group."""
    assert jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == 1 / 3
    groups = group_questions([("a", "financement clinique"), ("b", "financement export"), ("c", "le la les")], 0.5)
    assert sorted(g.count for g in groups) == [1, 1, 1]
