"""Answer-type re-ranking with the knowledge base's own vocabularies (knowledge/vocabularies.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.core.catalogue import load_catalogue
from api.core.rerank import answer_kinds, asking_words, evidence_patterns, rerank_by_answer_type
from retrieval.models import Chunk, Hit

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


@pytest.fixture(scope="module")
def vocab():
    return load_catalogue(KNOWLEDGE).vocab


def _hit(n: int, text: str, score: float) -> Hit:
    chunk = Chunk(id=f"d#{n:04d}", doc_id="d", lang="fr", kind="passage", title="t", section="s", text=text)
    return Hit(chunk=chunk, score=score)


def test_a_count_question_prefers_the_number_next_to_the_counted_thing(vocab) -> None:
    """"Combien d'axes" lifts "cinq axes" over a passage with some other number ("une centaine")."""
    hits = [
        _hit(1, "La consultation comptait déjà une centaine de répondants le 19 février 2021.", 1.0),
        _hit(2, "La stratégie est organisée en cinq axes qui suivent la vie d'un projet.", 0.8),
    ]
    ranked = rerank_by_answer_type("Combien d'axes compte la stratégie ?", hits, vocab)
    assert ranked[0].chunk.id == "d#0002"
    assert any(p.search("61 projects funded for 150 m€") for p in evidence_patterns("How many projects?", vocab))
    assert not any(p.search("a hundred people") for p in evidence_patterns("How many projects?", vocab))
    # the counted thing inside a compound ("combien de lieux ?" of "30 tiers-lieux")
    assert any(p.search("30 tiers-lieux pour 2025") for p in evidence_patterns("combien de lieux prevus ?", vocab))


def test_a_price_a_rate_or_a_fee_asks_an_amount_and_de_qui_asks_who(vocab) -> None:
    """blind10's b1010 ("What's GMED's day rate?": GMED's hourly fee now leads) and b1024 ("l'accord de qui ?")."""
    for question in ("What's GMED's day rate for MDR audits?", "what is the fee?", "quel est le tarif d'un audit ?"):
        assert any(p.search("306 € ht de l'heure") for p in evidence_patterns(question, vocab)), question
    assert any(p.search("l'ansm autorise") for p in evidence_patterns("faut l'accord de qui ?", vocab))
    # "ça sert à quoi ?" is answered by what it helps to do (blind9's b929: "G_NIUS aide les innovateurs à se
    # repérer"), not by the noun "aide" of a funding scheme
    purpose = evidence_patterns("G_NIUS ça sert à quoi ?", vocab)
    assert any(p.search("g_nius aide les innovateurs a se reperer") for p in purpose)
    assert not any(p.search("une aide a l'innovation de 30 000 eur") for p in purpose)
    # "au total" asks a sum (blind11's b1123: the Ségur numérique's 2 Md€, not the strategy's 650 M€)
    total = evidence_patterns("le Segur c'etait combien au total ?", vocab)
    assert any(p.search("2 milliards d'euros") for p in total)
    assert not any(p.search("2 milliards d'euros") for p in evidence_patterns("le Segur c'etait quoi ?", vocab))


def test_amount_and_date_questions_prefer_figures_and_years(vocab) -> None:
    """"Quel budget" lifts a passage with an amount; "quand" lifts one with a year; others keep their order."""
    hits = [_hit(1, "La formation concerne tous les acteurs.", 1.0), _hit(2, "81 M€ pour la formation.", 0.9)]
    assert rerank_by_answer_type("Quel budget pour la formation ?", hits, vocab)[0].chunk.id == "d#0002"
    hits = [_hit(1, "Lancée à Station F.", 1.0), _hit(2, "Lancée le 18 octobre 2021.", 0.9)]
    assert rerank_by_answer_type("Quand a-t-elle été lancée ?", hits, vocab)[0].chunk.id == "d#0002"
    assert rerank_by_answer_type("Qui coordonne la stratégie ?", hits, vocab)[0].chunk.id == "d#0001"


@pytest.mark.parametrize(
    ("question", "kind", "holds", "lacks"),
    [
        ("Health Data Hub : c'est quoi son statut juridique ?", "legal_form",
         "un groupement d'interet public (gip) cree par la loi", "il organise l'acces aux donnees"),
        ("What was the agency called before it became the ANS?", "name",
         "the ans, formerly asip sante, was renamed in 2019", "the ans runs national services"),
        ("Article 51 experiments — which law created them?", "legal_basis",
         "article 51 of the lfss for 2018 allows", "the committee gives an opinion"),
        ("on est évalués sur quels critères ?", "criteria",
         "les criteres sont fixes par l'arrete", "la commission se reunit"),
        ("G_NIUS, qui est derrière ?", "who", "pilote par la dns et l'ans", "ouvert en 2020"),
        ("Qui accorde le forfait innovation ?", "who", "accorde par les ministres", "une etude clinique"),
        ("Can we still apply to the call, or is it closed?", "status", "the last wave closed on 31 may 2024",
         "it funds clinical studies"),
        ("l'appel, c'est encore ouvert ?", "status", "la vague est close", "il finance des etudes"),
    ],
)
def test_what_kind_of_fact_a_question_asks_and_the_sentences_holding_it(vocab, question, kind, holds, lacks) -> None:
    """A name, a legal form, the law behind a scheme, its criteria, who is behind it: the kind asked, and the
    sentences holding it (folded text) against those that do not."""
    assert kind in answer_kinds(question, vocab)
    patterns = evidence_patterns(question, vocab)
    assert any(p.search(holds) for p in patterns)
    assert not any(p.search(lacks) for p in patterns)


@pytest.mark.parametrize(
    ("question", "asking", "subject"),
    [
        ("what's Doctolib's stock price right now?", {"what's", "price"}, {"doctolib's", "stock"}),
        ("quel montant la stratégie consacre-t-elle à la formation ?", {"montant", "consacre"}, {"strategie"}),
        ("How much funding does the strategy set aside for training?", {"how", "much", "aside"}, {"strategy"}),
        ("Le PEPR, il est doté de combien ?", {"dote", "combien"}, {"pepr"}),
    ],
)
def test_the_asking_words_leave_out_what_the_question_is_about(vocab, question, asking, subject) -> None:
    """The words that ask for a figure count as said by any fiche holding one; the words between them (a company,
    "the strategy") are what is asked about, which a fiche must say itself."""
    said = set(asking_words(question, vocab).split())
    assert asking <= said
    assert not subject & said


def test_the_kinds_of_answer_a_sentence_asks_come_in_its_order(vocab) -> None:
    """"comment est doté le PEPR, sur quelle durée, et qui pilote ?": the amount, then the span, then the body;
    "combien de temps" is a span of time first (and a count of nothing)."""
    from api.core.rerank import evidence_in_order

    kinds = evidence_in_order("comment est doté le PEPR, sur quelle durée, et qui pilote ?", vocab)
    assert len(kinds) == 3
    assert any(p.search("60 m€ sur sept ans") for p in kinds[0]) and not any(p.search("sur sept ans") for p in kinds[0])
    assert any(p.search("sur sept ans") for p in kinds[1])
    assert any(p.search("inserm") for p in kinds[2])
    spans = evidence_in_order("combien de temps peut durer une expérimentation, et à qui écrire ?", vocab)
    assert any(p.search("limitee a cinq ans") for p in spans[0] + spans[1])
