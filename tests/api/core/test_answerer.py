"""Extractive answers: sentences from the best passages, cited, in the question's language."""

from __future__ import annotations

import pytest

from api.core import answerer
from api.core.citations import Statement


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
    first, second = (Statement(t, ("s001",)) for t in ("1) On dépose le dossier.", "2) Avis en 60 jours."))
    assert [st.text for st in lead_with_asked([first, second], [re.compile(r"\b\d+ jours\b")])] == [
        "Avis en 60 jours.",
        "On dépose le dossier.",
    ]  # steps out of their order lose their numbers
    yes = Statement("Oui : un comité examine.", ("s001",))
    assert [st.text for st in lead_with_asked([yes, span], duration)] == ["Au plus 5 ans.", "Un comité examine."]
    # a yes said second answers no one (blind10's b1016: "… issues it. Yes: a device must comply…")


def test_among_statements_holding_the_kind_asked_the_one_naming_what_is_asked_leads() -> None:
    """"Le taux du CII" of a fiche leading with the CIR's rate: the CII's rate leads; a name the first statement
    already says, or none asked, keeps the fiche's order."""
    import re

    from api.core.answerer import lead_with_asked
    from api.core.citations import Statement
    from retrieval.analysis import tokenize

    cir, cii, law = (
        Statement(t, ("s001",))
        for t in ("Le CIR vaut 30 % des dépenses.", "Le CII vaut 20 % depuis 2025.", "La loi a été promulguée.")
    )
    rate = [re.compile(r"\d+ ?%")]
    named = frozenset(tokenize("CII", "fr"))
    assert lead_with_asked([cir, cii, law], rate, named) == [cii, cir, law]
    assert lead_with_asked([cir, cii, law], rate) == [cir, cii, law]
    assert lead_with_asked([cir, cii, law], rate, frozenset(tokenize("CIR", "fr"))) == [cir, cii, law]


@pytest.mark.parametrize(
    ("message", "clause"),
    [
        # the sentences that ask, without the story told before them
        (
            "notre logiciel analyse des ECG. selon la règle 11 on est en quelle classe ? et ça peut monter ?",
            "selon la règle 11 on est en quelle classe ? et ça peut monter ?",
        ),
        ("we launch in 2027. is EUDAMED registration still voluntary?", "is EUDAMED registration still voluntary?"),
        # a question ending a longer message; one opening it, context after
        ("Bonjour, on a une DTx marquée CE, comment obtenir la PECAN ?", "comment obtenir la PECAN ?"),
        ("article 51 c'est quoi ? on m'en a parlé au salon", "article 51 c'est quoi ?"),
        # the whole message is the question: nothing to cut, a decimal point is no sentence end
        ("on a levé 1.5 M€, on est éligible à i-Lab ?", None),
        ("combien pour la formation", None),
    ],
)
def test_question_clause_keeps_what_is_asked(message: str, clause: str | None) -> None:
    assert answerer.question_clause(message) == clause


@pytest.mark.parametrize(
    ("message", "clause"),
    [
        ("on a un projet R&D de 800k€ pour notre DM connecte (suivi post-op), on peut candidater a i-nov ?",
         "on peut candidater a i-nov ?"),
        ("startup (IA, ECG), l'i-lab ca peut monter jusqu'a combien ?", "l'i-lab ca peut monter jusqu'a combien ?"),
        ("on peut candidater a i-nov ?", None),  # no comma
        ("pour nous, oui ?", None),  # too short to be a question of its own
        ("startup (IA, ECG) ?", None),  # inside brackets
    ],
)
def test_last_clause_is_the_question_after_the_last_comma(message: str, clause: str | None) -> None:
    assert answerer.last_clause(message) == clause


def test_how_it_works_asks_without_naming_a_market() -> None:
    """"Comment marche le remboursement ?" weighs "remboursement", not "marche" (whose stem the market shares);
    "accès au marché" keeps it."""
    from retrieval.analysis import tokenize

    market = tokenize("marché", "fr")[0]
    assert market not in answerer.question_weights("comment marche le remboursement ?", "fr", {})
    assert market not in answerer.question_weights("le remboursement, ça marche comment ?", "fr", {})
    assert market in answerer.question_weights("accès au marché pour notre DMN ?", "fr", {})


