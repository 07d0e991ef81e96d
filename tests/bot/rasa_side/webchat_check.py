"""Run in .venv-rasa (tests/bot/test_webchat_sessions.py, test_chat_limits.py): python-socketio clients (the
version Rasa pins) talking to a running Rasa server's socket.io channel as the widget does. Prints one JSON
report line of what each socket was confirmed and received.

    webchat_check.py sessions RASA_URL          a victim's session, an attacker who knows its id, a reconnection
    webchat_check.py flood RASA_URL ADDRESS N   N messages at once from one session (X-Forwarded-For: ADDRESS),
                                                then one from another session of the same address
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import socketio

CONFIRM_SECONDS = 15
QUIET_SECONDS = 4.0  # no reply for this long after the last one: the server is done with what it was sent
TURN_SECONDS = 120


class Socket:
    """One socket.io client, recording every session confirmation and bot message it receives."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url, self.headers = url, headers or {}
        self.sio = socketio.AsyncClient(reconnection=False)
        self.confirms: list[Any] = []
        self.replies: list[dict] = []
        self.sio.on("session_confirm", self.confirms.append)
        self.sio.on("bot_uttered", self.replies.append)

    async def open(self) -> Socket:
        # Long polling: the websocket client of the python-engineio Rasa pins needs a newer aiohttp than Rasa's.
        await self.sio.connect(self.url, headers=self.headers, transports=["polling"], socketio_path="/socket.io")
        return self

    async def session(self, claim: dict) -> dict:
        """Asks for a session (claim: {} for a new one, or {session_id, session_token}); the confirmation."""
        before = len(self.confirms)
        await self.sio.emit("session_request", claim)
        for _ in range(int(CONFIRM_SECONDS / 0.05)):
            if len(self.confirms) > before:
                return self.confirms[-1]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no session_confirm within {CONFIRM_SECONDS}s for {claim}")

    async def say(self, text: str, session_id: str | None, lang: str = "fr") -> None:
        await self.sio.emit("user_uttered", {"message": text, "session_id": session_id, "metadata": {"lang": lang}})

    async def settle(self, at_least: int = 1) -> list[dict]:
        """Waits for at least `at_least` more replies, then for the server to go quiet; the new replies."""
        start, last, waited = len(self.replies), len(self.replies), 0.0
        quiet = 0.0
        while waited < TURN_SECONDS:
            await asyncio.sleep(0.1)
            waited += 0.1
            if len(self.replies) != last:
                last, quiet = len(self.replies), 0.0
            else:
                quiet += 0.1
            if len(self.replies) - start >= at_least and quiet >= QUIET_SECONDS:
                break
        return self.replies[start:]

    async def close(self) -> None:
        await self.sio.disconnect()


def texts(replies: list[dict]) -> list[str]:
    return [str(r.get("text", "")) for r in replies]


async def sessions(url: str) -> dict:
    victim = await Socket(url).open()
    mine = await victim.session({})
    vid, token = mine.get("session_id"), mine.get("session_token")
    await victim.say("Bonjour", vid)
    first = await victim.settle()

    attacker = await Socket(url).open()
    await attacker.say("ATTACK-1 je voudrais parler à un conseiller", vid)  # before any session_request
    claims = [
        {"session_id": vid},  # the id alone
        {"session_id": vid, "session_token": "A" * 43},  # a made-up token
        {"session_id": vid, "session_token": token[:-1] + ("A" if token[-1] != "A" else "B")},  # one character off
        {"session_id": "../" + vid, "session_token": token},  # a malformed id with a real token
        {"session_id": vid.upper(), "session_token": token},  # another spelling of the id
    ]
    refused = [await attacker.session(claim) for claim in claims]
    own = await attacker.session({})
    own_token = own.get("session_token")
    refused.append(await attacker.session({"session_id": vid, "session_token": own_token}))  # its own token
    await attacker.say("ATTACK-2 je voudrais parler à un conseiller", vid)  # in its own session, naming the victim's
    await victim.say("Merci beaucoup", vid)
    second = await victim.settle()
    await asyncio.sleep(1.0)  # anything sent to the attacker would have come by now

    await victim.close()
    back = await Socket(url).open()
    resumed = await back.session({"session_id": vid, "session_token": token})
    await back.say("Je cherche un financement pour mon application", vid)
    third = await back.settle()
    report = {
        "victim": mine, "first": texts(first), "second": texts(second), "resumed": resumed, "third": texts(third),
        "refused": refused, "own": own, "attacker_replies": attacker.replies,
    }
    await attacker.close()
    await back.close()
    return report


async def flood(url: str, address: str, count: int) -> dict:
    headers = {"X-Forwarded-For": address}
    loud = await Socket(url, headers).open()
    session = (await loud.session({}))["session_id"]
    for n in range(count):  # within a second; spaced so that long polling never batches over the server's 16
        await loud.say(f"Hello, I need funding ({n})", session, lang="en")
        await asyncio.sleep(0.03)
    await loud.settle()
    flooded = loud.replies  # from the first: the refusal comes while the flood is still being sent
    other = await Socket(url, headers).open()
    calm = (await other.session({}))["session_id"]
    await other.say("Bonjour", calm)
    answered = await other.settle()
    await loud.close()
    await other.close()
    return {"session": session, "replies": texts(flooded), "calm": calm, "calm_replies": texts(answered)}


def main() -> None:
    kind, url, *rest = sys.argv[1:]
    report = asyncio.run(sessions(url) if kind == "sessions" else flood(url, rest[0], int(rest[1])))
    print("REPORT " + json.dumps(report, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
