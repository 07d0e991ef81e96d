"""Retrieval library: documents -> chunks -> BM25 + dense index -> fused search. No web, no dialogue."""
