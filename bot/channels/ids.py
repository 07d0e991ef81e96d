"""Conversation ids: one conversation per person per thread (Slack) or chat (Teams), a server-issued session id
for the web widget; each channel's ids are its own (the REST channel cannot name another's)."""

from __future__ import annotations

import hashlib

from .sessions import valid_session_id

MAX_SENDER_CHARS = 255  # the tracker store's sender_id column
SLACK_PREFIX, TEAMS_PREFIX = "slack:", "teams:"


def slack_sender(team: str, channel: str, thread: str | None, user: str) -> str:
    return f"{SLACK_PREFIX}{team or '-'}:{channel}:{thread or '-'}:{user}"[:MAX_SENDER_CHARS]


def teams_sender(conversation_id: str, user_id: str) -> str:
    """Teams ids are long: the pair is hashed so the key stays short and stable."""
    digest = hashlib.sha256(f"{conversation_id}|{user_id}".encode()).hexdigest()[:40]
    return f"{TEAMS_PREFIX}{digest}"


def foreign_sender(sender: object) -> str | None:
    """The channel whose conversations have ids like this one ("web widget", "Slack", "Teams"), or None."""
    if not isinstance(sender, str):
        return None
    if valid_session_id(sender):
        return "web widget"
    if sender.startswith(SLACK_PREFIX):
        return "Slack"
    if sender.startswith(TEAMS_PREFIX):
        return "Teams"
    return None
