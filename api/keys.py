"""Staff API keys (gk_<prefix>_<secret>): creation, lookup and scopes; the bot's service credential's check."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ApiKey

SCOPES = {"read": 1, "admin": 2}  # admin can do everything read can


def _digest(secret: str) -> str:
    # Keys are 256-bit random tokens: a plain SHA-256 cannot be brute-forced, no slow hash needed.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, scope: str, name: str) -> str:
    """Store a new key's digest and return the key, which is never stored or shown again."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {sorted(SCOPES)}")
    prefix = secrets.token_hex(4)
    key = f"gk_{prefix}_{secrets.token_urlsafe(32)}"
    session.add(ApiKey(prefix=prefix, digest=_digest(key), name=name, scope=scope))
    session.commit()
    return key


def check_key(session: Session, key: str) -> ApiKey | None:
    """The active key record for a presented key, or None."""
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "gk":
        return None
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if record is None or record.revoked_at is not None:
        return None
    return record if hmac.compare_digest(record.digest, _digest(key)) else None


def service_digest(secret: str) -> str:
    """What the API keeps of the bot's service credential (GUICHET_SERVICE_KEY_SHA256): its SHA-256, hex."""
    return _digest(secret)


def is_service_key(presented: str | None, digest: str | None) -> bool:
    """Whether a presented bearer secret is the service credential whose digest the settings hold."""
    if not presented or not digest:
        return False
    return hmac.compare_digest(_digest(presented), digest)


def allows(record: ApiKey, needed: str) -> bool:
    return SCOPES.get(record.scope, 0) >= SCOPES[needed]


def revoke(session: Session, prefix: str) -> bool:
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = dt.datetime.now(dt.UTC)
    session.commit()
    return True
