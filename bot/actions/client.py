"""The only I/O of the actions: an httpx client to the Guichet API, created on first use."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from guichet_contract import LIMITS, LeverIndex

from .settings import settings

log = logging.getLogger(__name__)
# The levers and vocabularies change only with the knowledge base: read again after this long.
CATALOGUE_TTL_SECONDS = 300.0


class ApiUnavailable(RuntimeError):
    """The API could not be reached (or failed on its side): the only case the bot calls an outage."""


class ApiRejected(RuntimeError):
    """The API answered 4xx: a request the bot should not have made; never reported as an outage."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class GuichetClient:
    def __init__(self, base_url: str, timeout: float, api_key: str | None = None):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers)
        self._levers: LeverIndex | None = None
        self._levers_at = 0.0
        self._labels: dict[str, tuple[float, dict[str, str]]] = {}

    async def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnavailable(f"{method} {path}: {type(exc).__name__}") from exc
        if response.status_code >= 500:
            raise ApiUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code == 401:  # the bot's own configuration: for the founder, the service is down
            log.error("%s %s: the API refused the service credential: set GUICHET_BOT_API_KEY to the secret "
                      "whose SHA-256 is the API's GUICHET_SERVICE_KEY_SHA256", method, path)
            raise ApiUnavailable(f"{method} {path}: HTTP 401")
        if response.status_code >= 400:
            log.warning("%s %s: HTTP %s %s", method, path, response.status_code, response.text[:200])
            raise ApiRejected(f"{method} {path}: HTTP {response.status_code}", response.status_code)
        return response

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return (await self._request(method, path, **kwargs)).json()

    async def route(self, text: str | None, profile: dict[str, Any], lang: str,
                    about: list[str] | None = None) -> dict[str, Any]:
        """/route; `about`: levers the founder asks about, returned in `asked` with their criteria's verdicts."""
        text = text[-LIMITS.MESSAGE:] if text else None
        body = {"text": text, "profile": profile, "lang": lang, **({"about": about[:5]} if about else {})}
        return await self._call("POST", "/route", json=body)

    async def roadmap(self, text: str | None, profile: dict[str, Any], lang: str) -> str:
        """The founder's roadmap as a Markdown document."""
        text = text[-LIMITS.MESSAGE:] if text else None
        return (await self._request("POST", "/roadmap", json={"text": text, "profile": profile, "lang": lang})).text

    async def ask(
        self, question: str, lang: str, levers: list[str] | None = None, topic: str | None = None
    ) -> dict[str, Any]:
        """/ask; `levers`: the levers the founder was just shown, `topic`: the fiche the last answer came from (a
        follow-up question is about them)."""
        body: dict[str, Any] = {"question": question[: LIMITS.QUESTION], "lang": lang, "levers": list(levers or [])}
        body["levers"] = body["levers"][:12]
        if topic:
            body["topic"] = topic
        return await self._call("POST", "/ask", json=body)

    async def lever(self, lever_id: str) -> dict[str, Any] | None:
        """One lever's record, or None when there is no such lever."""
        try:
            return await self._call("GET", f"/levers/{lever_id}")
        except ApiRejected:
            return None

    async def lever_index(self) -> LeverIndex:
        """Ids and names of the levers in both languages, for the resolver (cached CATALOGUE_TTL_SECONDS)."""
        if self._levers is None or time.monotonic() - self._levers_at > CATALOGUE_TTL_SECONDS:
            listed: list[dict[str, Any]] = []
            for lang in ("fr", "en"):
                listed += (await self._call("GET", "/levers", params={"lang": lang}))["levers"]
            self._levers, self._levers_at = LeverIndex.build(listed), time.monotonic()
        return self._levers

    async def handoff(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Files a case; the API reads the transcript from the tracker store itself (service credential)."""
        return await self._call("POST", "/handoffs", json=payload)

    async def handoff_note(self, reference: str, conversation_id: str, text: str) -> dict[str, Any]:
        return await self._call("POST", f"/handoffs/{reference}/notes",
                                json={"conversation_id": conversation_id, "text": text})

    async def handoff_amend(self, reference: str, conversation_id: str, **change: str) -> dict[str, Any]:
        """Corrects the address (`email`) or the name (`name`) of the case this conversation filed."""
        return await self._call("PATCH", f"/handoffs/{reference}", json={"conversation_id": conversation_id, **change})

    async def handoff_withdraw(self, reference: str, conversation_id: str) -> dict[str, Any]:
        """Withdraws (deletes) the case this conversation filed."""
        return await self._call("POST", f"/handoffs/{reference}/withdraw", json={"conversation_id": conversation_id})

    async def labels(self, lang: str) -> dict[str, str]:
        """Vocabulary code -> label in the language, all vocabularies together (cached as the levers)."""
        at, table = self._labels.get(lang, (0.0, {}))
        if not table or time.monotonic() - at > CATALOGUE_TTL_SECONDS:
            vocab = await self._call("GET", "/vocabularies", params={"lang": lang})
            table = {code: label for t in vocab.values() for code, label in t.items()}
            self._labels[lang] = (time.monotonic(), table)
        return table


_client: GuichetClient | None = None


def get_client() -> GuichetClient:
    """One client per action server process, built on first use (never at import)."""
    global _client
    if _client is None:
        s = settings()
        _client = GuichetClient(s.api_url, s.api_timeout, s.api_key)
    return _client
