"""The lever catalogue and its vocabularies: YAML records validated by a schema at load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from .fiches import Fiche, FicheStatus
from .records import LANGS, Code, I18n, I18nList, Lang, Source, Strict, Text  # noqa: F401 (re-exported)

M = TypeVar("M", bound=BaseModel)


class CatalogueError(ValueError):
    """A knowledge file that does not match the schema; the message names the file and the field."""


# Where a lever, a call or a fact stands (proposed, announced, open, closed, recurring, in-force, unknown), as
# known on a date, with the source that says so: the same type as a fiche's status.
Status = FicheStatus


AmountScope = Literal["national", "per-project", "reference"]
AmountPeriod = Literal["total", "per-year", "per-project", "per-patient"]
# What each scope of amount may be counted over: a national envelope is a total or a yearly budget.
_PERIODS: dict[str, set[str]] = {
    "national": {"total", "per-year"},
    "per-project": {"per-project", "per-year", "per-patient"},
    "reference": {"total", "per-year", "per-project", "per-patient"},
}


class Amount(Strict):
    """A figure with the date it holds for and what it is, so that no national envelope reads as what a
    founder can get: `scope` national (a budget for the whole country), per-project (what one project can
    get, only where a source says so) or reference (a threshold, a market size); `period` total, per-year,
    per-project or per-patient. Both are required: an amount says what it is. A figure tied to a target or a
    plan says when it fell `due`; once that date has passed, `lapsed_ok` says the label is written in the past."""

    value_eur: float = Field(gt=0)
    scope: AmountScope
    period: AmountPeriod
    label: I18n
    as_of: dt.date
    source: Code
    due: dt.date | None = None
    lapsed_ok: bool = False

    @model_validator(mode="after")
    def _period_fits_scope(self) -> Amount:
        if self.period not in _PERIODS[self.scope]:
            raise ValueError(f"a {self.scope} amount cannot be counted {self.period}: {sorted(_PERIODS[self.scope])}")
        return self


class Fact(Strict):
    """One sourced, dated statement about a lever. A target, forecast or plan says when it falls `due`; a fact
    about a call or a measure may carry its `status`. `lapsed_ok` marks a fact whose due date has passed (or whose
    open status is old) on purpose: its text says so in the past, with the outcome where a source gives it."""

    text: I18n
    as_of: dt.date
    source: Code
    status: Status | None = None
    due: dt.date | None = None
    lapsed_ok: bool = False

    @model_validator(mode="after")
    def _lapse_needs_a_date(self) -> Fact:
        if self.lapsed_ok and self.due is None and self.status is None:
            raise ValueError("lapsed_ok needs a due date or a status: say what lapsed")
        return self


# ce_marked decides criteria but is never asked for on its own (profile.SLOTS): said by the founder ("marqué CE",
# "pas encore marqué CE"), it tells a step that needs the marking from one that can be taken now.
SlotName = Literal["stage", "organisation_type", "product_kind", "medical_device", "ce_marked", "ai", "needs"]


class Criterion(Strict):
    """An eligibility rule: a profile slot and the values that meet it, with the clause behind it."""

    id: Code
    name: I18n
    slot: SlotName
    accepts: list[str | bool] = Field(min_length=1)
    required: bool  # no default: whether failing it closes the lever is a decision each record states
    clause: I18n
    source: Code


class Contact(Strict):
    channel: Literal["web", "email", "call-for-projects", "network", "platform"]
    label: I18n
    url: str | None = None


# A need a lever weighs at this or more is one it is for: the router says "it answers: ..." and sends founders
# with that need to it, and the need's label is one of the lever's example phrasings; below, the need only adds
# to its score (a research programme touches funding, but a founder after funding is not sent to it). The
# records give their main need 1.0 and secondary ones 0.2-0.8 (knowledge/README.md); set by hand in the first
# version (2026-11-23).
PRIMARY_NEED = 0.5


class Lever(Strict):
    """One programme, fund, place or contact of the strategy a founder can be routed to; its `status` says where
    it stands, as known on a date, and which source says so."""

    id: Code
    name: I18n
    summary: I18n
    operator: I18n
    axis: int | None = Field(default=None, ge=1, le=5)
    lever_type: Code
    # A topic shown inside another lever's card (a step of the path that lever opens onto: early coverage
    # within market access, HDS hosting within regulatory orientation). Routed on its own needs, criteria and
    # examples, it lifts its lever and is named on its card; it never says who runs what.
    within: Code | None = None
    stages: list[Code] = Field(default_factory=list)
    organisation_types: list[Code] = Field(default_factory=list)
    product_kinds: list[Code] = Field(default_factory=list)
    needs: dict[Code, float] = Field(min_length=1)
    examples: I18nList
    criteria: list[Criterion] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    facts: list[Fact] = Field(min_length=1)
    conditions: I18nList
    next_steps: I18nList
    contact: Contact
    status: Status
    sources: list[Code] = Field(min_length=1)
    valid_from: dt.date
    valid_until: dt.date | None = None
    last_verified: dt.date
    review_by: dt.date

    @model_validator(mode="after")
    def _weights(self) -> Lever:
        bad = {k: v for k, v in self.needs.items() if not 0 < v <= 1}
        if bad:
            raise ValueError(f"need weights must be in (0, 1]: {bad}")
        return self

    @model_validator(mode="after")
    def _dates(self) -> Lever:
        if self.review_by <= self.last_verified:
            raise ValueError("review_by must come after last_verified")
        known = [("status", self.status)] + [(f"facts.{i}.status", f.status) for i, f in enumerate(self.facts)]
        for where, st in known:
            if st is not None and st.known_on > self.last_verified:
                raise ValueError(f"{where}.known_on {st.known_on} is after last_verified {self.last_verified}")
        return self

    def cited(self) -> set[str]:
        """Every source id the record cites: facts, amounts, criteria and statuses."""
        ids = {a.source for a in self.amounts} | {f.source for f in self.facts} | {c.source for c in self.criteria}
        ids |= {self.status.source, *self.status.note_sources} | {f.status.source for f in self.facts if f.status}
        return ids


class VocabEntry(Strict):
    """A stable English code with its labels and the patterns that detect it in free text."""

    label: I18n
    weight: float = Field(default=1.0, gt=0, le=1)  # how telling a need is: generic needs weigh less
    patterns: dict[Lang, list[str]] = Field(default_factory=dict)
    implies: dict[str, str | bool | list[str]] = Field(default_factory=dict)
    # A flag whose every mention is denied ("pas encore marqué CE", "we don't use AI") sets these instead.
    denied: dict[str, bool] = Field(default_factory=dict)
    # Words that name what a flag says without stating it ("le marquage CE" may be sought as well as held):
    # they set `denied` when a denial precedes them ("on n'a pas encore le marquage CE"), nothing otherwise.
    mentions: dict[Lang, list[str]] = Field(default_factory=dict)


class AnswerType(Strict):
    """Patterns of a question that expects this kind of answer, and of a passage that holds one."""

    question: list[str] = Field(min_length=1)
    evidence: list[str] = Field(min_length=1)


class Vocabularies(Strict):
    stages: dict[Code, VocabEntry]
    organisation_types: dict[Code, VocabEntry]
    product_kinds: dict[Code, VocabEntry]
    needs: dict[Code, VocabEntry]
    lever_types: dict[Code, VocabEntry]
    flags: dict[Code, VocabEntry]  # medical_device, ai, and their negations
    domain: dict[Lang, list[str]]  # terms that make a message about digital-health innovation
    off_topic: dict[Lang, list[str]] = Field(default_factory=dict)  # injection and chit-chat patterns
    # A private person's own situation (their age, tests, treatment, loan, taxes): out of scope unless the
    # message also speaks of a project (a stage, an organisation, a product, or `project` wording).
    personal: dict[Lang, list[str]] = Field(default_factory=dict)
    # Someone's own or a relative's health (a symptom, a medicine, a pain): told to ask their doctor or
    # pharmacist (15 or 112 in an emergency) unless the message also speaks of a project.
    patient: dict[Lang, list[str]] = Field(default_factory=dict)
    unknowable: dict[Lang, list[str]] = Field(default_factory=dict)  # the future, private contact details
    # Questions about Guichet itself, by kind: `data` (what it keeps of the founder, for how long, who reads it),
    # `erase` (forget me), `service` (who runs it, is it free): answered from what the service does, not the
    # knowledge base.
    about_guichet: dict[Code, dict[Lang, list[str]]] = Field(default_factory=dict)
    follow_ups: dict[Code, dict[Lang, list[str]]] = Field(default_factory=dict)
    # Names that hold a year ("France 2030", "Innovation santé 2030"): the year is not a date asked about.
    named_years: list[str] = Field(default_factory=list)
    project: dict[Lang, list[str]] = Field(default_factory=dict)
    team: dict[Lang, list[str]] = Field(default_factory=dict)  # first person plural: a team or organisation speaks
    default_need: Code = "orientation"  # assumed for an in-scope message that names no need
    # Chat shorthand read as the words it stands for ("cmb" -> "combien", "qd" -> "quand"): [pattern, words],
    # each pattern matched case-insensitively on the message as typed.
    shorthand: list[tuple[str, str]] = Field(default_factory=list)
    answer_types: dict[Code, AnswerType] = Field(default_factory=dict)


class Catalogue(Strict):
    """Everything under knowledge/ that is structured: levers, fiches, sources, vocabularies."""

    levers: tuple[Lever, ...]
    sources: dict[str, Source]
    vocab: Vocabularies
    fiches: tuple[Fiche, ...] = ()

    def fiche(self, fiche_id: str) -> Fiche | None:
        return next((f for f in self.fiches if f.id == fiche_id), None)

    def lever(self, lever_id: str) -> Lever | None:
        return next((lv for lv in self.levers if lv.id == lever_id), None)

    def topics(self, lever_id: str) -> list[Lever]:
        """The topics shown inside a lever's card (records whose `within` names it)."""
        return [lv for lv in self.levers if lv.within == lever_id]

    def due_for_review(self, today: dt.date) -> list[tuple[str, str, dt.date]]:
        """Records whose review date or validity has passed: (kind, id, date)."""
        due = []
        for lv in self.levers:
            if lv.review_by < today:
                due.append(("lever", lv.id, lv.review_by))
            if lv.valid_until and lv.valid_until < today:
                due.append(("lever-expired", lv.id, lv.valid_until))
        for fiche in self.fiches:
            if fiche.review_by < today:
                due.append(("fiche", fiche.id, fiche.review_by))
        return due


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read YAML: {exc}") from exc


