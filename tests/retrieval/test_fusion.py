"""Tests for retrieval.fusion.reciprocal_rank_fusion against hand-computed values."""

from __future__ import annotations

import pytest

from retrieval.fusion import reciprocal_rank_fusion


def test_two_rankings_hand_computed():
    """With k=60, [a,b,c] and [b,c,d] fuse to the exact sums of 1/(60+rank)."""
    fused = reciprocal_rank_fusion({"lex": ["a", "b", "c"], "dense": ["b", "c", "d"]}, k=60)
    expected = {
        "a": 1 / 61,
        "b": 1 / 62 + 1 / 61,
        "c": 1 / 63 + 1 / 62,
        "d": 1 / 63,
    }
    assert [item for item, _, _ in fused] == ["b", "c", "a", "d"]
    for item, score, _ in fused:
        assert score == pytest.approx(expected[item], abs=1e-12)


def test_ranks_dict_records_rank_in_each_ranking():
    """Each fused item carries {ranking name: 1-based rank} for the rankings it appears in."""
    fused = reciprocal_rank_fusion({"lex": ["a", "b", "c"], "dense": ["b", "c", "d"]})
    ranks = {item: r for item, _, r in fused}
    assert ranks == {
        "a": {"lex": 1},
        "b": {"lex": 2, "dense": 1},
        "c": {"lex": 3, "dense": 2},
        "d": {"dense": 3},
    }


def test_default_k_is_60():
    """The default constant is k=60, as in Cormack et al. (2009)."""
    assert reciprocal_rank_fusion({"r": ["x"]}) == [("x", pytest.approx(1 / 61), {"r": 1})]


def test_other_k():
    """k changes every contribution to w/(k + rank)."""
    fused = reciprocal_rank_fusion({"r1": ["x", "y"], "r2": ["y"]}, k=1)
    assert dict((i, s) for i, s, _ in fused) == pytest.approx({"x": 1 / 2, "y": 1 / 3 + 1 / 2})


def test_weight_zero_drops_a_ranking():
    """A ranking with weight 0 contributes neither scores nor ranks."""
    fused = reciprocal_rank_fusion({"lex": ["a", "b"], "dense": ["c", "b"]}, weights={"lex": 1.0, "dense": 0.0})
    assert [(i, r) for i, _, r in fused] == [("a", {"lex": 1}), ("b", {"lex": 2})]
    assert fused[0][1] == pytest.approx(1 / 61)
    assert fused[1][1] == pytest.approx(1 / 62)


def test_weight_two_doubles_contribution():
    """A weight of 2 doubles a ranking's contribution and can change the winner."""
    rankings = {"lex": ["a", "b"], "dense": ["b", "a"]}
    fused = reciprocal_rank_fusion(rankings, weights={"lex": 1.0, "dense": 2.0})
    scores = {i: s for i, s, _ in fused}
    assert scores["a"] == pytest.approx(1 / 61 + 2 / 62)
    assert scores["b"] == pytest.approx(1 / 62 + 2 / 61)
    assert fused[0][0] == "b"


def test_missing_weight_defaults_to_one():
    """A ranking not named in weights counts with weight 1."""
    fused = reciprocal_rank_fusion({"lex": ["a"], "dense": ["b"]}, weights={"dense": 0.5})
    assert dict((i, s) for i, s, _ in fused) == pytest.approx({"a": 1 / 61, "b": 0.5 / 61})


def test_ties_keep_first_seen_order():
    """Items with equal fused scores keep the order in which they were first seen."""
    fused = reciprocal_rank_fusion({"r1": ["a", "x"], "r2": ["b", "y"]})
    assert [i for i, _, _ in fused] == ["a", "b", "x", "y"]


def test_empty_input():
    """No rankings, or only empty ones, fuse to an empty list."""
    assert reciprocal_rank_fusion({}) == []
    assert reciprocal_rank_fusion({"lex": [], "dense": []}) == []


def test_single_ranking_keeps_its_order():
    """Fusing one ranking returns it unchanged, with scores 1/(k+rank)."""
    fused = reciprocal_rank_fusion({"only": [3, 1, 2]}, k=10)
    assert [(i, s) for i, s, _ in fused] == [
        (3, pytest.approx(1 / 11)),
        (1, pytest.approx(1 / 12)),
        (2, pytest.approx(1 / 13)),
    ]
