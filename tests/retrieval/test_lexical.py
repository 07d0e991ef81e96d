"""Tests for retrieval.lexical: BM25 scores checked against the Lucene formula and against rank-bm25."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval import lexical
from retrieval.analysis import tokenize

TEXTS = [
    "Public bank grant for digital health startups and their innovation.",
    "Clinical trial of a medical device: the ethics committee must approve the trial protocol.",
    "CE marking of software as a medical device through a notified body.",
    "Reimbursement of remote monitoring by national health insurance after a health technology assessment.",
    "Grant applications are filed online; the grant covers up to half of the project budget.",
    "Hospital data warehouse access for research projects, with patient consent.",
    "Clinical investigation of a device in hospital: trial sites, patients and monitoring.",
    "Tax credit for research and innovation spending by health companies.",
    "The national strategy funds digital health with 650M€ over five years.",
]
QUERIES = [
    "clinical trial",
    "grant for a health startup",
    "medical device software",
    "hospital patients research",
    "monitoring",
    "650M€ digital health strategy",
]


def _score_all(model, tokens: list[str]) -> np.ndarray:
    """BM25 score of every row of the index (what lexical.search ranks), unknown tokens left out as it does."""
    known = [t for t in tokens if t in model.vocab_dict]
    return model.get_scores(known) if known else np.zeros(int(model.scores["num_docs"]), dtype=np.float32)


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    """Nine short English documents, analysed with the library's tokenizer."""
    return [tokenize(t, "en") for t in TEXTS]


@pytest.fixture(scope="module")
def model(corpus):
    """The library's BM25 index over the corpus."""
    return lexical.build(corpus)


def lucene_bm25(corpus: list[list[str]], query: list[str], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """BM25 as Lucene computes it (Kamphuis et al., ECIR 2020): idf = ln(1 + (N - n + 0.5)/(n + 0.5)),
    tf part = tf / (tf + k1 (1 - b + b dl/avgdl)); Lucene >= 8 drops the constant (k1 + 1) factor."""
    n_docs = len(corpus)
    avgdl = sum(len(d) for d in corpus) / n_docs
    df = Counter(t for d in corpus for t in set(d))
    scores = np.zeros(n_docs)
    for term in query:
        if term not in df:
            continue
        idf = math.log(1 + (n_docs - df[term] + 0.5) / (df[term] + 0.5))
        for i, doc in enumerate(corpus):
            tf = doc.count(term)
            scores[i] += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
    return scores


def lucene_idf_okapi(corpus: list[list[str]], k1: float = 1.2, b: float = 0.75) -> BM25Okapi:
    """rank-bm25's BM25Okapi with its idf replaced by Lucene's, so that only the (k1 + 1) factor differs."""
    ref = BM25Okapi(corpus, k1=k1, b=b)
    n_docs = len(corpus)
    df = Counter(t for d in corpus for t in set(d))
    ref.idf = {t: math.log(1 + (n_docs - n + 0.5) / (n + 0.5)) for t, n in df.items()}
    return ref


@pytest.mark.parametrize("query", QUERIES)
def test_scores_match_lucene_formula(corpus, model, query):
    """Every document's score equals the hand-computed Lucene BM25 score to 1e-4."""
    tokens = tokenize(query, "en")
    expected = lucene_bm25(corpus, tokens)
    assert np.allclose(_score_all(model, tokens), expected, atol=1e-4)
    hits = lexical.search(model, tokens, k=len(corpus))
    for row, score in hits:
        assert score == pytest.approx(expected[row], abs=1e-4)
    assert {row for row, _ in hits} == {i for i, s in enumerate(expected) if s > 0}


@pytest.mark.parametrize("query", QUERIES)
def test_scores_proportional_to_rank_bm25_with_lucene_idf(corpus, model, query):
    """With the same idf, rank-bm25's Okapi scores are exactly (k1 + 1) times the library's."""
    tokens = tokenize(query, "en")
    ref = lucene_idf_okapi(corpus).get_scores(tokens)
    ours = _score_all(model, tokens)
    assert np.allclose(ours * (lexical.K1 + 1), ref, atol=1e-4)


@pytest.mark.parametrize("query", ["trial", "grant", "device", "hospital", "monitoring"])
def test_single_term_order_matches_stock_rank_bm25(corpus, model, query):
    """For one rare term the idf is a common factor, so the ranking equals stock rank-bm25's ranking."""
    tokens = tokenize(query, "en")
    ref = BM25Okapi(corpus, k1=lexical.K1, b=lexical.B).get_scores(tokens)
    assert all(ref[i] > 0 for i, d in enumerate(corpus) if tokens[0] in d)  # a term rare enough for Okapi's idf
    hits = lexical.search(model, tokens, k=len(corpus))
    # Equal scores (same tf, same length) may come in any order: break ties by row on both sides.
    expected_order = sorted((i for i in range(len(corpus)) if ref[i] > 0), key=lambda i: (-round(ref[i], 5), i))
    assert sorted((r for r, _ in hits), key=lambda r: (-round(dict(hits)[r], 5), r)) == expected_order
    assert [r for r, _ in hits] == sorted((r for r, _ in hits), key=lambda r: -dict(hits)[r])


def test_obvious_best_document_first(model):
    """The document that repeats both query terms ranks first."""
    hits = lexical.search(model, tokenize("clinical trial", "en"), k=3)
    assert hits[0][0] == 1
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_only_unknown_tokens_return_nothing(model):
    """A query made only of tokens absent from the corpus returns []."""
    assert lexical.search(model, ["zzzz", "qwerty"], k=5) == []
    assert lexical.search(model, [], k=5) == []
    assert not _score_all(model, ["zzzz"]).any()


def test_unknown_tokens_are_ignored_next_to_known_ones(model):
    """Unknown tokens do not change the scores of the known ones."""
    assert lexical.search(model, ["trial", "zzzz"], k=5) == lexical.search(model, ["trial"], k=5)


def test_k_larger_than_corpus_is_clamped(corpus, model):
    """Asking for more results than documents returns at most the matching documents, without error."""
    hits = lexical.search(model, tokenize("health", "en"), k=1000)
    matching = sum(1 for d in corpus if "health" in d)
    assert len(hits) == matching <= len(corpus)


def test_k_limits_results(model):
    """k caps the number of hits, keeping the best ones."""
    tokens = tokenize("health grant device", "en")
    assert lexical.search(model, tokens, k=2) == lexical.search(model, tokens, k=100)[:2]


def test_save_load_round_trip(tmp_path, model):
    """A saved and reloaded index gives identical results for every query."""
    lexical.save(model, tmp_path / "lex")
    loaded = lexical.load(tmp_path / "lex")
    for q in QUERIES:
        tokens = tokenize(q, "en")
        assert lexical.search(loaded, tokens, k=10) == lexical.search(model, tokens, k=10)
        assert np.array_equal(_score_all(loaded, tokens), _score_all(model, tokens))


def test_empty_document_is_indexed_without_matching(corpus):
    """A document with no tokens still takes a row but never matches."""
    model = lexical.build([*corpus, []])
    assert int(model.scores["num_docs"]) == len(corpus) + 1
    rows = [r for r, _ in lexical.search(model, tokenize("health", "en"), k=100)]
    assert len(corpus) not in rows
