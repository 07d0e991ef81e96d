"""Tests for retrieval.retriever: relevance on a small bilingual corpus, language choice, kinds, modes and fusion."""

from __future__ import annotations

import pytest

from retrieval.fusion import reciprocal_rank_fusion
from retrieval.index import build_index, load_index
from retrieval.retriever import FusionWeights, Retriever

from .support import HashEmbedder, sample_chunks

QUERIES = [
    "Comment financer mon essai clinique ?",
    "subvention pour une jeune entreprise de santé numérique",
    "How do I get approval for a clinical trial?",
    "essai clinical trial",
    "marquage CE logiciel",
    "MedTech 2030",
]


@pytest.fixture(scope="module")
def lexical_retriever(tmp_path_factory) -> Retriever:
    """A retriever over the sample corpus indexed without an embedding model."""
    root = tmp_path_factory.mktemp("index-lexical")
    build_index(sample_chunks(), root, None)
    return Retriever(load_index(root, None), None)


@pytest.fixture(scope="module")
def hybrid_retriever(tmp_path_factory) -> Retriever:
    """A retriever over the sample corpus indexed with the hashing fake embedder."""
    root = tmp_path_factory.mktemp("index-hybrid")
    embedder = HashEmbedder()
    build_index(sample_chunks(), root, embedder)
    return Retriever(load_index(root, embedder), embedder)


@pytest.fixture(params=["lexical", "hybrid"])
def retriever(request, lexical_retriever, hybrid_retriever) -> Retriever:
    """Each of the two retrievers in turn."""
    return lexical_retriever if request.param == "lexical" else hybrid_retriever


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("Comment financer mon essai clinique ?", "essai.fr#0000"),
        ("subvention pour une jeune entreprise de santé numérique", "subvention.fr#0000"),
        ("La télésurveillance est-elle remboursée par l'Assurance maladie ?", "remboursement.fr#0000"),
    ],
)
def test_french_query_finds_french_passage_first(retriever, query, best):
    """A French question returns the obviously relevant French passage first."""
    hits = retriever.search(query, k=5)
    assert hits[0].chunk.id == best
    assert all(h.chunk.lang == "fr" for h in hits)


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("How do I get approval for a clinical trial?", "trial.en#0000"),
        ("Is there a grant for digital health companies?", "grant.en#0000"),
        ("What does the notified body check for the CE marking of my software?", "ce-marking.en#0000"),
    ],
)
def test_english_query_finds_english_passage_first(retriever, query, best):
    """An English question returns the obviously relevant English passage first."""
    hits = retriever.search(query, k=5)
    assert hits[0].chunk.id == best
    assert all(h.chunk.lang == "en" for h in hits)


def test_given_lang_restricts_the_search(retriever):
    """With lang given, only that language's chunks are returned, whatever the query's language."""
    hits = retriever.search("essai clinical trial", k=20, lang="en")
    assert hits and all(h.chunk.lang == "en" for h in hits)
    assert hits[0].chunk.id == "trial.en#0000"
    hits = retriever.search("How do I get approval for a clinical trial?", k=20, lang="fr")
    assert all(h.chunk.lang == "fr" for h in hits)


def test_query_langs(lexical_retriever):
    """query_langs keeps a given language, follows a confident guess, and takes both when unsure."""
    r = lexical_retriever
    assert r.query_langs("anything", "en") == ["en"]
    assert r.query_langs("Comment obtenir une aide pour mon projet ?", None) == ["fr"]
    assert r.query_langs("How can I apply for the grant?", None) == ["en"]
    assert sorted(r.query_langs("MedTech 2030", None)) == ["en", "fr"]
    assert sorted(r.query_langs("essai clinical trial", "de")) == ["en", "fr"]


