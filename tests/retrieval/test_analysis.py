"""Tests for retrieval.analysis: folding, stop words, stemming, numbers and language detection."""

from __future__ import annotations

import pytest

from retrieval.analysis import STOPWORDS, detect_lang, fold, tokenize, words


def test_fold_strips_accents_and_case():
    """fold() lower-cases and removes diacritics so that É, é and e compare equal."""
    assert fold("ÉVALUATION Économique À Ça Où") == "evaluation economique a ca ou"


def test_fold_normalises_typographic_apostrophes_and_spaces():
    """fold() turns curly apostrophes into ASCII ones and collapses non-breaking and repeated spaces."""
    assert fold("L\u2019Agence d\u2018État\u00a0 \u02bcx") == "l'agence d'etat 'x"
    assert fold("  a \t\n b  ") == "a b"


def test_fold_apostrophe_variants_tokenise_alike():
    """A typographic and an ASCII apostrophe give the same tokens."""
    assert tokenize("l\u2019évaluation", "fr") == tokenize("l'évaluation", "fr") == tokenize("evaluation", "fr")


@pytest.mark.parametrize(
    ("text", "lang", "gone"),
    [
        ("le la les des du une pour dans avec par est sont qui que", "fr", None),
        ("the of and to in for is are was with which would your", "en", None),
        ("Les essais de la santé", "fr", {"le", "les", "de", "la"}),
        ("The trials of the hospital", "en", {"the", "of"}),
        # filler a founder types: "si on dépose, on a une réponse en combien de temps à peu près ?"
        ("si on dépose un dossier, on a une réponse à peu près quand", "fr", {"si", "peu", "pre", "pres"}),
        ("roughly how much do we actually get", "en", {"roughli", "actual", "get"}),
        # an interjection typed in the middle of a form: "attends, c'est quoi la PECAN ?"
        ("attends euh, c'est quoi la PECAN", "fr", {"attend", "euh"}),
        ("wait hmm, ok what is PECAN", "en", {"wait", "hmm", "ok"}),
    ],
)
def test_tokenize_removes_stop_words(text, lang, gone):
    """tokenize() drops the language's stop words, leaving only content words."""
    toks = tokenize(text, lang)
    if gone is None:
        assert toks == []
    else:
        assert toks and not set(toks) & gone


def test_stop_word_lists_are_folded():
    """Accented stop words are stored folded, so they match folded text."""
    assert "etre" in STOPWORDS["fr"] and "être" not in STOPWORDS["fr"]
    assert all(w == fold(w) for lang in ("fr", "en") for w in STOPWORDS[lang])


def test_tokenize_stems_french_plural_and_singular_alike():
    """French stemming maps "évaluations" and "évaluation" to the same stem."""
    assert tokenize("évaluations", "fr") == tokenize("évaluation", "fr")
    assert len(tokenize("évaluations", "fr")) == 1


def test_tokenize_stems_english_plural_and_singular_alike():
    """English stemming maps "trials" and "trial" to the same stem."""
    assert tokenize("trials", "en") == tokenize("trial", "en") == ["trial"]


def test_tokenize_keeps_decimal_numbers_whole():
    """A French decimal such as 718,4 stays one token, with a dot for the comma."""
    toks = tokenize("Un budget de 718,4 millions", "fr")
    assert "718.4" in toks
    assert "718" not in toks and "4" not in toks


def test_tokenize_splits_amount_glued_to_unit():
    """650M€ yields the number 650 as a token of its own (and the glued form)."""
    toks = tokenize("650M€ pour la santé numérique", "fr")
    assert "650" in toks
    assert "650m" in toks
    assert words("650M€")[:2] == ["650m", "650"]


def test_tokenize_keeps_single_digits_but_drops_single_letters():
    """One-character tokens survive only when they are digits."""
    toks = tokenize("phase 2 x", "en")
    assert "2" in toks
    assert "x" not in toks


def test_detect_lang_clear_french():
    """A plain French sentence is detected as French with high confidence."""
    lang, confidence = detect_lang("Comment obtenir une aide pour financer les essais de notre dispositif médical ?")
    assert lang == "fr"
    assert confidence >= 0.8


def test_detect_lang_clear_english():
    """A plain English sentence is detected as English with high confidence."""
    lang, confidence = detect_lang("How can we get a grant for the clinical trials of our medical device?")
    assert lang == "en"
    assert confidence >= 0.8


@pytest.mark.parametrize("text", ["", "MedTech 2030", "IA HDS PEPR 718,4"])
def test_detect_lang_without_signal_has_zero_confidence(text):
    """Text with no stop words and no accents gives confidence 0."""
    assert detect_lang(text)[1] == 0.0


def test_detect_lang_figure_with_unit_is_no_signal():
    """A figure glued to a unit (20M users) is not evidence of French."""
    assert detect_lang("20M users")[1] < 0.34


@pytest.mark.parametrize(
    ("written", "solid"),
    [("start-up", "startup"), ("G_NIUS", "gnius"), ("e-santé", "esant"), ("i-Lab", "ilab"), ("MR-004", "mr004")],
)
def test_tokenize_writes_short_part_compounds_solid_too(written, solid):
    """A compound with a one- or two-letter part meets its solid spelling ("start-up" and "startup")."""
    assert solid in tokenize(written, "fr")
    assert tokenize(solid, "fr") == [solid]


def test_tokenize_leaves_ranges_inversions_and_long_part_compounds_alone():
    """Year ranges, French inversions ("fera-t-il", "peut-on") and compounds of long words are not glued."""
    assert tokenize("2021-2022", "fr") == ["2021", "2022"]
    assert tokenize("fera-t-il", "fr") == tokenize("fera il", "fr")
    assert tokenize("peut-on", "fr") == tokenize("peut on", "fr")
    assert tokenize("post-market", "en") == ["post", "market"]


def test_tokenize_gives_each_caller_its_own_list():
    """Tokens are kept per text; a caller changing its list must not change what the next caller gets."""
    first = tokenize("Le forfait innovation de la HAS", "fr")
    first.append("intrus")
    first.clear()
    assert tokenize("Le forfait innovation de la HAS", "fr") == ["forf", "innov", "has"]
