"""The action server's settings, read from the environment in one place, once, when the server starts.

rasa-sdk imports every module of the actions package at start, and the modules that need a setting import
this one: a malformed value stops the action server there, with an error naming the variable, rather than
failing a founder's conversation later. (The Rasa server's own settings: channels/settings.py.)
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

API_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    api_url: str  # GUICHET_API_URL
    api_timeout: float  # GUICHET_API_TIMEOUT, seconds: shorter than Rasa's action timeout and lock lifetime
    api_key: str | None  # GUICHET_BOT_API_KEY
    advisor_reply_days: int  # GUICHET_ADVISOR_REPLY_DAYS: working days an advisor takes to answer a hand-off


def _positive(env: Mapping[str, str], name: str, default: str, kind: type[int] | type[float]) -> float:
    """A positive finite number of `kind`, `default` when unset or blank."""
    raw = (env.get(name) or "").strip() or default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a positive {kind.__name__}, not {raw!r}") from None
    if not (value > 0 and math.isfinite(value)):  # NaN and infinity included
        raise ValueError(f"{name} must be a positive {kind.__name__}, not {raw!r}")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    url = (env.get(name) or "").strip() or default
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"{name} must be an http:// or https:// URL, not {url!r}")
    return url.rstrip("/")


def read(env: Mapping[str, str]) -> Settings:
    """The settings from an environment mapping; ValueError names the first malformed variable."""
    return Settings(
        api_url=_url(env, "GUICHET_API_URL", API_URL),
        api_timeout=float(_positive(env, "GUICHET_API_TIMEOUT", "4.0", float)),
        api_key=env.get("GUICHET_BOT_API_KEY") or None,
        advisor_reply_days=int(_positive(env, "GUICHET_ADVISOR_REPLY_DAYS", "2", int)),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Read once per action server process; a malformed value is an error, never a silent default."""
    return read(os.environ)


settings()  # at start (see the module's docstring): reading a few variables is all it does
