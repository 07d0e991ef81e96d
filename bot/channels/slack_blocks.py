"""Bot messages as Slack Block Kit within Slack's limits: text sections, lever cards and button actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guichet_contract import PayloadType

from actions.formatting import citation_parts, t

from .text import escape_markup, layout_of, lever_text, roadmap_outline, slack_mrkdwn, split_text, trim

# Slack's published limits (api.slack.com/reference/block-kit): blocks per message, characters per section
# text, per button label and value, elements per actions block; the fallback `text` is kept short.
MAX_BLOCKS = 50
SECTION_CHARS = 3000
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ACTIONS_PER_BLOCK = 25
FALLBACK_CHARS = 3000
LEVER_BLOCK_PREFIX = "lever:"
HEADER_CHARS = 150  # a header block's plain text
ROADMAP_STEPS = 3  # next steps per lever in the chat; the whole document has them all


def fit(text: str, limit: int, render: Callable[[str], str]) -> list[str]:
    """The text rendered in pieces of at most `limit` characters once rendered (escaping makes text longer)."""
    pieces: list[str] = []
    for chunk in split_text(text, limit):
        rendered = render(chunk)
        if len(rendered) <= limit:
            pieces.append(rendered)
        else:
            pieces.extend(fit(chunk, max(limit * limit // len(rendered) - 1, 1), render))
    return pieces


def sections(text: str) -> list[dict[str, Any]]:
    """Mrkdwn section blocks holding the whole text."""
    pieces = fit(text, SECTION_CHARS, slack_mrkdwn)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces]


def button_blocks(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def lever_blocks(cards: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The intro, then one section per lever (block_id `lever:<id>`), dividers between them."""
    blocks: list[dict[str, Any]] = sections(t("intro", lang))
    for i, card in enumerate(cards, start=1):
        text = fit(lever_text(i, card, lang), SECTION_CHARS, slack_mrkdwn)[0]  # one section per card, trimmed
        blocks += [{"type": "divider"},
                   {"type": "section", "block_id": f"{LEVER_BLOCK_PREFIX}{card['id']}"[:255],
                    "text": {"type": "mrkdwn", "text": text}}]
    return blocks


def link(url: str, title: str) -> str:
    """A Slack link to an https address, its text escaped; just the text for any other address."""
    if not url.startswith("https://"):
        return escape_markup(title)
    return f"<{escape_markup(url).replace('|', '%7C')}|{escape_markup(title).replace('|', '/')}>"


def answer_blocks(custom: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """An /ask answer: its text, then its sources numbered, each a link where the source has an https URL."""
    blocks = sections(str(custom.get("answer") or ""))
    lines = []
    for i, c in enumerate(custom.get("citations") or [], start=1):
        p = citation_parts(c, i)
        meta = f" — {escape_markup(p['meta'])}" if p["meta"] else ""
        lines.append(f"[{p['n']}] {link(p['url'], trim(p['title'], 300))}{meta}")
    if lines:
        head = f"*{t('sources', lang)}*"
        text = trim("\n".join([head, *lines]), SECTION_CHARS)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": text}]})
    return blocks


def roadmap_blocks(markdown: str, lang: str) -> list[dict[str, Any]]:
    """The roadmap laid out, compact: a header, the project, then per lever its name, criteria verdicts and
    first steps (the full document, with figures and sources, is the download)."""
    doc = roadmap_outline(markdown)
    blocks: list[dict[str, Any]] = []
    if doc["title"]:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": trim(doc["title"], HEADER_CHARS)}})
    if doc["intro"]:
        blocks += sections("\n".join(doc["intro"]))
    for lever in doc["levers"]:
        lines = [f"*{escape_markup(lever['name'])}*"]
        for heading, items in lever["sections"]:
            if heading in (t("roadmap_criteria", lang), t("roadmap_next", lang)):
                shown = items if heading == t("roadmap_criteria", lang) else items[:ROADMAP_STEPS]
                lines.append(f"_{escape_markup(heading)}_")
                lines += [f"• {escape_markup(trim(item, 300))}" for item in shown]
        section = {"type": "mrkdwn", "text": trim("\n".join(lines), SECTION_CHARS)}
        blocks += [{"type": "divider"}, {"type": "section", "text": section}]
    if doc["note"]:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape_markup(doc["note"])}]})
    return blocks


def body_blocks(text: str, cards: list[dict[str, Any]] | None, custom: dict[str, Any] | None,
                lang: str) -> list[dict[str, Any]]:
    """The blocks of one bot message: lever cards, an answer with its sources, a roadmap, or the text."""
    layout = layout_of(cards, custom)
    if layout == PayloadType.LEVER_CARDS.value and cards:
        return lever_blocks(cards, lang)
    if layout == PayloadType.ANSWER.value and custom:
        return answer_blocks(custom, lang)
    if layout == PayloadType.ROADMAP.value and custom:
        return roadmap_blocks(str(custom["markdown"]), lang) or sections(text)
    return sections(text)


def messages(text: str, buttons: list[dict[str, Any]] | None = None,
             cards: list[dict[str, Any]] | None = None, lang: str = "fr",
             custom: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """chat.postMessage arguments (text fallback + blocks), as many messages as the 50-block limit needs."""
    body = body_blocks(text, cards, custom, lang)
    actions = button_blocks(buttons or [])
    pages: list[list[dict[str, Any]]] = []
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
