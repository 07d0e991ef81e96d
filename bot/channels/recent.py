"""A bounded set of recently seen keys with a lifetime: deduplication of retried deliveries."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable


class Recent:
    """Keys seen in the last `ttl` seconds, at most `size` of them (oldest dropped first)."""

    def __init__(self, size: int, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.ttl, self.clock = size, ttl, clock
        self._keys: OrderedDict[str, float] = OrderedDict()

    def _expire(self) -> None:
        now = self.clock()
        while self._keys and (len(self._keys) > self.size or next(iter(self._keys.values())) < now - self.ttl):
            self._keys.popitem(last=False)

    def __contains__(self, key: str) -> bool:
        self._expire()
        return key in self._keys

    def add(self, key: str) -> bool:
        """Records the key; False when it was already there (a duplicate). An empty key is never a duplicate."""
        if not key:
            return True
        self._expire()
        if key in self._keys:
            return False
        self._keys[key] = self.clock()
        return True
