"""The Rasa server's settings, read from the environment in one place, once per process: the chat rate limits,
the proxies trusted to name the client, the web widget's session secret, the Slack and Teams credentials, the
speedups switch and the Redis lock store's db and key prefix. Rasa reads them at start, when it builds the
channels (credentials.yml) and the tracker store (stores.py): a malformed value stops the server there,
naming the variable. (The action server's settings: actions/settings.py.)
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PERIODS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(second|minute|hour)s?\s*$")
OFF = "off"
MIN_SECRET_CHARS = 32
PLACEHOLDERS = {"changeme", "change-me", "secret", "placeholder", "xxx"}
SWITCH_ON, SWITCH_OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")
SPEEDUPS = "GUICHET_RASA_SPEEDUPS"

SLACK_API_URL = "https://slack.com/api/"
TEAMS_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
TEAMS_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
TEAMS_ISSUERS = "https://api.botframework.com"
TEAMS_SERVICE_HOSTS = "smba.trafficmanager.net"


@dataclass(frozen=True)
class Rate:
    """At most `count` messages in any window of `seconds`."""

    count: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.count} per {self.seconds:g} s"


@dataclass(frozen=True)
class Limits:
    sender: Rate | None  # GUICHET_CHAT_LIMIT_SENDER: per conversation, on every channel
    address: Rate | None  # GUICHET_CHAT_LIMIT_ADDRESS: per client address (REST, socket.io)
    platform: Rate | None  # GUICHET_CHAT_LIMIT_PLATFORM: all of Slack's (or Teams') conversations together
    exempt: tuple[Network, ...]  # GUICHET_CHAT_LIMIT_EXEMPT: addresses without a per-address limit
    trusted_proxies: tuple[Network, ...]  # GUICHET_CHAT_TRUSTED_PROXIES: whose X-Forwarded-For names the client


@dataclass(frozen=True)
class Platform:
    """A chat platform's settings: configured when all its `required` ones are set, else the channel answers 503."""

    required: ClassVar[tuple[str, ...]] = ()

    @property
    def configured(self) -> bool:
        return all(getattr(self, name) for name in self.required)


@dataclass(frozen=True)
class SlackSettings(Platform):
    required: ClassVar[tuple[str, ...]] = ("token", "signing_secret")
    token: str = field(default="", repr=False)  # SLACK_BOT_TOKEN
    signing_secret: str = field(default="", repr=False)  # SLACK_SIGNING_SECRET
    api_url: str = SLACK_API_URL  # SLACK_API_URL
    channel: str | None = None  # SLACK_CHANNEL: the channel whose messages the bot answers unasked


@dataclass(frozen=True)
class TeamsSettings(Platform):
    required: ClassVar[tuple[str, ...]] = ("app_id", "app_password")
    app_id: str = ""  # TEAMS_APP_ID
    app_password: str = field(default="", repr=False)  # TEAMS_APP_PASSWORD
    token_url: str = TEAMS_TOKEN_URL  # TEAMS_TOKEN_URL
    openid_url: str = TEAMS_OPENID_URL  # TEAMS_OPENID_URL
    issuers: tuple[str, ...] = (TEAMS_ISSUERS,)  # TEAMS_ALLOWED_ISSUERS
    service_hosts: tuple[str, ...] = (TEAMS_SERVICE_HOSTS,)  # TEAMS_ALLOWED_SERVICE_HOSTS
    http_timeout: float = 5.0  # TEAMS_HTTP_TIMEOUT
    keys_min_refresh: float = 60.0  # TEAMS_KEYS_MIN_REFRESH_SECONDS


@dataclass(frozen=True)
class RedisLocks:
    """Defaults for the Redis lock store (stores.EnvRedisLockStore) where the endpoint file gives none."""

    db: int = 1  # RASA_REDIS_DB
    prefix: str = "guichet"  # RASA_REDIS_PREFIX: alphanumeric (Rasa ignores any other, with a mere warning)


@dataclass(frozen=True)
class Settings:
    limits: Limits
    session_secret: bytes = field(repr=False)  # GUICHET_CHAT_SESSION_SECRET: signs the widget's session tokens
    slack: SlackSettings
    teams: TeamsSettings
    speedups: bool = True  # GUICHET_RASA_SPEEDUPS: on (default) or off (speedups.py)
    redis: RedisLocks = RedisLocks()


def rate(name: str, raw: str | None, default: str) -> Rate | None:
    """"20/minute", "5/10second", "300/hour"; "off" for no limit."""
    text = (raw or "").strip() or default
    if text.lower() == OFF:
        return None
    match = _RATE.match(text.lower())
    if not match or int(match.group(1)) < 1 or match.group(2) == "0":
        raise ValueError(f"{name} must read like 20/minute, 5/10second or {OFF}, not {text!r}")
    return Rate(int(match.group(1)), int(match.group(2) or 1) * PERIODS[match.group(3)])


def networks(name: str, raw: str | None, default: str) -> tuple[Network, ...]:
    """Comma-separated addresses or networks ("127.0.0.1, 10.0.0.0/8"); empty for none."""
    text = default if raw is None else raw
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name} must list addresses or networks separated by commas, not {text!r}") from None


