"""The bot's settings, read from the environment in one place, on first use (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional


@dataclass(frozen=True)
class Settings:
    api_url: str  # GUICHET_API_URL
    api_timeout: float  # GUICHET_API_TIMEOUT, seconds: shorter than Rasa's action timeout and lock lifetime
    api_key: Optional[str]  # GUICHET_BOT_API_KEY
    advisor_reply_days: int  # GUICHET_ADVISOR_REPLY_DAYS: working days an advisor takes to answer a hand-off


def _positive(name: str, default: str, kind: type) -> float:
    raw = os.environ.get(name) or default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive {kind.__name__}, not {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive {kind.__name__}, not {raw!r}")
    return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Read once per action server process; a malformed value is an error, never a silent default."""
    return Settings(
        api_url=(os.environ.get("GUICHET_API_URL") or "http://127.0.0.1:8000").rstrip("/"),
        api_timeout=float(_positive("GUICHET_API_TIMEOUT", "4.0", float)),
        api_key=os.environ.get("GUICHET_BOT_API_KEY") or None,
        advisor_reply_days=int(_positive("GUICHET_ADVISOR_REPLY_DAYS", "2", int)),
    )