def test_unsure_language_searches_both(lexical_retriever):
    """A query with no language signal finds matching chunks in French and in English."""
    hits = lexical_retriever.search("essai clinical trial", k=10)
    ids = {h.chunk.id for h in hits}
    assert {"essai.fr#0000", "trial.en#0000"} <= ids
    assert {h.chunk.lang for h in hits} == {"fr", "en"}


def test_passage_search_excludes_examples(retriever):
    """Searching passages never returns routing examples, even for a query copied from one."""
    for query in (
        "I want to run a clinical trial with my medical device.",
        "Je veux lancer un essai clinique avec mon dispositif médical.",
    ):
        hits = retriever.search(query, k=20)
        assert hits and all(h.chunk.kind == "passage" for h in hits)


def test_example_search_returns_only_examples(retriever):
    """kind="example" searches the routing examples only."""
    hits = retriever.search("I want to run a clinical trial with my medical device.", k=20, kind="example")
    assert hits[0].chunk.id == "examples-trial.en#0000"
    assert all(h.chunk.kind == "example" for h in hits)


def test_mode_lexical_without_embedder(lexical_retriever):
    """Without an embedder the retriever is lexical and produces no dense ranking."""
    assert lexical_retriever.mode == "lexical"
    ranked = lexical_retriever.rankings("clinical trial", ["en"], "passage")
    assert ranked["dense"] == [] and ranked["lexical"]
    assert all(set(h.ranks) == {"lexical"} for h in lexical_retriever.search("clinical trial"))


def test_mode_hybrid_with_embedder(hybrid_retriever):
    """With an embedder and a dense index the retriever is hybrid and ranks with both methods."""
    assert hybrid_retriever.mode == "hybrid"
    hits = hybrid_retriever.search("How do I get approval for a clinical trial?")
    assert set(hits[0].ranks) == {"lexical", "dense"}


def test_embedder_ignored_for_lexical_index(lexical_retriever):
    """An embedder given for an index built without vectors is dropped: the mode stays lexical."""
    r = Retriever(lexical_retriever.index, HashEmbedder())
    assert r.mode == "lexical"
    assert r.embed_query("clinical trial") is None


def test_mode_reflects_loaded_dense_indexes(tmp_path):
    """A dense index loaded without its embedder serves lexically, and says so."""
    embedder = HashEmbedder()
    build_index(sample_chunks(), tmp_path, embedder)
    r = Retriever(load_index(tmp_path, None), embedder)
    assert r.mode == "lexical" or r.rankings("clinical trial", ["en"], "passage")["dense"]


def _check_fused_equals_rrf(r: Retriever, query: str) -> None:
    """Hits, order and scores of r.search equal the weighted RRF of r.rankings, computed by hand."""
    ranked = r.rankings(query, r.query_langs(query, None), "passage")
    w = r.weights
    by_hand: dict[str, float] = {}
    for name, weight in (("lexical", w.lexical), ("dense", w.dense)):
        for rank, (chunk, _) in enumerate(ranked[name], start=1):
            by_hand[chunk.id] = by_hand.get(chunk.id, 0.0) + weight / (w.rrf_k + rank)
    fused = reciprocal_rank_fusion(
        {name: [c.id for c, _ in rows] for name, rows in ranked.items()},
        k=w.rrf_k,
        weights={"lexical": w.lexical, "dense": w.dense},
    )
    hits = r.search(query, k=1000)
    assert [h.chunk.id for h in hits] == [cid for cid, _, _ in fused]
    assert {h.chunk.id: h.score for h in hits} == pytest.approx(by_hand, abs=1e-12)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        for name, rank in h.ranks.items():
            assert ranked[name][rank - 1][0] == h.chunk


@pytest.mark.parametrize("query", QUERIES)
def test_hybrid_score_is_rrf_of_the_two_rankings(hybrid_retriever, query):
    """Hybrid hits and scores equal the weighted reciprocal rank fusion of Retriever.rankings."""
    assert hybrid_retriever.rankings(query, hybrid_retriever.query_langs(query, None), "passage")["dense"]
    _check_fused_equals_rrf(hybrid_retriever, query)


