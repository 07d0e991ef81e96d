"""The web widget's socket.io channel: sessions bound to the socket that opened them, rate limits, and one
event per bot message.

Rasa 3.6's SocketIOInput lets any socket join any session by naming its id (`session_request`) and speak in it
(`user_uttered` carries the session id): whoever learnt a conversation's id (a transcript, a log, the feedback
form) received its replies live and could write as the founder. Here the server issues each session's id with
a signed token (channels/sessions.py); a socket joins a session only by showing that token, and speaks only in
the session it joined. A claim without a valid token gets a new, empty session instead (clients that follow
Rasa's protocol, as the widget does, see the id change and start over).

Each bot message goes out whole, as the REST channel shapes it (`{"text", "quick_replies", "custom", ...}`):
Rasa's own SocketIOOutput passes custom JSON as keyword arguments to `sio.emit`, where a lever card raises a
TypeError and the turn is lost.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from .gate import guarded
from .limits import client_address
from .sessions import SessionSigner
from .settings import settings

logger = logging.getLogger(__name__)
DEFAULT_PATH, DEFAULT_JWT = "/socket.io", "HS256"  # Rasa's defaults, for settings left empty (null)


class WebchatOutput(SocketIOOutput):
    """Emits each bot message as one `bot_uttered` event carrying all of its parts, to its session's room."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        out: dict[str, Any] = {}
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

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


@dataclass
class Client:
    address: str  # for the per-address limit
    session: str | None = None  # the session this socket joined, with its token


class WebchatInput(SocketIOInput):
    """The socket.io input channel (Rasa's settings), with sessions bound to their sockets."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signer = SessionSigner(settings().session_secret)
        self.clients: dict[str, Client] = {}  # socket id -> its client; dropped when the socket goes

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    def open_session(self, sid: str, data: Any) -> dict[str, str] | None:
        """The session this socket joins: the one it names if it shows that session's token, else a new one;
        None when the socket is unknown."""
        client = self.clients.get(sid)
        if client is None:
            return None
        claim = data if isinstance(data, dict) else {}
        session_id, token = claim.get("session_id"), claim.get("session_token")
        if not self.signer.verify(session_id, token):
            if session_id is not None:
                logger.warning("socket %s named a session without its valid token: given a new session", sid)
            session_id, token = self.signer.issue()
        client.session = str(session_id)
        return {"session_id": str(session_id), "session_token": str(token)}

    def blueprint(self, on_new_message: Any) -> Any:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])  # CORS: Rasa's --cors, as in Rasa's
        self.sio = sio
        bp = SocketBlueprint(sio, self.socketio_path or DEFAULT_PATH, "socketio_webhook", __name__)
        trusted = settings().limits.trusted_proxies

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            jwt = self.jwt_algorithm or DEFAULT_JWT
            if self.jwt_key and not (isinstance(auth, dict) and auth.get("token")
                                     and decode_bearer_token(auth["token"], self.jwt_key, jwt)):
                return False
            request = environ.get("sanic.request")
            peer = request.ip if request is not None else str(environ.get("REMOTE_ADDR", ""))
            self.clients[sid] = Client(client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), trusted))
            return True

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            self.clients.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session = self.open_session(sid, data)
            if session is None:
                return
            for room in sio.rooms(sid, namespace=self.namespace):  # one session per socket
                if room != sid:
                    await sio.leave_room(sid, room, namespace=self.namespace)
            await sio.enter_room(sid, session["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", session, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            client = self.clients.get(sid)
            if client is None or client.session is None or not isinstance(data, dict):
                logger.warning("socket %s spoke before joining a session: ignored", sid)
                return
            if data.get("session_id") not in (None, client.session):
                logger.warning("socket %s spoke in a session it has not joined: ignored", sid)
                return
            text = data.get("message")
            if not isinstance(text, str):
                return
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            message = UserMessage(text, WebchatOutput(sio, self.bot_message_evt), client.session,
                                  input_channel=self.name(), metadata=metadata if isinstance(metadata, dict) else None)
            await guarded(on_new_message, address=client.address)(message)

        return bp
