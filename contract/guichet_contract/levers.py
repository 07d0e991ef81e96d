"""Which lever a founder means: an id, a name or alias in either language, or failing that the closest name.

The levers come from the API (GET /levers, in each language): nothing here names one. A phrase that
matches no lever clearly enough resolves to None, and the caller answers the message as a question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .language import EN, FR, fold

_TOKEN = re.compile(r"[a-z0-9]+")
_RAW_TOKEN = re.compile(r"[A-Za-z0-9]+")
_STOP = FR | EN
# The closest name must cover at least this share of the phrase's weight, and beat the runner-up.
MIN_SHARE = 0.5


def _names(entry: Mapping) -> list[str]:
    """A lever's names and aliases: `name` (a string or {lang: name}) and `aliases` (the same, or a list)."""
    out: list[str] = []
    for key in ("name", "aliases"):
        value = entry.get(key)
        values = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else [value]
        for v in values:
            out.extend(str(x) for x in (v if isinstance(v, list) else [v]) if x)
    return out


def _slugs(text: str) -> tuple[str, str]:
    """The text as an id would spell it ("tiers-lieux"), and the same without separators ("gnius")."""
    words = _TOKEN.findall(fold(text))
    return "-".join(words), "".join(words)


def tokens(text: str) -> frozenset[str]:
    """The words that tell a name apart: folded, stop words out unless written as an acronym ("HAS"), a
    plural s or x dropped (lieux -> lieu)."""
    out = set()
    for raw in _RAW_TOKEN.findall(fold(text, lower=False)):
        t = raw.lower()
        if (t in _STOP and not (raw.isupper() and len(raw) > 1)) or (len(t) < 2 and not t.isdigit()):
            continue
        out.add(t[:-1] if len(t) > 3 and t[-1] in "sx" else t)
    return frozenset(out)


@dataclass(frozen=True)
class LeverIndex:
    """Lever ids, exact names and name words with their weights (rarer across levers, heavier)."""

    ids: frozenset[str]
    exact: Mapping[str, str]  # slug of a name or alias -> lever id
    words: Mapping[str, frozenset[str]]  # lever id -> the words of its names and aliases
    weight: Mapping[str, float]  # word -> inverse lever frequency
    names: Mapping[str, tuple[frozenset[str], ...]]  # lever id -> the words of each of its names

    @classmethod
    def build(cls, levers: Iterable[Mapping]) -> LeverIndex:
        """From GET /levers entries (one listing per language may be given: entries of an id are merged)."""
        exact: dict[str, str] = {}
        words: dict[str, set] = {}
        names: dict[str, list[frozenset[str]]] = {}
        for entry in levers:
            lever_id = str(entry["id"])
            words.setdefault(lever_id, set())
            for name in [lever_id, *_names(entry)]:
                for slug in _slugs(name):
                    exact.setdefault(slug, lever_id)
                words[lever_id] |= tokens(name)
                names.setdefault(lever_id, []).append(tokens(name))
        n = len(words)
        df: dict[str, int] = {}
        for ws in words.values():
            for w in ws:
                df[w] = df.get(w, 0) + 1
        weight = {w: math.log((n + 1) / (d + 0.5)) for w, d in df.items()}
        return cls(
            frozenset(words), exact, {k: frozenset(v) for k, v in words.items()}, weight,
            {k: tuple(v) for k, v in names.items()},
        )

    def _share(self, phrase: frozenset[str], lever_id: str) -> float:
        # A word no lever name has weighs like the rarest name word: it speaks of something else.
        unknown = math.log((len(self.ids) + 1) / 1.5)
        total = sum(self.weight.get(w, unknown) for w in phrase)
        return sum(self.weight[w] for w in phrase & self.words[lever_id]) / total if total else 0.0

    def _named(self, phrase: frozenset[str], lever_id: str) -> float:
        """The share of the lever's name words the phrase says: "the clinical evaluation call" says more of
        "clinical evaluation subsidy" than of a long name that lists clinical evaluation among six steps."""
        best = 0.0
        for own in self.names[lever_id]:
            total = sum(self.weight[w] for w in own)
            best = max(best, sum(self.weight[w] for w in phrase & own) / total if total else 0.0)
        return best

    def ranked(self, phrase: str) -> list[tuple[str, float]]:
        """Every lever with the share of the phrase's weight its names cover, best first; between equal
        shares, the lever whose names the phrase says most of first (ties by id)."""
        ws = tokens(phrase)
        scored = [(i, self._share(ws, i), self._named(ws, i)) for i in self.ids]
        scored.sort(key=lambda p: (-p[1], -p[2], p[0]))
        return [(i, share) for i, share, _ in scored]

    def resolve(self, phrase: str | None) -> str | None:
        """The lever id the phrase means: an id, a name or alias (either language), else the clearly
        closest name; None when no lever is close enough or two are equally close."""
        if not phrase or not phrase.strip():
            return None
        for slug in _slugs(phrase):
            if slug in self.exact:
                return self.exact[slug]
        ws = tokens(phrase)
        scored = sorted(
            ((self._share(ws, i), self._named(ws, i), i) for i in self.ids), key=lambda p: (-p[0], -p[1], p[2])
        )
        if not scored or scored[0][0] < MIN_SHARE:
            return None
        if len(scored) > 1 and scored[1][0] >= scored[0][0] and (
            scored[1][1] >= scored[0][1] or scored[0][1] < MIN_SHARE
        ):  # as close as another, and not by saying most of its own name
            return None
        return scored[0][2]


    def spelled(self, text: str, longest: int = 8) -> list[tuple[str, str]]:
        """The levers whose id or exact name the text spells out, as (id, the words as an id would spell them),
        longest first and without overlaps: "c'est quoi la bourse french tech ?" spells "bourse-french-tech",
        and its "french tech" is part of that, not a second lever."""
        words = _TOKEN.findall(fold(text))
        found: list[tuple[int, int, str, str]] = []
        for size in range(min(longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                end = start + size
                if any(start < e and s < end for s, e, _, _ in found):
                    continue
                slug = "-".join(words[start:end])
                lever_id = self.exact.get(slug) or self.exact.get(slug.replace("-", ""))
                if lever_id is not None:
                    found.append((start, end, lever_id, slug))
        return [(lever_id, slug) for _, _, lever_id, slug in sorted(found)]


def resolve_lever(phrase: str | None, levers: Iterable[Mapping]) -> str | None:
    """resolve() on an index built from these levers (build the index once when resolving often)."""
    return LeverIndex.build(levers).resolve(phrase)