def _describe(path: Path, exc: ValidationError) -> CatalogueError:
    lines = [f"{path}: invalid record"]
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(record)"
        lines.append(f"  field {where}: {err['msg']}")
    return CatalogueError("\n".join(lines))


def _validate(model: type[BaseModel], path: Path, data: object) -> BaseModel:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _describe(path, exc) from exc


def load_catalogue(root: Path) -> Catalogue:
    """Load and cross-check knowledge/: every code and source a lever uses must exist."""
    vocab = _validate(Vocabularies, root / "vocabularies.yaml", _read_yaml(root / "vocabularies.yaml"))
    assert isinstance(vocab, Vocabularies)
    sources = _load_sources([root / "sources.yaml", *sorted((root / "sources").glob("*.yaml"))])
    levers = []
    for path, lever in _records(root / "levers", Lever):
        _cross_check(path, lever, vocab, sources)
        levers.append(lever)
    if not levers:
        raise CatalogueError(f"{root / 'levers'}: no lever records")
    ids = {lv.id for lv in levers}
    by_id = {lv.id: lv for lv in levers}
    for lv in levers:
        parent = by_id.get(lv.within) if lv.within else None
        if lv.within and (parent is None or parent.id == lv.id or parent.within):
            why = "unknown lever" if parent is None else "a topic cannot hold topics"
            raise CatalogueError(f"{root / 'levers' / lv.id}.yaml: field within: '{lv.within}': {why}")
    fiches = []
    for path, fiche in _records(root / "fiches", Fiche):
        for field, codes, known in (
            ("levers", fiche.levers, ids),
            ("needs", fiche.needs, set(vocab.needs)),
            ("sources", fiche.sources, set(sources)),
        ):
            unknown = sorted(set(codes) - set(known))
            if unknown:
                raise CatalogueError(f"{path}: field {field}: unknown code(s) {unknown}")
        fiches.append(fiche)
    return Catalogue(levers=tuple(levers), sources=sources, vocab=vocab, fiches=tuple(fiches))


