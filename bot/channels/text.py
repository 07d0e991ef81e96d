"""What the Slack and Teams renderings share: clean splits, trims and markup escaping, the choice of a bot
message's layout, a lever card's text and the roadmap's outline (pure functions)."""

from __future__ import annotations

import re
from typing import Any

from guichet_contract import PayloadType

from actions.formatting import amount_text, t

ELLIPSIS = "…"
_SEPARATORS = ("\n\n", "\n", " ")
FIELD_CHARS = 400  # per field of a lever card: a card stays readable and within every platform's limits


def trim(text: str, limit: int) -> str:
    """The text cut to at most `limit` characters, at a word boundary when one is near, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    window = text[: max(limit - len(ELLIPSIS), 0)]
    cut = window.rfind(" ")
    if cut > limit * 0.6:
        window = window[:cut]
    return window.rstrip(" ,;:.\n") + ELLIPSIS


def split_text(text: str, limit: int) -> list[str]:
    """The text in chunks of at most `limit` characters, cut between paragraphs, lines or words if possible."""
    rest = text.strip()
    chunks: list[str] = []
    while len(rest) > limit:
        window = rest[:limit]
        for sep in _SEPARATORS:
            cut = window.rfind(sep)
            if cut > limit // 3:
                chunks.append(rest[:cut].rstrip())
                rest = rest[cut + len(sep):].lstrip("\n")
                break
        else:
            chunks.append(window)
            rest = rest[limit:]
    if rest.strip():
        chunks.append(rest.rstrip())
    return [c for c in chunks if c.strip()]


def escape_markup(text: str) -> str:
    """&, < and > escaped as HTML entities, which both platforms read: bot text can neither mention
    @channel nor forge a link in Slack, nor pass as HTML or an <at> mention in Teams."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_markup(text: str) -> str:
    """A Slack user's text as typed (Slack sends &, < and > escaped)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$", re.MULTILINE)


def slack_mrkdwn(text: str) -> str:
    """Bot text (plain or Markdown) as Slack mrkdwn: escaped, **bold** and # headings turned into *bold*."""
    escaped = escape_markup(text)
    escaped = _HEADING.sub(lambda m: f"*{m.group(1)}*", escaped)
    return _BOLD.sub(lambda m: f"*{m.group(1)}*", escaped)


def layout_of(cards: list[dict[str, Any]] | None, custom: dict[str, Any] | None) -> str | None:
    """The rich layout a bot message gets (its lever cards, its cited answer, its roadmap), or None: its text."""
    if cards:
        return PayloadType.LEVER_CARDS.value
    kind = (custom or {}).get("type")
    if custom and kind == PayloadType.ANSWER.value and custom.get("answer"):
        return kind
    if custom and kind == PayloadType.ROADMAP.value and custom.get("markdown"):
        return kind
    return None


def lever_text(index: int, card: dict[str, Any], lang: str) -> str:
    """One lever card as light Markdown (bold name, why, where it stands, amount with its date, next step,
    source)."""
    sep, lines = (" : " if lang == "fr" else ": "), [f"**{index}. {trim(str(card.get('name', '')), 200)}**"]
    if card.get("why"):
        why = (" ; " if lang == "fr" else "; ").join(trim(str(w), FIELD_CHARS) for w in card["why"])
        lines.append(f"**{t('why', lang)}**{sep}{why}")
    if card.get("status"):
        lines.append(f"**{t('status', lang)}**{sep}{trim(str(card['status']), FIELD_CHARS)}")
    amount = card.get("amount")
    if amount:
        heading, text = amount_text(amount, lang)
        lines.append(f"**{heading}**{sep}{trim(text, FIELD_CHARS)}")
    if card.get("next_step"):
        lines.append(f"**{t('next', lang)}**{sep}{trim(str(card['next_step']), FIELD_CHARS)}")
    if card.get("source"):
        lines.append(f"_{t('source', lang)}{sep}{trim(str(card['source']), FIELD_CHARS)}_")
    return "\n".join(lines)


_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]<>#|])")
_AUTOLINK = re.compile(r"\s*<(https://[^\s<>]+)>")


def md_plain(text: str) -> str:
    """A line of the roadmap's Markdown as plain text: escapes undone, emphasis markers and autolinks dropped."""
    text = _AUTOLINK.sub("", text)
    text = _BOLD.sub(lambda m: m.group(1), text)
    return _MD_ESCAPED.sub(r"\1", text).strip()


def roadmap_outline(markdown: str) -> dict[str, Any]:
    """The roadmap document (api/core/roadmap.py's Markdown) as data a channel can lay out: its title, the
    lines before the first lever, each lever with its sections ("Critères": [items]) and lines, the note."""
    out: dict[str, Any] = {"title": "", "intro": [], "levers": [], "note": ""}
    lever: dict[str, Any] | None = None
    section: list[str] | None = None
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line or line == "---":
            continue
        if line.startswith("# "):
            out["title"] = md_plain(line[2:])
        elif line.startswith("## "):
            lever = {"name": md_plain(line[3:]), "summary": "", "sections": [], "lines": [], "links": []}
            out["levers"].append(lever)
            section = None
        elif line.startswith("### ") and lever is not None:
            section = []
            lever["sections"].append((md_plain(line[4:]), section))
        elif re.match(r"^(-|\d+\.) ", line) and section is not None:
            section.append(md_plain(line.split(" ", 1)[1]))
        elif line.startswith("_") and line.endswith("_"):
            out["note"] = md_plain(line[1:-1])
        elif lever is None:
            out["intro"].append(md_plain(line))
        else:
            lever["links"] += _AUTOLINK.findall(line)
            if lever["summary"] or lever["sections"]:
                lever["lines"].append(md_plain(line))
            else:
                lever["summary"] = md_plain(line)
    return out
