"""Bot messages as Teams activities: escaped Markdown text, Adaptive Cards with messageBack buttons.

Rasa 3.6 sends Teams buttons that carry no action type and no value, so a click never reaches the bot.
Here each button is an Action.Submit with `msteams.type = messageBack`: Teams posts the click back as a
message whose `text` is the Rasa payload (and `value.payload` too), shown in the chat as the button title.
"""

from __future__ import annotations

from typing import Any

from guichet_contract import PayloadType

from actions.formatting import citation_parts, t

from .text import escape_markup, layout_of, lever_text, roadmap_outline, split_text, trim

CARD_VERSION = "1.4"
TEXT_CHARS = 6000  # per text message: Teams refuses activities over about 28 KB
CARD_TEXT_CHARS = 4000  # text kept in a card; the rest goes before it as text messages
LEVER_CHARS = 1500
ACTIONS_PER_SET = 6  # Teams shows at most six actions in a row
TITLE_CHARS = 80
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
LEVER_ID_PREFIX = "lever:"
ITEM_CHARS = 400  # one criterion, step or source line


def text_activities(text: str) -> list[dict[str, Any]]:
    """Plain bot text as Markdown messages, HTML escaped, split under the size limit."""
    return [{"text": escape_markup(chunk), "textFormat": "markdown"} for chunk in split_text(text, TEXT_CHARS)]


def message_back(button: dict[str, Any]) -> dict[str, Any] | None:
    payload = str(button.get("payload") or button.get("title") or "")
    title = trim(str(button.get("title") or payload), TITLE_CHARS)
    if not payload:
        return None
    return {"type": "Action.Submit", "title": title,
            "data": {"msteams": {"type": "messageBack", "displayText": title, "text": payload,
                                 "value": {"payload": payload}}}}


def _action_sets(buttons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    actions = [a for a in (message_back(b) for b in buttons) if a]
    return [{"type": "ActionSet", "actions": actions[i:i + ACTIONS_PER_SET]}
            for i in range(0, len(actions), ACTIONS_PER_SET)]


def _text_block(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card_activity(body: list[dict[str, Any]], buttons: list[dict[str, Any]], summary: str) -> dict[str, Any]:
    content = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
               "version": CARD_VERSION, "body": body + _action_sets(buttons)}
    return {"summary": trim(summary, 200), "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}


def lever_body(cards: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    body = [_text_block(t("intro", lang), weight="Bolder")]
    for i, card in enumerate(cards, start=1):
        body.append({"type": "Container", "id": f"{LEVER_ID_PREFIX}{card['id']}", "separator": True,
                     "items": [_text_block(trim(lever_text(i, card, lang), LEVER_CHARS))]})
    return body


def inert(text: str) -> str:
    """Data text for a TextBlock (Teams reads a Markdown subset there): no link can be formed from it."""
    return str(text or "").replace("](", "] (")


def md_link(url: str, title: str) -> str:
    """A Markdown link to an https address (spaces and parentheses encoded); the bare title otherwise."""
    title = str(title or "").replace("[", "(").replace("]", ")")
    if not url.startswith("https://"):
        return title
    return f"[{title}]({url.replace(' ', '%20').replace('(', '%28').replace(')', '%29')})"


def answer_body(custom: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """An /ask answer: its text, then its numbered sources, each a link where the source has an https URL."""
    body = [_text_block(inert(trim(str(custom.get("answer") or ""), CARD_TEXT_CHARS)))]
    cites = [citation_parts(c, i) for i, c in enumerate(custom.get("citations") or [], start=1)]
    if cites:
        body.append(_text_block(t("sources", lang), weight="Bolder", size="Small", spacing="Medium"))
        for p in cites:
            meta = f" — {inert(p['meta'])}" if p["meta"] else ""
            body.append(_text_block(f"[{p['n']}] {md_link(p['url'], trim(p['title'], 300))}{meta}",
                                    size="Small", isSubtle=True, spacing="None"))
    return body


def roadmap_body(markdown: str, lang: str) -> list[dict[str, Any]]:
    """The roadmap laid out, compact: the title and project, then each lever as a line that opens its
    criteria verdicts and next steps (Action.ToggleVisibility); the whole document is the download."""
    doc = roadmap_outline(markdown)
    body: list[dict[str, Any]] = []
    if doc["title"]:
        body.append(_text_block(inert(doc["title"]), weight="Bolder", size="Medium"))
    body += [_text_block(inert(line), isSubtle=True) for line in doc["intro"]]
    shown = (t("roadmap_criteria", lang), t("roadmap_next", lang))
    for i, lever in enumerate(doc["levers"], start=1):
        details: list[dict[str, Any]] = []
        for heading, items in lever["sections"]:
            if heading in shown and items:
                details.append(_text_block(inert(heading), weight="Bolder", size="Small"))
                details += [_text_block(f"- {inert(trim(item, ITEM_CHARS))}", size="Small", spacing="None")
                            for item in items]
        target = f"roadmap-{i}"
        body.append({"type": "Container", "separator": True,
                     "selectAction": {"type": "Action.ToggleVisibility", "title": inert(lever["name"]),
                                      "targetElements": [target]},
                     "items": [_text_block(f"▸ {inert(trim(lever['name'], 200))}", weight="Bolder")]})
        body.append({"type": "Container", "id": target, "isVisible": False, "items": details or [
            _text_block(inert(lever["summary"]) or "—", size="Small")]})
    if doc["note"]:
        body.append(_text_block(inert(doc["note"]), size="Small", isSubtle=True, separator=True))
    return body


def activities(text: str, buttons: list[dict[str, Any]] | None = None,
               cards: list[dict[str, Any]] | None = None, lang: str = "fr",
               custom: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The activities for one bot utterance: text messages, then a card holding the buttons (or levers, an
    answer with its sources, a roadmap)."""
    layout = layout_of(cards, custom)
    if layout == PayloadType.LEVER_CARDS.value and cards:
        return [card_activity(lever_body(cards, lang), buttons or [], t("intro", lang))]
    if layout == PayloadType.ANSWER.value and custom:
        return [card_activity(answer_body(custom, lang), buttons or [], str(custom["answer"]))]
    if layout == PayloadType.ROADMAP.value and custom:
        body = roadmap_body(str(custom["markdown"]), lang)
        if body:
            return [card_activity(body, buttons or [], text or t("roadmap", lang))]
    if not buttons:
        return text_activities(text)
    chunks = split_text(text, CARD_TEXT_CHARS) or [""]
    before = [a for chunk in chunks[:-1] for a in text_activities(chunk)]
    body = [_text_block(inert(chunks[-1]))] if chunks[-1] else []  # text the founder typed may be in it
    return before + [card_activity(body, buttons, chunks[-1] or text)]
