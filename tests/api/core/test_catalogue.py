"""The lever schema: valid records load, bad ones fail naming the file and the field."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from api.core.catalogue import CatalogueError, load_catalogue

REPO_KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


def _edit(path: Path, **changes) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_fixture_catalogue_loads(knowledge_dir: Path) -> None:
    """The tiny knowledge base loads with its three levers and two sources."""
    cat = load_catalogue(knowledge_dir)
    assert [lv.id for lv in cat.levers] == ["desk", "grant", "trial"]
    assert set(cat.sources) == {"s001", "s004"}


def test_missing_english_text_names_file_and_field(knowledge_dir: Path) -> None:
    """A summary without its English text fails with the file path and the field path."""
    path = knowledge_dir / "levers" / "grant.yaml"
    _edit(path, summary={"fr": "Seulement en français."})
    with pytest.raises(CatalogueError) as err:
        load_catalogue(knowledge_dir)
    assert "grant.yaml" in str(err.value) and "summary.en" in str(err.value)


def test_unknown_need_code_is_refused(knowledge_dir: Path) -> None:
    """A need that is not in the vocabulary is named in the error."""
    _edit(knowledge_dir / "levers" / "desk.yaml", needs={"telepathy": 1.0})
    with pytest.raises(CatalogueError, match=r"desk.yaml: field needs: unknown code\(s\) \['telepathy'\]"):
        load_catalogue(knowledge_dir)


def test_unknown_source_is_refused(knowledge_dir: Path) -> None:
    """A fact citing a source absent from sources.yaml is refused."""
    path = knowledge_dir / "levers" / "desk.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"][0]["source"] = "s999"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"field sources: unknown code\(s\) \['s999'\]"):
        load_catalogue(knowledge_dir)


def test_id_must_match_file_name(knowledge_dir: Path) -> None:
    """A record whose id differs from its file name is refused."""
    _edit(knowledge_dir / "levers" / "desk.yaml", id="guichet")
    with pytest.raises(CatalogueError, match="does not match the file name"):
        load_catalogue(knowledge_dir)


def test_unequal_translations_are_refused(knowledge_dir: Path) -> None:
    """next_steps with more French than English items is refused."""
    _edit(knowledge_dir / "levers" / "desk.yaml", next_steps={"fr": ["Un.", "Deux."], "en": ["One."]})
    with pytest.raises(CatalogueError, match="next_steps"):
        load_catalogue(knowledge_dir)


def test_unknown_field_and_bad_weight_are_refused(knowledge_dir: Path) -> None:
    """Typos in field names and need weights outside (0, 1] are errors, not silently ignored."""
    _edit(knowledge_dir / "levers" / "desk.yaml", summmary="typo")
    with pytest.raises(CatalogueError, match="summmary"):
        load_catalogue(knowledge_dir)
    _edit(knowledge_dir / "levers" / "desk.yaml", summmary=None, needs={"orientation": 3})
    with pytest.raises(CatalogueError, match="need weights"):
        load_catalogue(knowledge_dir)


def test_broken_yaml_is_reported(knowledge_dir: Path) -> None:
    """A file that is not YAML fails naming the file."""
    (knowledge_dir / "levers" / "desk.yaml").write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="desk.yaml: cannot read YAML"):
        load_catalogue(knowledge_dir)


def test_criterion_values_are_checked(knowledge_dir: Path) -> None:
    """A criterion accepting an unknown stage, or a non-boolean for a flag slot, is refused."""
    path = knowledge_dir / "levers" / "grant.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["criteria"][0]["accepts"] = ["series-z"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"criteria.0.accepts: unknown code\(s\) \['series-z'\]"):
        load_catalogue(knowledge_dir)


def test_due_for_review(knowledge_dir: Path) -> None:
    """Records whose review date has passed are listed, others are not."""
    cat = load_catalogue(knowledge_dir)
    assert cat.due_for_review(dt.date(2027, 1, 1)) == []
    assert {rid for _, rid, _ in cat.due_for_review(dt.date(2027, 6, 1))} == {"desk", "grant", "trial"}


def test_real_catalogue_covers_contract_ids() -> None:
    """The shipped knowledge base loads and has every lever id the contract names, in both languages."""
    cat = load_catalogue(REPO_KNOWLEDGE)
    required = {
        "gnius",
        "bpifrance-innovation",
        "clinical-evaluation",
        "tiers-lieux",
        "french-tech",
        "late-stage-funding",
        "training",
        "pepr-research",
        "imaging",
        "mon-espace-sante",
        "health-data-hub",
        "has-evaluation",
    }
    assert required <= {lv.id for lv in cat.levers}
    for lv in cat.levers:
        assert lv.facts and all(f.source in cat.sources for f in lv.facts)


def test_criterion_must_say_whether_it_is_required(knowledge_dir: Path) -> None:
    """A criterion without `required` is refused: whether failing it closes the lever is stated, never defaulted."""
    path = knowledge_dir / "levers" / "grant.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["criteria"][0]["required"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"criteria\.0\.required"):
        load_catalogue(knowledge_dir)


def test_lever_status_is_required_dated_and_sourced(knowledge_dir: Path) -> None:
    """A lever needs a status; its source must be listed; it cannot be known after the record's last check."""
    path = knowledge_dir / "levers" / "desk.yaml"
    _edit(path, status=None)
    with pytest.raises(CatalogueError, match="field status"):
        load_catalogue(knowledge_dir)
    _edit(path, status={"value": "open", "known_on": "2026-11-23", "source": "s004"})
    with pytest.raises(CatalogueError, match=r"cited but not listed \['s004'\]"):
        load_catalogue(knowledge_dir)
    _edit(path, status={"value": "open", "known_on": "2026-12-31", "source": "s001"})
    with pytest.raises(CatalogueError, match="after last_verified"):
        load_catalogue(knowledge_dir)
    _edit(path, status={"value": "maybe", "known_on": "2026-11-23", "source": "s001"})
    with pytest.raises(CatalogueError, match=r"status\.value"):
        load_catalogue(knowledge_dir)


