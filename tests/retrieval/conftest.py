"""Fixtures for the retrieval tests: hand-made chunks, a fake embedder and a tiny real sentence-transformers model."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.models import Chunk

from .support import HashEmbedder, sample_chunks

# Enough WordPiece pieces for the tiny model to tokenise any lowercase ASCII text (letters spell out
# the rest), plus whole words so that common texts are not just letters.
_WORD_LINES = """
the a an of and or to in for is are on with by from at as it this that be can you your we our
health digital grant grants trial trials clinical startup startups funding fund innovation data hospital
hospitals patient patients medical device devices software marking certification regulation approval
public bank loan loans research project projects company companies market access reimbursement
evaluation evaluations study studies ethics committee authority agency france french english europe
sante numerique aide aides subvention subventions essai essais clinique cliniques financement innovation
donnees hopital hopitaux medicale medical dispositif dispositifs logiciel marquage ce reglement
banque pret prets recherche projet projets entreprise entreprises marche acces remboursement
evaluation etude etudes comite ethique autorite agence le la les des du de un une et ou pour sur
dans avec par est sont qui que en au aux
how what when where who which why do does apply application deadline million millions euro euros
budget plan national strategy strategie call calls tender appel appels offre offres
insurance monitoring remote body notified conformity assessment software online submitted before after
assurance maladie surveillance organisme notifie conformite ligne avant apres dossier date limite
"""
_WORDS = _WORD_LINES.split()
_SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
_CHARS = list("abcdefghijklmnopqrstuvwxyz0123456789")
_PUNCT = [*".,;:!?'\"-()/%€$&+", "##€", "##$"]


def tiny_vocab() -> list[str]:
    """A WordPiece vocabulary of about 300 pieces, without duplicates."""
    seen: dict[str, None] = {}
    for tok in (*_SPECIAL, *_CHARS, *(f"##{c}" for c in _CHARS), *_PUNCT, *_WORDS):
        seen.setdefault(tok, None)
    return list(seen)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny randomly initialised BERT saved as a sentence-transformers model folder (mean pooling, 32 dims)."""
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6 moved the modules; the old path still works but warns
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # pragma: no cover - older sentence-transformers
        from sentence_transformers.models import Pooling, Transformer

    base = tmp_path_factory.mktemp("tiny-model")
    hf_dir, out_dir = base / "hf", base / "sentence-transformer"
    hf_dir.mkdir()
    vocab = tiny_vocab()
    vocab_file = base / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    transformers.BertModel(config).save_pretrained(hf_dir)
    # from_pretrained on the folder reads vocab.txt in transformers 4 and 5 alike (in 5 the constructor
    # takes `vocab=` and silently ignores `vocab_file=`, which would leave an all-[UNK] tokenizer).
    tokenizer = transformers.BertTokenizer.from_pretrained(str(base))
    assert tokenizer.tokenize("Clinical trial xq") == ["clinical", "trial", "x", "##q"]
    tokenizer.save_pretrained(hf_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        model = SentenceTransformer(
            modules=[Transformer(str(hf_dir), max_seq_length=128), Pooling(32, pooling_mode="mean")],
            device="cpu",
        )
        model.save(str(out_dir))
    return out_dir


@pytest.fixture(scope="session")
def tiny_embedder(tiny_model_dir: Path):
    """The tiny model loaded through the real load_embedder, offline."""
    from retrieval.embedding import load_embedder

    with pytest.MonkeyPatch.context() as mp:
        # load_embedder sets these with setdefault; set them here so they are restored afterwards.
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        embedder, reason = load_embedder(str(tiny_model_dir), offline=True)
    assert embedder is not None, reason
    return embedder


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    """A fresh deterministic fake embedder."""
    return HashEmbedder()


@pytest.fixture
def chunks() -> list[Chunk]:
    """The small bilingual corpus of sample_chunks()."""
    return sample_chunks()
