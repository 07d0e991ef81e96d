"""Fiche matching's pure parts."""

from __future__ import annotations

from api.core.matching import unknown_names


def test_a_name_the_knowledge_never_says_is_a_stranger_not_the_founders_own_product() -> None:
    idf = {"taux": 1.0, "tva": 2.0, "teleconsult": 2.0, "franc": 1.0}
    assert unknown_names("Quel est le taux de TVA d'une téléconsultation en Belgique ?", "fr", idf, frozenset())
    # known to the passages or the fiches: not a stranger; a sentence's first word is no name
    assert not unknown_names("Quel taux de TVA en France ?", "fr", idf, frozenset())
    assert not unknown_names("Quel taux en Belgique ?", "fr", idf, frozenset({"belgiqu"}))
    assert not unknown_names("Merci. Belgique : quel taux ?", "fr", idf, frozenset())
    # the founder's own product is named, not asked about
    assert not unknown_names("Notre appli Kinoa est-elle soumise à la TVA ?", "fr", idf, frozenset())
