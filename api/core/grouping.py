"""Group similar questions with the project's own French/English analysis: greedy token-set Jaccard."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.analysis import detect_lang, fold, tokenize

THRESHOLD = 0.4  # Jaccard of stem sets at which two questions count as the same question


@dataclass
class Group:
    label: str  # the most frequent wording in the group
    count: int = 0
    examples: list[str] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)


@lru_cache(maxsize=8192)
def stems(text: str) -> frozenset[str]:
    """Stems of the content words, in the language the text is written in."""
    return frozenset(tokenize(text, detect_lang(text)[0]))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def group_questions(
    items: list[tuple[str, str]], threshold: float = THRESHOLD, max_examples: int = 3, max_ids: int = 5
) -> list[Group]:
    """(conversation id, text) pairs into groups, biggest first; each question joins the most similar group
    whose first question's stems it shares at least `threshold` of, else starts a new group. Candidate groups
    come from an inverted index of stems, so the cost stays near-linear in the number of questions."""
    groups: list[Group] = []
    seeds: list[frozenset[str]] = []
    postings: dict[str, list[int]] = defaultdict(list)
    wordings: list[Counter[str]] = []
    for conversation, text in items:
        text = " ".join(text.split())
        key = stems(text)
        if not key:
            key = frozenset({fold(text)})
        candidates = {i for s in key for i in postings.get(s, ())}
        best, best_sim = -1, 0.0
        for i in candidates:
            sim = jaccard(key, seeds[i])
            if sim > best_sim or (sim == best_sim and i < best):
                best, best_sim = i, sim
        if best < 0 or best_sim < threshold:
            best = len(groups)
            groups.append(Group(label=text, stems=set(key)))
            seeds.append(key)
            wordings.append(Counter())
            for s in key:
                postings[s].append(best)
        g = groups[best]
        g.count += 1
        wordings[best][text] += 1
        if text not in g.examples and len(g.examples) < max_examples:
            g.examples.append(text)
        if conversation not in g.conversations and len(g.conversations) < max_ids:
            g.conversations.append(conversation)
    for g, words in zip(groups, wordings, strict=True):
        g.label = words.most_common(1)[0][0]
    return sorted(groups, key=lambda g: (-g.count, g.label))
