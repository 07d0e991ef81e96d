"""Conversation ids for Slack and Teams: one conversation per person per thread (Slack) or chat (Teams)."""

from __future__ import annotations

import hashlib
from typing import Optional

MAX_SENDER_CHARS = 255  # the tracker store's sender_id column


def slack_sender(team: str, channel: str, thread: Optional[str], user: str) -> str:
    return f"slack:{team or '-'}:{channel}:{thread or '-'}:{user}"[:MAX_SENDER_CHARS]


def teams_sender(conversation_id: str, user_id: str) -> str:
    """Teams ids are long: the pair is hashed so the key stays short and stable."""
    digest = hashlib.sha256(f"{conversation_id}|{user_id}".encode()).hexdigest()[:40]
    return f"teams:{digest}"
