"""Read a founder's profile (stage, organisation, product, flags, needs) out of free text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from retrieval.analysis import detect_lang, fold, words

from .catalogue import VocabEntry, Vocabularies

SLOTS = ("needs", "stage", "product_kind", "organisation_type", "medical_device", "ai")
# How strongly a message expresses a need, before the need's own weight: NEED_SAID plus NEED_SAID_AGAIN per
# distinct wording of it found (one wording 0.8, two or more 1.0). Set by hand in the first version (2026-11-23);
# the router's thresholds on strength (NEEDS_ALONE...) were set with these values, on the first eval sets.
NEED_SAID, NEED_SAID_AGAIN = 0.6, 0.2
# A need named only to be set aside, right before its words: "plutôt tester, pas le financement", "rather than
# funding". Not "pas de financement" (a founder without funding needs some).
_NOT_THIS = re.compile(
    r"(\b(pas|plus) (le|la|les|l.)|\b(not|rather than|instead of|plutot que)( (le|la|les|l.|the))?"
    r"|\bau lieu (du|de la|des|d.))\s*$"
)
_NEGATION = re.compile(
    r"(\b(pas|plus|aucun) (besoin|encore besoin|interesses?)\b|\bn.avons pas besoin\b|"
    r"\b(no|don.?t|do not|not) (need|looking for|interested in)\b|\bsans\b)[^.;!?]{0,25}$"
)


class Profile(BaseModel):
    """What is known about a founder's project; None means not yet known (worth asking)."""

    model_config = ConfigDict(extra="forbid")

    stage: str | None = None
    organisation_type: str | None = None
    product_kind: str | None = None
    medical_device: bool | None = None
    ce_marked: bool | None = None
    ai: bool | None = None
    needs: list[str] = Field(default_factory=list)

    def merged_over(self, base: Profile) -> Profile:
        """This profile's known values win; needs are united, this one's first."""
        data = base.model_dump()
        for key, value in self.model_dump().items():
            if key == "needs":
                data["needs"] = list(dict.fromkeys([*value, *base.needs]))
            elif value is not None:
                data[key] = value
        return Profile(**data)

    def missing(self) -> list[str]:
        return [s for s in SLOTS if (not self.needs if s == "needs" else getattr(self, s) is None)]


@dataclass
class Extraction:
    """A profile read from text, with the evidence behind it."""

    profile: Profile
    lang: str
    need_strength: dict[str, float] = field(default_factory=dict)
    product_kinds: list[str] = field(default_factory=list)
    domain_terms: list[str] = field(default_factory=list)
    off_topic: list[str] = field(default_factory=list)
    known_words: int = 0
    personal: list[str] = field(default_factory=list)  # a private person's own situation
    health: list[str] = field(default_factory=list)  # symptoms, care, medicines: someone's own health
    unknowable: list[str] = field(default_factory=list)  # asks the future or someone's private contact details
    about_guichet: str | None = None  # a question about Guichet itself: its kind (vocabulary `about_guichet`)
    follow_up: str | None = None  # a question about what the conversation showed: its kind (vocabulary `follow_ups`)
    unwanted: list[str] = field(default_factory=list)  # needs the latest words set aside ("pas le financement")
    project: bool = False  # the text speaks of a project: a stage, organisation, product or project wording
    team: bool = False  # the writer speaks for a team or an organisation ("nous", "our")

    @property
    def private_person(self) -> bool:
        """A private person's own situation with no project in sight (out of scope for routing and answers)."""
        return bool(self.personal or self.health) and not self.project

    @property
    def patient(self) -> bool:
        """A person asking about their own (or a relative's) health: to be sent to their doctor or pharmacist."""
        return bool(self.health) and not self.project

    @property
    def has_domain_signal(self) -> bool:
        p = self.profile
        return bool(self.domain_terms or self.product_kinds or p.medical_device or p.ai)


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def expand_shorthand(text: str, vocab: Vocabularies) -> str:
    """The message with its chat shorthand written out ("c combien max" -> "c'est combien max"; vocabularies.yaml
    `shorthand`), so that every reading of it (the kind of answer asked, the words matched) sees the words."""
    for pattern, written in vocab.shorthand:
        text = _compiled(f"(?i){pattern}").sub(written, text)
    return text