def test_lapsed_ok_needs_a_date_that_lapsed(knowledge_dir: Path) -> None:
    """lapsed_ok on a fact with neither a due date nor a status says nothing: it is refused."""
    path = knowledge_dir / "levers" / "desk.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["facts"][0]["lapsed_ok"] = True
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogueError, match="lapsed_ok needs a due date or a status"):
        load_catalogue(knowledge_dir)


def test_real_catalogue_keeps_the_audit_fixes() -> None:
    """The audit's defects stay fixed: figures under their own lever, the launch dated 18 October 2021 (the
    official page's 20 October is its date, not the launch's), health professionals rather than carers,
    five years cited to the one source that says it, the one-year review dated by its own source."""
    cat = load_catalogue(REPO_KNOWLEDGE)
    lever = {lv.id: lv for lv in cat.levers}
    assert 202_000_000 not in [a.value_eur for a in lever["pepr-research"].amounts]
    assert 35_000_000 not in [a.value_eur for a in lever["french-tech"].amounts]
    assert "not stated" in lever["bpifrance-innovation"].operator.en.lower()
    texts = [
        t
        for lv in cat.levers
        for t in [lv.summary.en, lv.summary.fr, lv.operator.en, lv.operator.fr]
        + [x for f in lv.facts for x in (f.text.en, f.text.fr)]
        + [x for c in lv.criteria for x in (c.clause.en, c.clause.fr)]
        + list(lv.conditions.en) + list(lv.next_steps.en) + list(lv.examples.en)
    ]
    docs = [p.read_text(encoding="utf-8") for p in (REPO_KNOWLEDGE / "documents").rglob("*.md")]
    for text in texts + docs:
        assert "carer" not in text.lower()
        assert "annonce officielle du 20" not in text and "official announcement of 20" not in text
        assert "[s002, 18/10/2022]" not in text
    for lv in cat.levers:
        for f in lv.facts:
            assert f.as_of != dt.date(2021, 10, 20), (lv.id, f.text.en)  # s001 reports the 18 October launch
            if re.search(r"650 ?M|650 million", f.text.en) and "five years" in f.text.en:  # the strategy's budget
                assert f.source in {"s004", "s315"}, (lv.id, f.text.en)
    assert cat.sources["s002"].publisher == "Gènéthique" and cat.sources["s002"].date == dt.date(2022, 11, 21)
