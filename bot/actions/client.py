"""The only I/O of the actions: an httpx client to the Guichet API, created on first use."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import httpx

# Shorter than Rasa's action timeout and lock lifetime, so a slow API never blocks a conversation.
DEFAULT_TIMEOUT = 4.0


class ApiUnavailable(RuntimeError):
    """The API could not be reached or answered with an error; the bot says so and keeps the conversation."""


class GuichetClient:
    def __init__(self, base_url: str, timeout: float = DEFAULT_TIMEOUT, api_key: Optional[str] = None):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers)
        self._codes: Optional[Dict[str, set]] = None

    async def _call(self, method: str, path: str, **kwargs: Any) -> Dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise ApiUnavailable(f"{method} {path}: HTTP {response.status_code}")
        return response.json()

    async def route(self, text: Optional[str], profile: Dict[str, Any], lang: str) -> Dict[str, Any]:
        return await self._call("POST", "/route", json={"text": text, "profile": profile, "lang": lang})

    async def roadmap(self, text: Optional[str], profile: Dict[str, Any], lang: str) -> str:
        """The founder's roadmap as a Markdown document."""
        try:
            response = await self._http.post("/roadmap", json={"text": text, "profile": profile, "lang": lang})
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"POST /roadmap: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise ApiUnavailable(f"POST /roadmap: HTTP {response.status_code}")
        return response.text

    async def ask(self, question: str, lang: str) -> Dict[str, Any]:
        return await self._call("POST", "/ask", json={"question": question[:2000], "lang": lang})

    async def lever(self, lever_id: str) -> Dict[str, Any]:
        return await self._call("GET", f"/levers/{lever_id}")

    async def handoff(self, payload: Dict[str, Any]) -> Dict[str, Any]:
        return await self._call("POST", "/handoffs", json=payload)

    async def labels(self, lang: str) -> Dict[str, str]:
        """Vocabulary code -> label in the language, all vocabularies together."""
        vocab = await self._call("GET", "/vocabularies", params={"lang": lang})
        return {code: label for table in vocab.values() for code, label in table.items()}

    async def codes(self) -> Dict[str, set]:
        """Vocabulary name -> its stable codes (cached: they change only with a new knowledge base)."""
        if self._codes is None:
            vocab = await self._call("GET", "/vocabularies", params={"lang": "fr"})
            self._codes = {name: set(table) for name, table in vocab.items()}
        return self._codes

    async def levers(self, lang: str) -> List[Dict[str, Any]]:
        return (await self._call("GET", "/levers", params={"lang": lang}))["levers"]


_client: Optional[GuichetClient] = None


def get_client() -> GuichetClient:
    """One client per action server process, built on first use (never at import)."""
    global _client
    if _client is None:
        _client = GuichetClient(
            os.environ.get("GUICHET_API_URL", "http://127.0.0.1:8000"),
            float(os.environ.get("GUICHET_API_TIMEOUT", DEFAULT_TIMEOUT)),
            os.environ.get("GUICHET_BOT_API_KEY") or None,
        )
    return _client
