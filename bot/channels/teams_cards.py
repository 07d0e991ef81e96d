"""Bot messages as Teams activities: escaped Markdown text, Adaptive Cards with messageBack buttons.

Rasa 3.6 sends Teams buttons that carry no action type and no value, so a click never reaches the bot.
Here each button is an Action.Submit with `msteams.type = messageBack`: Teams posts the click back as a
message whose `text` is the Rasa payload (and `value.payload` too), shown in the chat as the button title.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions.formatting import t

from .text import html_escape, lever_text, split_text, trim

CARD_VERSION = "1.4"
TEXT_CHARS = 6000  # per text message: Teams refuses activities over about 28 KB
CARD_TEXT_CHARS = 4000  # text kept in a card; the rest goes before it as text messages
LEVER_CHARS = 1500
ACTIONS_PER_SET = 6  # Teams shows at most six actions in a row
TITLE_CHARS = 80
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
LEVER_ID_PREFIX = "lever:"


def text_activities(text: str) -> List[Dict[str, Any]]:
    """Plain bot text as Markdown messages, HTML escaped, split under the size limit."""
    return [{"text": html_escape(chunk), "textFormat": "markdown"} for chunk in split_text(text, TEXT_CHARS)]


def message_back(button: Dict[str, Any]) -> Optional[Dict[str, Any]]:
    payload = str(button.get("payload") or button.get("title") or "")
    title = trim(str(button.get("title") or payload), TITLE_CHARS)
    if not payload:
        return None
    return {"type": "Action.Submit", "title": title,
            "data": {"msteams": {"type": "messageBack", "displayText": title, "text": payload,
                                 "value": {"payload": payload}}}}


def _action_sets(buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    actions = [a for a in (message_back(b) for b in buttons) if a]
    return [{"type": "ActionSet", "actions": actions[i:i + ACTIONS_PER_SET]}
            for i in range(0, len(actions), ACTIONS_PER_SET)]


def _text_block(text: str, **style: Any) -> Dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def card_activity(body: List[Dict[str, Any]], buttons: List[Dict[str, Any]], summary: str) -> Dict[str, Any]:
    content = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
               "version": CARD_VERSION, "body": body + _action_sets(buttons)}
    return {"summary": trim(summary, 200), "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": content}]}


def lever_body(cards: List[Dict[str, Any]], lang: str) -> List[Dict[str, Any]]:
    body = [_text_block(t("intro", lang), weight="Bolder")]
    for i, card in enumerate(cards, start=1):
        body.append({"type": "Container", "id": f"{LEVER_ID_PREFIX}{card['id']}", "separator": True,
                     "items": [_text_block(trim(lever_text(i, card, lang), LEVER_CHARS))]})
    return body


def activities(text: str, buttons: Optional[List[Dict[str, Any]]] = None,
               cards: Optional[List[Dict[str, Any]]] = None, lang: str = "fr") -> List[Dict[str, Any]]:
    """The activities for one bot utterance: text messages, then a card holding the buttons (or levers)."""
    if cards:
        return [card_activity(lever_body(cards, lang), buttons or [], t("intro", lang))]
    if not buttons:
        return text_activities(text)
    chunks = split_text(text, CARD_TEXT_CHARS) or [""]
    before = [a for chunk in chunks[:-1] for a in text_activities(chunk)]
    body = [_text_block(chunks[-1])] if chunks[-1] else []
    return before + [card_activity(body, buttons, chunks[-1] or text)]
