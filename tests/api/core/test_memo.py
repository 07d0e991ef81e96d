"""Reusing staff figures: exact state, a short grace for growth only, never across deletions or API changes."""

from __future__ import annotations

from api.core.memo import Memo


def test_memo_reuse_rules() -> None:
    """Same state hits; growth hits within the grace; shrinking, API changes or an expired grace recompute."""
    now = [0.0]
    memo = Memo(size=2, grace=30, clock=lambda: now[0])
    api, tracker = (1, 1, 0, 0, None), (100, 90)
    memo.put(("all",), (api, tracker), {"total": 5})
    assert memo.get(("all",), (api, tracker)) == {"total": 5}
    assert memo.get(("all",), (api, (120, 110))) == {"total": 5}  # the bot wrote more: fine for 30 s
    assert memo.get(("all",), (api, (100, 80))) is None  # rows deleted (erasure, purge)
    assert memo.get(("all",), ((2, 2, 0, 0, None), tracker)) is None  # new feedback
    now[0] = 31
    assert memo.get(("all",), (api, (120, 110))) is None and memo.get(("all",), (api, tracker)) == {"total": 5}
    memo.put(("a",), (api, tracker), 1)
    memo.put(("b",), (api, tracker), 2)
    assert memo.get(("all",), (api, tracker)) is None  # the oldest key went
    memo.clear()
    assert memo.get(("b",), (api, tracker)) is None


def test_exact_only_results_get_no_grace() -> None:
    """A result kept exact_only (the start-up warm-up) serves only the very state it was computed on."""
    memo = Memo(grace=30, clock=lambda: 0.0)
    api, tracker = (1, 1, 0, 0, None), (100, 90)
    memo.put(("all",), (api, tracker), {"total": 5}, exact_only=True)
    assert memo.get(("all",), (api, tracker)) == {"total": 5}
    assert memo.get(("all",), (api, (120, 110))) is None  # grown since: recomputed, not 30 s behind
