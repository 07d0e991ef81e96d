"""Bot messages as Slack Block Kit within Slack's limits: text sections, lever cards and button actions."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from actions.formatting import t

from .text import lever_text, slack_mrkdwn, split_text, trim

# Slack's published limits (api.slack.com/reference/block-kit): blocks per message, characters per section
# text, per button label and value, elements per actions block; the fallback `text` is kept short.
MAX_BLOCKS = 50
SECTION_CHARS = 3000
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ACTIONS_PER_BLOCK = 25
FALLBACK_CHARS = 3000
LEVER_BLOCK_PREFIX = "lever:"


def fit(text: str, limit: int, render: Callable[[str], str]) -> List[str]:
    """The text rendered in pieces of at most `limit` characters once rendered (escaping makes text longer)."""
    pieces: List[str] = []
    for chunk in split_text(text, limit):
        rendered = render(chunk)
        if len(rendered) <= limit:
            pieces.append(rendered)
        else:
            pieces.extend(fit(chunk, max(limit * limit // len(rendered) - 1, 1), render))
    return pieces


def sections(text: str) -> List[Dict[str, Any]]:
    """Mrkdwn section blocks holding the whole text."""
    pieces = fit(text, SECTION_CHARS, slack_mrkdwn)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces]


def button_blocks(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Actions blocks of buttons whose value is the Rasa payload sent back when clicked."""
    elements = []
    for i, button in enumerate(buttons):
        payload = str(button.get("payload") or button.get("title") or "")
        title = str(button.get("title") or payload)
        if not payload or len(payload) > BUTTON_VALUE_CHARS:
            continue  # a click could not carry it whole: better no button than a wrong one
        elements.append({
            "type": "button",
            "action_id": f"guichet_button_{i}",
            "text": {"type": "plain_text", "text": trim(title, BUTTON_TEXT_CHARS), "emoji": True},
            "value": payload,
        })
    return [
        {"type": "actions", "block_id": f"buttons_{n}", "elements": elements[i:i + ACTIONS_PER_BLOCK]}
        for n, i in enumerate(range(0, len(elements), ACTIONS_PER_BLOCK))
    ]


def lever_blocks(cards: List[Dict[str, Any]], lang: str) -> List[Dict[str, Any]]:
    """The intro, then one section per lever (block_id `lever:<id>`), dividers between them."""
    blocks: List[Dict[str, Any]] = sections(t("intro", lang))
    for i, card in enumerate(cards, start=1):
        text = fit(lever_text(i, card, lang), SECTION_CHARS, slack_mrkdwn)[0]  # one section per card, trimmed
        blocks += [{"type": "divider"},
                   {"type": "section", "block_id": f"{LEVER_BLOCK_PREFIX}{card['id']}"[:255],
                    "text": {"type": "mrkdwn", "text": text}}]
    return blocks


def messages(text: str, buttons: Optional[List[Dict[str, Any]]] = None,
             cards: Optional[List[Dict[str, Any]]] = None, lang: str = "fr") -> List[Dict[str, Any]]:
    """chat.postMessage arguments (text fallback + blocks), as many messages as the 50-block limit needs."""
    body = lever_blocks(cards, lang) if cards else sections(text)
    actions = button_blocks(buttons or [])
    pages: List[List[Dict[str, Any]]] = []
    for block in body:
        if not pages or len(pages[-1]) >= MAX_BLOCKS:
            pages.append([])
        pages[-1].append(block)
    if actions:
        if not pages or len(pages[-1]) + len(actions) > MAX_BLOCKS:
            pages.append([])
        pages[-1].extend(actions)
    fallback = trim(text or t("intro", lang), FALLBACK_CHARS)
    return [{"text": fit(fallback, FALLBACK_CHARS, slack_mrkdwn)[0] if i == 0 else "…", "blocks": page}
            for i, page in enumerate(pages)]