def _combined(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation of an entry's patterns: it finds nothing exactly when none of them would. None
    when they do not combine (a pattern with global flags…): then each is run."""
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns))
    except re.error:
        return None


# id(an entry's pattern table) -> (that table, its alternation, its compiled patterns). The tables live
# as long as their catalogue; holding them here keeps an id from being reused while it is cached.
_PREPARED: dict[int, tuple[dict, re.Pattern[str] | None, tuple[re.Pattern[str], ...]]] = {}


def _prepared(entry_patterns: dict) -> tuple[re.Pattern[str] | None, tuple[re.Pattern[str], ...]]:
    cached = _PREPARED.get(id(entry_patterns))
    if cached is None or cached[0] is not entry_patterns:
        flat = tuple(p for pats in entry_patterns.values() for p in pats)
        if len(_PREPARED) > 8192:  # catalogues reloaded many times over
            _PREPARED.clear()
        cached = (entry_patterns, _combined(flat) if flat else None, tuple(_compiled(p) for p in flat))
        _PREPARED[id(entry_patterns)] = cached
    return cached[1], cached[2]


def _matches(entry_patterns: dict, text: str) -> list[re.Match[str]]:
    """Every match of every pattern, in the entry's order. Most entries match nothing in a given text:
    one search of their alternation tells so."""
    quick, compiled = _prepared(entry_patterns)
    if not compiled or (quick is not None and quick.search(text) is None):
        return []
    return [m for p in compiled for m in p.finditer(text)]


def _terms(entry_patterns: dict, text: str) -> list[str]:
    """The words the patterns find, left to right, without overlaps (one pass of their alternation)."""
    quick, compiled = _prepared(entry_patterns)
    if quick is not None:
        return [m.group(0) for m in quick.finditer(text)]
    return [m.group(0) for p in compiled for m in p.finditer(text)]


def _found(entry_patterns: dict, text: str) -> bool:
    """Whether any of the patterns matches (what _matches' truth says, without listing the matches)."""
    quick, compiled = _prepared(entry_patterns)
    if quick is not None:
        return quick.search(text) is not None
    return any(p.search(text) for p in compiled)


# A stage, organisation or product named only to be denied: "on est pas une startup", "it's not an app",
# "pas encore commercialisés" (a founder's correction says what the project is not, then what it is).
_DENIED = re.compile(
    r"(\b(pas|plus|non|not|no longer|never|jamais|sans|without)(\s+(vraiment|really|du tout|at all|encore|yet))?"
    r"(\s+(obtenu|eu|re[cç]u|decroche|got|obtained|received|been))?"
    r"|\b(don.?t|do not|doesn.?t|does not|won.?t) (use|have|need|involve|do)"
    r"|\b(haven.?t|have not|hasn.?t|has not|isn.?t|aren.?t|wasn.?t)(\s+yet)?(\s+(got|obtained|received|been))?)"
    r"(\s+(un|une|des|de|du|d.|l.|le|la|a|an|the|any))?\s*$"
)


def _stated(entry_patterns: dict, folded: str) -> bool:
    """Whether the patterns find the code in the text other than denied."""
    return _found(entry_patterns, folded) and any(
        not _DENIED.search(folded[: m.start()]) for m in _matches(entry_patterns, folded)
    )


def _held(vocab: Vocabularies, folded: str) -> list[tuple[int, int]]:
    """Where the text states what the project holds ("on a eu le marquage CE", a flag that has mentions): the
    words there are not a need, although the same words elsewhere would be one ("il nous faut le marquage CE")."""
    return [m.span() for e in vocab.flags.values() if e.mentions for m in _matches(e.patterns, folded)
            if not _DENIED.search(folded[: m.start()])]


def _denied(entry_patterns: dict, folded: str) -> bool:
    """Whether a denial precedes one of the words the patterns find ("pas encore le marquage CE")."""
    return any(_DENIED.search(folded[: m.start()]) for m in _matches(entry_patterns, folded))


def _first(table: dict[str, VocabEntry], text: str) -> str | None:
    return next((code for code, entry in table.items() if _stated(entry.patterns, text)), None)


# An organisation named as a place, a partner or a customer ("tester dans un hôpital", "pour les hôpitaux",
# "with a hospital") is not the founder's own: the words right before it say so.
_ELSEWHERE = re.compile(
    r"(\b(dans|au|aux|en|avec|aupres( de| d.)?|chez|pour|par|vers|sur|in|at|with|into|for|to|by|from)"
    r"(\s+(un|une|des|les|le|la|l.|du|d.|plusieurs|deux|trois|quelques|a|an|the|some|several|our|nos|notre|leurs?))?"
    r"|\ba (un|une|des|les|le|la|l.))\s*$"  # "à" folds to the English article "a": only with its determiner
)


def _own_organisation(vocab: Vocabularies, folded: str) -> str | None:
    """The founder's kind of organisation: stated (not denied) and not named as a place, partner or customer."""
    for code, entry in vocab.organisation_types.items():
        for m in _matches(entry.patterns, folded):
            before = folded[: m.start()]
            if not _DENIED.search(before) and not _ELSEWHERE.search(before):
                return code
    return None


def extract(text: str, vocab: Vocabularies) -> Extraction:
    """Detect every vocabulary code in the text; negated needs ("pas besoin de ...") and denied stages,
    organisations and products ("on est pas une startup") are left out."""
    folded = fold(text)
    lang, _ = detect_lang(text)
    strength: dict[str, float] = {}
    held = _held(vocab, folded)
    unwanted: list[str] = []
    for code, entry in vocab.needs.items():
        found = sorted((m for m in _matches(entry.patterns, folded)
                        if not any(a <= m.start() and m.end() <= b for a, b in held)), key=lambda m: m.start())
        denied = [_NEGATION.search(folded[: m.start()]) or _NOT_THIS.search(folded[: m.start()]) for m in found]
        hits = [m for m, no in zip(found, denied, strict=True) if not no]
        if found and denied[-1]:  # the latest word on it sets it aside: "en fait, pas le financement"
            unwanted.append(code)
        elif hits:
            strength[code] = min(1.0, NEED_SAID + NEED_SAID_AGAIN * len({m.group(0) for m in hits})) * entry.weight
    kinds = [c for c, e in vocab.product_kinds.items() if _stated(e.patterns, folded)]
    values: dict = {
        "stage": _last_stage(vocab, folded),
        "organisation_type": _own_organisation(vocab, folded),
        "product_kind": kinds[0] if kinds else None,
        "needs": sorted(strength, key=lambda c: -strength[c]),
    }
    implied: dict = {}
    for entry in [vocab.product_kinds[k] for k in kinds] + (
        [vocab.organisation_types[values["organisation_type"]]] if values["organisation_type"] else []
    ):
        for slot, v in entry.implies.items():
            implied.setdefault(slot, v)
    for slot, v in implied.items():
        if values.get(slot) is None:
            values[slot] = v
    for entry in vocab.flags.values():  # explicit statements win, in the vocabulary's order
        if _stated(entry.patterns, folded):
            values.update(entry.implies)
        elif _found(entry.patterns, folded) or _denied(entry.mentions, folded):
            values.update(entry.denied)  # named only to be denied: "on n'est pas encore marqué CE"
    domain = _terms(vocab.domain, folded)
    off = [m.group(0) for m in _matches(vocab.off_topic, folded)]
    profile = Profile(**values)
    personal = [m.group(0) for m in _matches(vocab.personal, folded)]
    health = [m.group(0) for m in _matches(vocab.patient, folded)]
    unknowable = [m.group(0) for m in _matches(vocab.unknowable, folded)]
    about = next((kind for kind, patterns in vocab.about_guichet.items() if _found(patterns, folded)), None)
    follow_up = next((kind for kind, patterns in vocab.follow_ups.items() if _found(patterns, folded)), None)
    project = bool(
        profile.stage or profile.organisation_type or profile.product_kind or profile.medical_device
        or profile.ai or _found(vocab.project, folded)
    )
    return Extraction(
        profile=profile,
        lang=lang,
        need_strength=strength,
        product_kinds=kinds,
        domain_terms=domain,
        off_topic=off,
        known_words=len(words(text)),
        personal=personal,
        health=health,
        unknowable=unknowable,
        about_guichet=about,
        follow_up=follow_up,
        unwanted=unwanted,
        project=project,
        team=_found(vocab.team, folded),
    )


def _last_stage(vocab: Vocabularies, folded: str) -> str | None:
    """The most advanced stage the text mentions (stages are listed in order in the vocabulary)."""
    found = [code for code, entry in vocab.stages.items() if _stated(entry.patterns, folded)]
    return found[-1] if found else None