def test_questions_are_the_sentences_that_ask_in_order() -> None:
    message = "On a levé 1.5 M€. i-Lab, combien max ? et la boîte doit avoir quel âge ? merci"
    assert answerer.questions(message) == ["i-Lab, combien max ?", "et la boîte doit avoir quel âge ?"]
    assert answerer.questions("combien pour la formation") == []


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("c'est quoi le PECAN et combien ça rapporte par patient ?",
         ["c'est quoi le PECAN", "combien ça rapporte par patient ?"]),
        ("Est-ce que je dois être hébergé HDS et est-ce que le RGPD s'applique ?",
         ["Est-ce que je dois être hébergé HDS", "est-ce que le RGPD s'applique ?"]),
        ("What is PECAN and how much does it pay?", ["What is PECAN", "how much does it pay?"]),
        ("catalogue Mon espace santé : quels critères pour être référencé, et c'est qui qui décide ?",
         ["catalogue Mon espace santé : quels critères pour être référencé,", "c'est qui qui décide ?"]),
        # the second one's asking word last
        ("article 51 : ça peut durer combien de temps max et on dépose le dossier à qui ?",
         ["article 51 : ça peut durer combien de temps max", "on dépose le dossier à qui ?"]),
        # not two questions: asking words listed, a relative clause, a first part too short to ask
        ("quand et comment candidater ?", ["quand et comment candidater ?"]),
        ("des startups et des PME qui innovent, comment candidater ?",
         ["des startups et des PME qui innovent, comment candidater ?"]),
        ("the criteria and what is the deadline?", ["the criteria and what is the deadline?"]),
        ("les tiers-lieux d'expérimentation et les incubateurs sont où ?",
         ["les tiers-lieux d'expérimentation et les incubateurs sont où ?"]),
    ],
)
def test_two_questions_joined_in_one_sentence_are_two(message: str, asks: list[str]) -> None:
    assert answerer.questions(message) == asks


def test_the_founder_telling_what_they_build_is_not_what_they_ask() -> None:
    from retrieval.analysis import tokenize

    built = tokenize("développe", "fr")[0]
    assert built not in answerer.question_weights("On développe une appli de méditation, c'est un DM ?", "fr", {})
    assert "build" not in answerer.question_weights("we're building a meditation app, is it a device?", "en", {})
    assert built in answerer.question_weights("une aide au développement pour notre DM ?", "fr", {})


def test_within_keeps_the_first_statements_that_fit_and_always_the_first() -> None:
    sts = [Statement(" ".join(["mot"] * n), ("s1",), None, "d", "d", "", None) for n in (30, 40, 50)]
    assert answerer.within(sts, 75) == sts[:2]
    assert answerer.within(sts, 10) == sts[:1]


def test_what_guichet_keeps_is_told_with_the_configured_retention() -> None:
    assert "30 jours" in answerer.about_guichet("data", "fr", 30)
    assert "30 days" in answerer.about_guichet("erase", "en", 30)


def test_an_opening_yes_or_no_is_left_out_when_the_question_asks_what_or_how_much() -> None:
    st = [Statement("Non, 63 M€ est l'enveloppe nationale.", ("s1",)), Statement("Suite.", ("s1",))]
    assert answerer.without_yes_no(st, "Combien pour les tiers-lieux ?")[0].text == "63 M€ est l'enveloppe nationale."
    # a yes/no question keeps it, and so does one whose first question is yes/no
    assert answerer.without_yes_no(st, "Les 63 M€, c'est par tiers-lieu ?") == st
    assert answerer.without_yes_no(st, "Est-ce que le CE suffit ou il faut l'ANS ?") == st
    no = [Statement("Non : c'est le fabricant qui appose le marquage CE.", ("s1",))]
    assert answerer.without_yes_no(no, "est ce que c l'ANSM qui delivre le marquage CE ?") == no  # typed unhyphenated
    assert answerer.without_yes_no(st, "c'est par tiers-lieu ?? on peut espérer combien ?") == st
    oui_si = [Statement("Oui si vous hébergez des données de santé.", ("s1",))]
    assert answerer.without_yes_no(oui_si, "c'est quoi HDS ?")[0].text == "Si vous hébergez des données de santé."