def test_rankings_are_sorted_by_raw_score(hybrid_retriever):
    """Each separate ranking lists chunks by decreasing raw score (BM25, cosine)."""
    ranked = hybrid_retriever.rankings("essai clinical trial", ["fr", "en"], "passage")
    for rows in ranked.values():
        scores = [s for _, s in rows]
        assert scores and scores == sorted(scores, reverse=True)


def test_fusion_weights_change_the_scores(tmp_path):
    """Custom FusionWeights are used: with dense weight 0 the hybrid search fuses only the lexical ranking."""
    embedder = HashEmbedder()
    build_index(sample_chunks(), tmp_path, embedder)
    r = Retriever(load_index(tmp_path, embedder), embedder, FusionWeights(lexical=1.0, dense=0.0, rrf_k=10))
    hits = r.search("How do I get approval for a clinical trial?", k=10)
    assert hits[0].chunk.id == "trial.en#0000"
    assert hits[0].score == pytest.approx(1 / 11)
    assert all(set(h.ranks) == {"lexical"} for h in hits)


def test_k_limits_hits(retriever):
    """search returns at most k hits, the best ones."""
    query = "essai clinical trial"
    assert retriever.search(query, k=2) == retriever.search(query, k=50)[:2]
    assert len(retriever.search(query, k=1)) == 1


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_blank_query_returns_nothing(retriever, query):
    """A blank query returns no hits."""
    assert retriever.search(query) == []


def test_no_match_returns_nothing_lexically(lexical_retriever):
    """A lexical search with no known word returns no hits."""
    assert lexical_retriever.search("zzqx wvyk", k=5) == []


def test_hit_to_dict_exposes_chunk_fields(lexical_retriever):
    """Hit.to_dict carries the chunk's text, ids, metadata and a rounded score."""
    hit = lexical_retriever.search("How do I get approval for a clinical trial?", k=1)[0]
    d = hit.to_dict()
    assert d["chunk_id"] == "trial.en#0000" and d["doc_id"] == "trial.en"
    assert d["lang"] == "en" and d["lever_id"] == "trial" and d["as_of"] == "2024-06-01"
    assert d["score"] == round(hit.score, 6)
    assert d["text"] == hit.chunk.text


@pytest.mark.slow
def test_tiny_model_hybrid_search_fuses_both_rankings(tmp_path, tiny_embedder):
    """With the tiny real model the retriever is hybrid and its hits are the RRF of both rankings."""
    build_index(sample_chunks(), tmp_path, tiny_embedder)
    r = Retriever(load_index(tmp_path, tiny_embedder), tiny_embedder)
    assert r.mode == "hybrid"
    for query in QUERIES:
        _check_fused_equals_rrf(r, query)
    assert r.search("How do I get approval for a clinical trial?", k=1)[0].chunk.lang == "en"


def test_search_reads_the_dense_ranking_deeper_than_the_lexical_one(tmp_path) -> None:
    """Over 120 passages, search gives dense shares down to DENSE_DEPTH, past the lexical DEPTH: a passage the
    model ranks 80th keeps its small share instead of none."""
    from retrieval.retriever import DENSE_DEPTH, DEPTH

    from .support import make_chunk

    chunks = [make_chunk(f"doc-{i}", 0, "en", f"passage {i} about topic {i % 7} and remote monitoring") for i in
              range(120)]
    embedder = HashEmbedder()
    build_index(chunks, tmp_path, embedder)
    retriever = Retriever(load_index(tmp_path, embedder), embedder, FusionWeights(dense_langs=("en",)))
    hits = retriever.search("remote monitoring topic", k=120, lang="en")
    deepest = max(h.ranks.get("dense", 0) for h in hits)
    assert DEPTH < deepest <= DENSE_DEPTH
    assert len(retriever.rankings("remote monitoring topic", ["en"], "passage")["dense"]) == DEPTH
