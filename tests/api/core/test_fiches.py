"""Fiches: validated at load, matched to a founder's question, answered with numbered, dated citations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from api.core.brain import FICHE_MIN
from api.core.catalogue import CatalogueError, load_catalogue

TODAY = dt.date(2026, 12, 6)


def _rewrite(knowledge: Path, **changes) -> Path:
    path = knowledge / "fiches" / "remote-monitoring.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_fixture_fiche_loads(fixture_catalogue) -> None:
    """The fixture's fiche loads with its status and the sources its answer cites, in order."""
    fiche = fixture_catalogue.fiche("remote-monitoring")
    assert fiche is not None and fiche.status is not None and fiche.status.value == "in-force"
    assert fiche.cited("fr") == [("s004", "2023-07-01"), ("s001", "2021-10-20")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"answer": {"fr": "Une phrase sans source.", "en": "A sentence with no source. [s004, 2023-07-01]"}},
         "every statement must end with its"),
        ({"answer": {"fr": "Oui. [s004, 2023-07-01]", "en": "Yes. [s001, 2021-10-20]"}}, "fr cites"),
        ({"answer": {"fr": "Oui. [s004, juillet 2023]", "en": "Yes. [s004, 2023-07-01]"}},
         "must read [sNNN, YYYY-MM-DD]"),
        ({"answer": {"fr": " ".join(["Une phrase."] * 6) + " [s004, 2023-07-01]", "en": "Yes. [s004, 2023-07-01]"}},
         "6 sentences"),
        ({"answer": {"fr": "Délai de 72 heures. [s004, 2023-07-01] Au-delà des 72 heures. [s004, 2023-07-01]",
                     "en": "Yes. [s004, 2023-07-01]"}}, "the figure 72 is stated in two sentences"),
        ({"levers": ["no-such-lever"]}, "field levers: unknown code"),
        ({"sources": ["s001"]}, "not listed in sources"),
        ({"id": "other-name"}, "does not match the file name"),
    ],
)
def test_a_bad_fiche_stops_the_load_naming_file_and_field(knowledge_dir: Path, change: dict, message: str) -> None:
    """A fiche breaking a rule stops the load with a message naming the file and what is wrong."""
    path = _rewrite(knowledge_dir, **change)
    with pytest.raises(CatalogueError) as err:
        load_catalogue(knowledge_dir)
    assert str(path) in str(err.value) and message in str(err.value)


def test_a_matching_question_gets_the_fiche_answer(fixture_brain) -> None:
    """A question worded like a fiche's gets its answer: direct answer first, sources numbered once, status."""
    res = fixture_brain.ask("Depuis quand la télésurveillance est-elle remboursée ?", today=TODAY)
    assert res["found"] and res["fiche"] == "remote-monitoring" and res["in_scope"]
    assert res["answer"].startswith("Depuis le 1er juillet 2023")
    assert [c["n"] for c in res["citations"]] == [1, 2]  # s004 cited twice (statement and status): numbered once
    assert res["answer"].count("[1]") == 2 and "Statut : en vigueur" in res["answer"]
    assert res["citations"][1]["url"] == "https://example.gouv.fr/annonce"
    assert res["levers"] == ["trial"]


def test_a_lapsed_target_in_a_fiche_is_said_in_the_past(fixture_brain) -> None:
    """The 2025 target reads as a past target in 2026, and as it was written in 2024."""
    now = fixture_brain.ask("Since when is remote monitoring reimbursed?", today=TODAY)["answer"]
    then = fixture_brain.ask("Since when is remote monitoring reimbursed?", today=dt.date(2024, 1, 1))["answer"]
    assert "a date now past" in now and "target set in 2021 for 2025" in now
    assert "a date now past" not in then


def test_a_question_the_base_cannot_answer_gets_i_dont_know(fixture_brain) -> None:
    """In the field but not in the knowledge base: an honest "I don't know" naming the question, no figure."""
    res = fixture_brain.ask("Quel est le prix de la licence de télésurveillance en Belgique ?", today=TODAY)
    assert res["found"] is False and res["citations"] == []
    assert res["answer"].startswith("Je ne sais pas") and "Belgique" in res["answer"] and "€" not in res["answer"]