def test_an_opening_yes_or_no_is_left_out_when_the_question_is_asked_the_other_way_round() -> None:
    """blind10's b1006: "doit-on stocker en Europe ?" matched the phrasing "peut-on stocker hors de l'UE ?", whose
    answer opens "Non pour le stockage :": that no is the founder's yes. What qualifies the word goes with it."""
    st = [Statement("Non pour le stockage : les données restent dans l'UE ou l'EEE.", ("s1",))]
    outside = "Peut-on stocker les données hors de l'Union européenne ?"
    stripped = answerer.without_yes_no(st, "Doit-on stocker les données en Europe ?", outside)
    assert stripped[0].text == "Les données restent dans l'UE ou l'EEE."
    assert answerer.without_yes_no(st, "On peut stocker nos données hors d'Europe ?", outside) == st  # same way
    # "hors de l'UE" is the other way round only from a question naming the same place (blind11's b1103)
    assert answerer.without_yes_no(st, "notre hébergeur stocke les backups aux USA, c'est ok ?", outside) == st
    # "ou pas" asks both ways; "optional" / "voluntary" is "not required"
    dm = [Statement("Oui : une application qui calcule une dose est un DM.", ("s1",))]
    assert answerer.without_yes_no(dm, "notre appli, c'est un DM ou pas ?", "Cette application est-elle un DM ?") == dm
    eudamed = [Statement("Yes: EUDAMED has been mandatory since 28 May 2026.", ("s1",))]
    asked = answerer.without_yes_no(eudamed, "is EUDAMED still voluntary?", "Is EUDAMED mandatory now?")
    assert asked[0].text == "EUDAMED has been mandatory since 28 May 2026."
    # a noun phrase opening on "No" is no answer word
    price = [Statement("No single price: fees depend on the notified body.", ("s1",))]
    assert answerer.without_yes_no(price, "What is the price of a notified body?") == price
    # "Oui, mais…": the "but" goes with the yes
    but = [Statement("Oui, mais depuis 2024 un arrêt ne peut dépasser 3 jours.", ("s1",))]
    assert answerer.without_yes_no(but, "Combien de jours d'arrêt en téléconsultation ?")[0].text.startswith("Depuis")


def test_an_opening_yes_or_no_is_left_out_when_the_question_asks_may_of_a_phrasing_asking_must() -> None:
    """blind14's b1405: "Can we keep French patients' health data on AWS in us-east-1?" matched "does our health
    SaaS need HDS hosting": its "Yes" says HDS is needed, and read as the founder's answer it said they may."""
    need = [Statement("Yes: a host of health data for a third party must be HDS-certified.", ("s1",))]
    kept = answerer.without_yes_no(need, "Can we keep our health data in us-east-1?", "Does our SaaS need HDS hosting?")
    assert kept[0].text == "A host of health data for a third party must be HDS-certified."
    faut = [Statement("Oui : l'hébergeur doit être certifié HDS.", ("s1",))]
    may = answerer.without_yes_no(faut, "on peut garder nos données chez OVH ?", "faut-il un hébergeur HDS ?")
    assert may[0].text == "L'hébergeur doit être certifié HDS."
    # the same modality, or none on either side, keeps it
    assert answerer.without_yes_no(faut, "doit-on passer par un hébergeur HDS ?", "faut-il un hébergeur HDS ?") == faut
    assert answerer.without_yes_no(faut, "notre appli est un DM ?", "Cette application est-elle un DM ?") == faut


def test_a_statement_said_after_another_loses_its_yes_or_no_whatever_was_asked() -> None:
    """blind10's b1014: "faut-il déjà avoir le marquage CE pour déposer ?" got a second fiche's "Oui : une demande
    peut être déposée avant le marquage CE", whose yes is the founder's no."""
    before = Statement("Oui : selon la HAS, une demande peut être déposée avant le marquage CE.", ("s1",))
    assert answerer.without_opening(before).text == "Selon la HAS, une demande peut être déposée avant le marquage CE."
    plain = Statement("Non-renouvelable, la PECAN dure un an.", ("s1",))
    assert answerer.without_opening(plain) == plain


def test_a_statement_added_after_others_drops_a_last_clause_repeating_their_figure() -> None:
    """blind8's b818: the budget (63 M€) answered, the count's statement ended "…, avec une enveloppe nationale de
    63 M€": that clause goes; a repeated figure elsewhere in the statement stays (nothing safe to cut)."""
    budget = Statement("Un appel doté de 63 M€ (enveloppe nationale).", ("s1",))
    count = Statement("30 tiers-lieux pour 2025 : l'objectif du 18 octobre 2021, avec une enveloppe de 63 M€.", ("s2",))
    cut = answerer.without_said_figures(count, [budget]).text
    assert cut == "30 tiers-lieux pour 2025 : l'objectif du 18 octobre 2021."
    inside = Statement("63 M€ pour 30 tiers-lieux, annoncés en 2021.", ("s2",))
    assert answerer.without_said_figures(inside, [budget]) == inside
    assert answerer.without_said_figures(count, []) == count


def test_idf_weighs_an_unseen_stem_as_the_rarest():
    idf = answerer.Idf({"forf": 1.5, "pecan": 4.0})
    assert idf.top == 4.0
    weights = answerer.question_weights("combien pour le forfait et le zorglub ?", "fr", idf)
    assert weights == answerer.question_weights("combien pour le forfait et le zorglub ?", "fr", dict(idf))
    assert weights["forf"] == 1.5 and weights["zorglub"] == 4.0
