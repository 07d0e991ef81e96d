"""The demo page at `/`: a page that embeds the chat widget with one script tag, as any site would."""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "demo.html"

TEXTS = {
    "fr": {
        "title": "Guichet : l'orientation des innovateurs en santé numérique",
        "lang_nav": "Langue",
        "intro": "Cette page de démonstration intègre l'assistant du guichet, comme le ferait n'importe quel site "
        "partenaire. Ouvrez-le avec le bouton en bas à droite.",
        "how": "Décrivez votre projet (stade, type de produit, besoin) : l'assistant vous propose les leviers de la "
        "stratégie d'accélération santé numérique qui vous correspondent, avec leurs sources, puis un conseiller "
        "si vous le souhaitez.",
        "embed_title": "L'intégrer sur votre site",
        "embed_text": "Une seule balise suffit :",
        "privacy_title": "Données",
        "privacy": "Le guichet conserve la conversation et vos avis pour vous orienter et améliorer le service. "
        "L'identifiant de session est tiré au hasard à l'ouverture de la discussion et gardé dans cet onglet. "
        "Ne saisissez aucune donnée de patient.",
    },
    "en": {
        "title": "Guichet: guidance for digital-health innovators",
        "lang_nav": "Language",
        "intro": "This demo page embeds the single window's assistant, as any partner site would. Open it with the "
        "button at the bottom right.",
        "how": "Describe your project (stage, kind of product, need): the assistant suggests the levers of the "
        "digital-health acceleration strategy that fit you, with their sources, then an advisor if you wish.",
        "embed_title": "Embed it in your site",
        "embed_text": "One tag is enough:",
        "privacy_title": "Data",
        "privacy": "The single window keeps the conversation and your feedback to guide you and improve the "
        "service. The session id is drawn at random when you open the chat and kept in this tab. Do not enter "
        "any patient data.",
    },
}

router = APIRouter(tags=["pages"])


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _origins(url: str) -> str:
    """The http(s) origin of a URL and its WebSocket twin, for the page's connect-src."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    ws = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {ws}://{parts.netloc}"


def page_csp(rasa_url: str) -> str:
    """Only the page's own script and style, the API and the Rasa server: nothing inline."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {_origins(rasa_url)}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def demo_page(request: Request, lang: Literal["fr", "en"] = Query(default="fr")) -> HTMLResponse:
    rasa_url = request.app.state.settings.rasa_public_url
    api_url = str(request.base_url).rstrip("/")
    snippet = (
        f'<script src="{api_url}/static/widget.js" data-server="{rasa_url}" data-api="{api_url}" '
        f'data-lang="{lang}" defer></script>'
    )
    values = {**TEXTS[lang], "lang": lang, "server": rasa_url, "api": api_url, "snippet": snippet}
    body = _template().format_map({k: html.escape(v, quote=True) for k, v in values.items()})
    return HTMLResponse(body, headers={"Content-Security-Policy": page_csp(rasa_url), "Cache-Control": "no-store"})
