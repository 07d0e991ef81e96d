"""Keep the long-lived objects (the models and indexes the brain loaded) out of Python's cyclic collector.

A full collection walks every tracked object: with torch, transformers, ONNX Runtime and the index loaded
that is hundreds of thousands of objects, and every request waits meanwhile. After the brain is built, what
exists is frozen (`gc.freeze()`): never walked again, the collector sees only what requests allocate.
Before freezing anew (a re-index swapped the brain), the previous frozen set is given back to the collector,
so the old brain is collected rather than kept forever.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("guichet.api")


def settle(enabled: bool = True) -> int:
    """Collect, then freeze what survives; the number of objects frozen (0 when disabled)."""
    if not enabled:
        return 0
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    log.debug("%d long-lived objects kept out of the cyclic collector", count)
    return count
