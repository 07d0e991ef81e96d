"""Rasa's socket.io channel for the web widget, with one event per bot message.

Rasa 3.6's own SocketIOOutput passes custom JSON as keyword arguments to `sio.emit`, so a payload
such as `{"type": "lever_cards", ...}` raises a TypeError and the turn is lost. Here each bot
message goes out whole, as the REST channel shapes it: `{"text", "quick_replies", "custom", ...}`,
so the widget can show a lever card in place of its plain-text fallback, with its buttons.

It also joins the founder's socket to the session's room: Rasa 3.6 calls `sio.enter_room` without
awaiting it, and in the python-socketio that Rasa pins (5.18) it is a coroutine, so with
`session_persistence` no reply would ever reach the browser.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput

from channels.rest import guarded

logger = logging.getLogger(__name__)


class WebchatOutput(SocketIOOutput):
    """Emits each bot message as one `bot_uttered` event carrying all of its parts."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        out: Dict[Text, Any] = {}
        if message.get("text"):
            out["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            out["quick_replies"] = [
                {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")} for b in buttons
            ]
        for key in ("custom", "image", "attachment", "elements"):
            if message.get(key):
                out[key] = message[key]
        if out:
            await self._send_message(recipient_id, out)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


class WebchatInput(SocketIOInput):
    """The socket.io input channel (same settings as `socketio:`), answering through WebchatOutput."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Any) -> Any:
        checked = guarded(on_new_message)  # a huge message could hold the server for long

        async def relay(message: Any) -> Any:
            # Rasa builds a SocketIOOutput for each user message; answer through ours instead.
            if isinstance(message.output_channel, SocketIOOutput) and self.sio is not None:
                message.output_channel = WebchatOutput(self.sio, self.bot_message_evt)
            return await checked(message)

        blueprint = super().blueprint(relay)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = (data or {}).get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("socket %s joined its session", sid)

        return blueprint