def number(name: str, raw: str | None, default: float, least: float = 0.0) -> float:
    """A number of seconds, `default` when unset; one below `least` is refused."""
    try:
        value = float(raw) if raw and raw.strip() else default
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if not value >= least:  # NaN included
        raise ValueError(f"{name} must be a number of at least {least:g}, not {raw!r}")
    return value


def switch(name: str, raw: str | None, default: bool) -> bool:
    """on/off (true/false, 1/0, yes/no), `default` when unset or blank."""
    text = (raw or "").strip().lower()
    if not text:
        return default
    if text not in SWITCH_ON + SWITCH_OFF:
        raise ValueError(f"{name}={raw!r}: expected on or off")
    return text in SWITCH_ON


def redis_locks(env: Mapping[str, str]) -> RedisLocks:
    raw_db, prefix = env.get("RASA_REDIS_DB", "").strip(), env.get("RASA_REDIS_PREFIX", "").strip()
    if raw_db and not (raw_db.isascii() and raw_db.isdigit()):
        raise ValueError(f"RASA_REDIS_DB must be a Redis database number (0, 1, 2…), not {raw_db!r}")
    if prefix and not (prefix.isascii() and prefix.isalnum()):
        raise ValueError(f"RASA_REDIS_PREFIX must be alphanumeric (letters and digits only), not {prefix!r}")
    default = RedisLocks()
    return RedisLocks(db=int(raw_db) if raw_db else default.db, prefix=prefix or default.prefix)


def session_secret(raw: str | None) -> bytes:
    """The widget's session secret; unset, a random one for this process (tokens then die with it)."""
    text = (raw or "").strip()
    if not text:
        log.warning("GUICHET_CHAT_SESSION_SECRET is unset: web widget sessions will not survive a restart, and "
                    "several Rasa servers would refuse each other's (make run and docker compose set it)")
        return secrets.token_bytes(32)
    if len(text) < MIN_SECRET_CHARS or text.lower() in PLACEHOLDERS:
        raise ValueError(f"GUICHET_CHAT_SESSION_SECRET must be a random string of at least {MIN_SECRET_CHARS} "
                         "characters (e.g. `openssl rand -hex 32`)")
    return text.encode()


def _csv(raw: str | None, default: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in ((raw or "").strip() or default).split(",") if v.strip())


def _pair(env: Mapping[str, str], first: str, second: str, platform: str) -> tuple[str, str]:
    pair = env.get(first, "").strip(), env.get(second, "").strip()
    if bool(pair[0]) != bool(pair[1]):
        log.warning("%s is half-configured: set both %s and %s", platform, first, second)
    return pair


def read(env: Mapping[str, str]) -> Settings:
    """The settings from an environment mapping; ValueError names the first malformed variable."""
    api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_URL
    return Settings(
        limits=Limits(
            sender=rate("GUICHET_CHAT_LIMIT_SENDER", env.get("GUICHET_CHAT_LIMIT_SENDER"), "20/minute"),
            address=rate("GUICHET_CHAT_LIMIT_ADDRESS", env.get("GUICHET_CHAT_LIMIT_ADDRESS"), "120/minute"),
            platform=rate("GUICHET_CHAT_LIMIT_PLATFORM", env.get("GUICHET_CHAT_LIMIT_PLATFORM"), "600/minute"),
            exempt=networks("GUICHET_CHAT_LIMIT_EXEMPT", env.get("GUICHET_CHAT_LIMIT_EXEMPT"), "127.0.0.1,::1"),
            trusted_proxies=networks("GUICHET_CHAT_TRUSTED_PROXIES", env.get("GUICHET_CHAT_TRUSTED_PROXIES"), ""),
        ),
        session_secret=session_secret(env.get("GUICHET_CHAT_SESSION_SECRET")),
        slack=SlackSettings(
            *_pair(env, "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "Slack"),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            channel=env.get("SLACK_CHANNEL", "").strip() or None,
        ),
        teams=TeamsSettings(
            *_pair(env, "TEAMS_APP_ID", "TEAMS_APP_PASSWORD", "Teams"),
            token_url=env.get("TEAMS_TOKEN_URL", "").strip() or TEAMS_TOKEN_URL,
            openid_url=env.get("TEAMS_OPENID_URL", "").strip() or TEAMS_OPENID_URL,
            issuers=_csv(env.get("TEAMS_ALLOWED_ISSUERS"), TEAMS_ISSUERS),
            service_hosts=_csv(env.get("TEAMS_ALLOWED_SERVICE_HOSTS"), TEAMS_SERVICE_HOSTS),
            http_timeout=number("TEAMS_HTTP_TIMEOUT", env.get("TEAMS_HTTP_TIMEOUT"), 5.0, least=0.1),
            keys_min_refresh=number("TEAMS_KEYS_MIN_REFRESH_SECONDS", env.get("TEAMS_KEYS_MIN_REFRESH_SECONDS"), 60.0),
        ),
        speedups=switch(SPEEDUPS, env.get(SPEEDUPS), True),
        redis=redis_locks(env),
    )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Read once per Rasa server process."""
    return read(os.environ)
