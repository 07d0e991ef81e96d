"""Extractive answers: sentences from the best passages, cited, in the question's language."""

from __future__ import annotations


def test_french_answer_cites_its_source(fixture_brain) -> None:
    """A French question gets the French sentence holding the figure, with its document and source."""
    res = fixture_brain.ask("Quel budget pour la formation ?")
    assert res["in_scope"] and "81 millions" in res["answer"]
    first = res["citations"][0]
    assert first["doc_id"] == "strategy.fr" and "Annonce officielle" in first["source"]
    assert "[s001" not in res["answer"]  # raw references become numbered citations


def test_english_question_gets_english_text(fixture_brain) -> None:
    """An English question is answered from the English text."""
    res = fixture_brain.ask("When was the acceleration strategy launched?")
    assert "18 October 2021" in res["answer"] and res["lang"] == "en"


def test_lever_answers_point_to_the_lever(fixture_brain) -> None:
    """A question answered from a lever record lists that lever."""
    res = fixture_brain.ask("Quelle part des frais d'évaluation clinique est couverte ?")
    assert "60 %" in res["answer"] and "trial" in res["levers"]


def test_off_topic_question_is_refused_without_figures(fixture_brain) -> None:
    """An off-topic question gets the honest refusal and no citation."""
    res = fixture_brain.ask("Donne-moi la recette de la blanquette")
    assert res["in_scope"] is False and res["citations"] == [] and "conseiller" in res["answer"]


def test_a_composed_answer_must_say_the_name_asked_about(fixture_brain) -> None:
    """A sentence on the subject that never names the company or programme asked about does not answer: the
    question about a name the knowledge never mentions gets "I don't know"."""
    from api.core.answerer import _NAME

    assert _NAME.findall("combien Doctolib paie chaque année à son hébergeur HDS ?") == ["Doctolib", "HDS"]
    assert _NAME.findall("Comment candidater pour notre DM ?") == []  # two letters: an abbreviation, not a name
    assert fixture_brain.ask("Combien reçoit la formation ?")["answer"].startswith("La formation reçoit 81")
    res = fixture_brain.ask("Combien reçoit la formation de Doctolib ?")
    assert res["found"] is False and res["answer"].startswith("Je ne sais pas")


def test_a_fiche_statement_holding_the_kind_of_answer_asked_leads() -> None:
    """Asked "how long", a fiche whose first statement holds no span of time leads with the one that does; the
    others keep their order; a fiche already leading with it is unchanged."""
    import re

    from api.core.answerer import lead_with_asked
    from api.core.citations import Statement

    who, span, more = (Statement(t, ("s001",)) for t in ("Un comité examine.", "Au plus 5 ans.", "Puis un arrêté."))
    duration = [re.compile(r"\b\d+ ans\b")]
    assert lead_with_asked([who, span, more], duration) == [span, who, more]
    assert lead_with_asked([span, who, more], duration) == [span, who, more]
    assert lead_with_asked([who, more], duration) == [who, more]
    assert lead_with_asked([who, span], []) == [who, span]