def test_a_patients_own_health_question_is_sent_to_their_doctor(fixture_brain) -> None:
    """A person asking about their own or a relative's health is told to ask a doctor or pharmacist (15/112)."""
    fr = fixture_brain.ask("Mon fils a de la fièvre depuis trois jours, que faire ?")
    en = fixture_brain.ask("I have chest pain since this morning, what should I take?")
    assert fr["patient"] and "médecin" in fr["answer"] and "15" in fr["answer"] and "conseiller" not in fr["answer"]
    assert en["patient"] and "doctor" in en["answer"] and "112" in en["answer"] and en["lang"] == "en"


def test_a_fiche_that_never_says_the_questions_rarest_word_loses_confidence(fixture_brain) -> None:
    """Same wording, another subject the corpus knows ("la formation" for "la télésurveillance"): the fiche loses
    more than for a word nobody uses (a typo weighs in coverage only), and far below the question it answers."""
    same = fixture_brain.match_fiche("depuis quand la telesurveillance est remboursee", "fr")
    other = fixture_brain.match_fiche("Depuis quand la formation est-elle remboursée ?", "fr")
    typo = fixture_brain.match_fiche("Depuis quand la xqzwv est-elle remboursée ?", "fr")
    assert same is not None and same.fiche_id == "remote-monitoring" and same.confidence >= FICHE_MIN
    assert other is not None and typo is not None
    assert other.confidence < typo.confidence < same.confidence


def test_a_question_asked_in_other_words_still_finds_its_fiche(fixture_brain) -> None:
    """An English paraphrase ("paid for" for "reimbursed") is matched to the fiche."""
    assert fixture_brain.ask("Since when is remote monitoring paid for?", today=TODAY)["fiche"] == "remote-monitoring"


def test_a_thin_follow_up_after_cards_is_about_the_levers_shown(fixture_brain) -> None:
    """"et ça couvre combien ?" alone is not about anything (refused as off-topic); right after the cards of a
    lever it is a question about that lever: in scope, answered honestly."""
    alone = fixture_brain.ask("et ça couvre combien ?", today=TODAY)
    after_cards = fixture_brain.ask("et ça couvre combien ?", today=TODAY, context=["trial"])
    assert alone["in_scope"] is False
    assert after_cards["in_scope"] is True and after_cards["answer"].startswith("Je ne sais pas")


def test_a_fiche_without_the_kind_of_answer_asked_loses_confidence(knowledge_dir, tmp_path, monkeypatch) -> None:
    """Asked "how much" of a fiche that holds no figure, the match weakens (another question about the same
    subject); asked "since when" of a fiche that holds dates, it does not. (The real answer types, on the
    fixture knowledge.)"""
    from api.core import matching
    from tests.conftest import make_brain

    real = yaml.safe_load((Path(__file__).resolve().parents[3] / "knowledge" / "vocabularies.yaml").read_text())
    vocab_file = knowledge_dir / "vocabularies.yaml"
    vocab = yaml.safe_load(vocab_file.read_text(encoding="utf-8"))
    vocab_file.write_text(yaml.safe_dump({**vocab, "answer_types": real["answer_types"]}), encoding="utf-8")
    brain = make_brain(knowledge_dir, tmp_path / "index")
    amount, date = "Combien coûte la télésurveillance remboursée ?", "Depuis quand la télésurveillance est remboursée ?"
    penalised = {q: brain.match_fiche(q, "fr") for q in (amount, date)}
    monkeypatch.setattr(matching, "TYPE_MISSING", 1.0)
    free = {q: brain.match_fiche(q, "fr") for q in (amount, date)}
    assert penalised[amount].confidence < 0.7 * free[amount].confidence
    assert penalised[date].confidence == free[date].confidence


def test_a_status_says_itself_with_its_month_and_note() -> None:
    """A card tells a closed call, a proposal, an announcement or an unknown status, and any status with a note;
    a scheme in force goes without saying."""
    import datetime as dt

    from api.core.fiches import FicheStatus
    from api.core.records import I18n

    closed = FicheStatus(value="closed", known_on=dt.date(2024, 3, 26), source="s008")
    running = FicheStatus(value="in-force", known_on=dt.date(2025, 2, 26), source="s210")
    noted = running.model_copy(update={"note": I18n(fr="appel clos", en="call closed")})
    assert closed.told() and not running.told() and noted.told()
    assert closed.line("fr") == "clos (information de mars 2024)"
    assert noted.line("en") == "in force (as known in February 2025) — call closed"
