"""Rate limits at the chat channels' edge: per conversation, per client address, and per platform (Slack or
Teams as a whole), each a moving window kept in this process's memory.

A message over a limit reaches neither NLU, nor the actions (hence the API), nor the tracker store. The founder
is told once per spell of refusals (the REST channel, which answers each request, tells each time).
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .settings import Limits, Network, Rate

MAX_KEYS = 50_000  # conversations or addresses remembered per window; the least recently seen go first


class Window:
    """At most `rate.count` hits per key in any `rate.seconds`: the times of a key's last hits, oldest first."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS) -> None:
        self.rate, self.clock, self.max_keys = rate, clock, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, key: str) -> float:
        """0 when the key may hit now, else the seconds until it may."""
        hits = self._hits.get(key)
        if hits is None or len(hits) < self.rate.count:
            return 0.0
        return max(hits[0] + self.rate.seconds - self.clock(), 0.0)

    def hit(self, key: str) -> None:
        hits = self._hits.pop(key, None)
        if hits is None:
            hits = deque(maxlen=self.rate.count)
        hits.append(self.clock())
        self._hits[key] = hits  # most recently seen last
        while len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)


@dataclass(frozen=True)
class Verdict:
    wait: float  # seconds before the next message may be heard; 0: heard now
    tell: bool  # the founder has not been told yet during this spell of refusals

    @property
    def allowed(self) -> bool:
        return self.wait == 0

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.wait))


class ChatLimits:
    """The limits of one Rasa server, shared by its channels (a client flooding through two is one client)."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits, self.clock = limits, clock
        made = {kind: Window(r, clock) for kind, r in
                (("sender", limits.sender), ("address", limits.address), ("platform", limits.platform)) if r}
        self.windows = made
        self._told: OrderedDict[str, float] = OrderedDict()  # sender -> when its spell of refusals ends

    def _keys(self, sender: str, address: str | None, platform: str | None) -> Iterable[tuple]:
        yield "sender", sender
        if platform is not None:
            yield "platform", platform
        elif address is not None and not _within(address, self.limits.exempt):
            yield "address", address

    def check(self, sender: str, address: str | None = None, platform: str | None = None) -> Verdict:
        """Whether this conversation's message may be heard now: counted against the conversation and, for a
        platform's message, the platform, else the client's address. A refused message is not counted."""
        keys = [(self.windows[kind], key) for kind, key in self._keys(sender, address, platform)
                if kind in self.windows]
        wait = max((window.wait(key) for window, key in keys), default=0.0)
        if wait == 0:
            for window, key in keys:
                window.hit(key)
            return Verdict(0.0, False)
        now = self.clock()
        told = self._told.get(sender, 0.0) > now
        if not told:
            self._told[sender] = now + wait
            self._told.move_to_end(sender)
            while len(self._told) > MAX_KEYS:
                self._told.popitem(last=False)
        return Verdict(wait, not told)


def _within(address: str, nets: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(peer: str, forwarded_for: str | None, trusted: Iterable[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For (read from the right) that is not itself a trusted proxy. Whatever a client writes there
    itself stands to the left of what the proxies add, so it is never read past an untrusted hop."""
    nets = tuple(trusted)
    if not nets or not _within(peer, nets):
        return peer
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, nets):
            return hop
    return hops[0] if hops else peer
