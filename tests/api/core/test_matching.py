"""Fiche matching's pure parts."""

from __future__ import annotations

from api.core.matching import _other_span, asked_names, unknown_names
from api.core.periods import spans


def test_a_name_the_knowledge_never_says_is_a_stranger_not_the_founders_own_product() -> None:
    idf = {"taux": 1.0, "tva": 2.0, "teleconsult": 2.0, "franc": 1.0}
    assert unknown_names("Quel est le taux de TVA d'une téléconsultation en Belgique ?", "fr", idf, frozenset())
    # known to the passages or the fiches: not a stranger; a sentence's first word is no name
    assert not unknown_names("Quel taux de TVA en France ?", "fr", idf, frozenset())
    assert not unknown_names("Quel taux en Belgique ?", "fr", idf, frozenset({"belgiqu"}))
    assert not unknown_names("Merci. Belgique : quel taux ?", "fr", idf, frozenset())
    # the founder's own product is named, not asked about
    assert not unknown_names("Notre appli Kinoa est-elle soumise à la TVA ?", "fr", idf, frozenset())


def test_a_phrasing_saying_another_span_in_the_same_unit_asks_about_another_period() -> None:
    one = spans("combien de projets un an après le lancement ?")
    assert _other_span(one, spans("deux ans après : combien de projets ?"))
    assert not _other_span(one, spans("la première année : combien de projets ?"))
    assert not _other_span(one, spans("combien de projets financés ?"))  # no span: nothing to tell apart
    assert not _other_span(spans("notre boîte a 8 mois"), spans("créée depuis moins de deux ans"))  # other unit


def test_names_asked_are_capitalised_words_within_a_sentence_acronyms_optional() -> None:
    assert asked_names("Which notified body certified Moovcare's MDR file?", "en") == {"moovcar", "mdr"}
    assert asked_names("Which notified body certified Moovcare's MDR file?", "en", acronyms=False) == {"moovcar"}
    assert asked_names("What is GMED's day rate for an SME?", "en", acronyms=False) == set()
    assert asked_names("Notre appli Kinoa est-elle un DM ?", "fr", acronyms=False) == set()
