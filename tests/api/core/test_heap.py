"""api/core/heap.py: the brain's objects frozen out of the collector, given back before a new freeze."""

from __future__ import annotations

import gc
import weakref

from api.core import heap


class _Cyclic:
    def __init__(self) -> None:
        self.me = self  # only the cyclic collector can free it


def test_settle_freezes_what_lives_and_frees_what_was_frozen_before() -> None:
    try:
        old = _Cyclic()
        gone = weakref.ref(old)
        assert heap.settle() > 0
        assert gc.get_freeze_count() > 0
        del old
        gc.collect()
        assert gone() is not None  # frozen: a full collection does not look at it
        heap.settle()  # a new brain: the previous frozen set goes back to the collector first
        assert gone() is None
    finally:
        gc.unfreeze()


def test_settle_disabled_does_nothing() -> None:
    gc.unfreeze()
    assert heap.settle(enabled=False) == 0
    assert gc.get_freeze_count() == 0
