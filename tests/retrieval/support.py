"""Test support for the retrieval library: a deterministic fake Embedder and a small hand-made corpus."""

from __future__ import annotations

import hashlib

import numpy as np

from retrieval.analysis import words
from retrieval.models import Chunk


class HashEmbedder:
    """An Embedder fake: a bag of hashed folded words, L2-normalised; deterministic and instant."""

    def __init__(self, name: str = "hash-fake", dim: int = 64):
        self.name = name
        self.dim = dim
        self.passage_calls = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for w in words(text):
            v[int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]).astype(np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passage_calls += 1
        return self.embed_queries(texts)


class FailingEmbedder(HashEmbedder):
    """Embeds the first group of passages, then fails: a build interrupted midway."""

    def __init__(self, name: str = "hash-fake", dim: int = 64, fail_on_call: int = 2):
        super().__init__(name, dim)
        self.fail_on_call = fail_on_call

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.passage_calls + 1 >= self.fail_on_call:
            raise RuntimeError("embedding backend died midway")
        return super().embed_passages(texts)


def make_chunk(
    doc: str,
    n: int,
    lang: str,
    text: str,
    kind: str = "passage",
    title: str = "",
    section: str = "",
    lever_id: str | None = None,
) -> Chunk:
    """A Chunk with a well-formed id for tests."""
    doc_id = f"{doc}.{lang}"
    return Chunk(
        id=f"{doc_id}#{n:04d}",
        doc_id=doc_id,
        lang=lang,
        kind=kind,
        title=title or doc.replace("-", " "),
        section=section,
        text=text,
        lever_id=lever_id,
        source=f"Test source for {doc}",
        as_of="2024-06-01",
    )


def sample_chunks() -> list[Chunk]:
    """A small bilingual corpus: French and English passages on distinct topics, plus routing examples."""
    return [
        make_chunk(
            "subvention",
            0,
            "fr",
            "La Banque publique d'investissement verse une subvention aux jeunes "
            "entreprises de santé numérique pour financer leur innovation.",
            lever_id="grant",
        ),
        make_chunk(
            "subvention",
            1,
            "fr",
            "Le dossier de subvention se dépose en ligne avant la date limite de l'appel à projets.",
            lever_id="grant",
        ),
        make_chunk(
            "essai",
            0,
            "fr",
            "Un essai clinique sur un dispositif médical exige l'avis favorable d'un "
            "comité de protection des personnes.",
            lever_id="trial",
        ),
        make_chunk(
            "marquage",
            0,
            "fr",
            "Le marquage CE d'un logiciel dispositif médical passe par un organisme "
            "notifié et une évaluation de conformité.",
        ),
        make_chunk(
            "remboursement",
            0,
            "fr",
            "La prise en charge par l'Assurance maladie d'une télésurveillance "
            "suppose une évaluation par la Haute Autorité de santé.",
        ),
        make_chunk(
            "grant",
            0,
            "en",
            "The public investment bank awards a grant to young digital health companies to fund their innovation.",
            lever_id="grant",
        ),
        make_chunk(
            "grant",
            1,
            "en",
            "Grant applications are submitted online before the call for projects deadline.",
            lever_id="grant",
        ),
        make_chunk(
            "trial",
            0,
            "en",
            "A clinical trial of a medical device requires approval from an ethics committee.",
            lever_id="trial",
        ),
        make_chunk(
            "ce-marking",
            0,
            "en",
            "CE marking of medical device software goes through a notified body and a conformity assessment.",
        ),
        make_chunk(
            "reimbursement",
            0,
            "en",
            "Reimbursement of remote monitoring by national health insurance requires a health technology assessment.",
        ),
        make_chunk(
            "examples-trial",
            0,
            "fr",
            "Je veux lancer un essai clinique avec mon dispositif médical.",
            kind="example",
            lever_id="trial",
        ),
        make_chunk(
            "examples-trial",
            0,
            "en",
            "I want to run a clinical trial with my medical device.",
            kind="example",
            lever_id="trial",
        ),
        make_chunk(
            "examples-grant",
            0,
            "en",
            "Where can I find a grant for my digital health startup?",
            kind="example",
            lever_id="grant",
        ),
    ]