def _records(folder: Path, model: type[M]) -> Iterator[tuple[Path, M]]:
    """Each <id>.yaml of a folder, validated; the id must be the file name."""
    for path in sorted(folder.glob("*.yaml")):
        record = _validate(model, path, _read_yaml(path))
        assert isinstance(record, model)
        if record.id != path.stem:  # type: ignore[attr-defined]
            raise CatalogueError(f"{path}: field id: '{record.id}' does not match the file name")  # type: ignore[attr-defined]
        yield path, record


def _load_sources(paths: list[Path]) -> dict[str, Source]:
    """sources.yaml and sources/*.yaml: lists of sources; an id defined twice stops the load."""
    sources: dict[str, Source] = {}
    for path in paths:
        raw = _read_yaml(path)
        if not isinstance(raw, list):
            raise CatalogueError(f"{path}: expected a list of sources")
        for item in raw:
            src = _validate(Source, path, item)
            assert isinstance(src, Source)
            if src.id in sources:
                raise CatalogueError(f"{path}: source {src.id} is defined twice")
            sources[src.id] = src
    return sources


def _cross_check(path: Path, lever: Lever, vocab: Vocabularies, sources: dict[str, Source]) -> None:
    checks: list[tuple[str, list[str], dict]] = [
        ("stages", lever.stages, vocab.stages),
        ("organisation_types", lever.organisation_types, vocab.organisation_types),
        ("product_kinds", lever.product_kinds, vocab.product_kinds),
        ("needs", list(lever.needs), vocab.needs),
        ("lever_type", [lever.lever_type], vocab.lever_types),
    ]
    if vocab.default_need not in vocab.needs:
        raise CatalogueError(f"vocabularies.yaml: field default_need: unknown need '{vocab.default_need}'")
    checks.append(("sources", sorted(set(lever.sources) | lever.cited()), sources))
    for field, codes, table in checks:
        unknown = sorted({c for c in codes if c not in table})
        if unknown:
            raise CatalogueError(f"{path}: field {field}: unknown code(s) {unknown}")
    unlisted = sorted(lever.cited() - set(lever.sources))
    if unlisted:
        raise CatalogueError(f"{path}: field sources: cited but not listed {unlisted}")
    slot_tables = {
        "stage": vocab.stages,
        "organisation_type": vocab.organisation_types,
        "product_kind": vocab.product_kinds,
        "needs": vocab.needs,
    }
    for i, crit in enumerate(lever.criteria):
        slot_table: dict | None = slot_tables.get(crit.slot)
        if slot_table is None:
            if not all(isinstance(v, bool) for v in crit.accepts):
                raise CatalogueError(f"{path}: field criteria.{i}.accepts: slot {crit.slot} takes true/false")
            continue
        unknown = sorted({str(v) for v in crit.accepts if v not in slot_table})
        if unknown:
            raise CatalogueError(f"{path}: field criteria.{i}.accepts: unknown code(s) {unknown}")
