"""What the widget draws from the bot's rich payloads (roadmap, answer, lever cards, buttons), in a real
Chromium, from a conversation already in the tab's memory: no server needed (Rasa is down for these pages)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.core import roadmap
from tests.web.test_widget_offline import closed_port, host_site  # noqa: F401 (the static host page)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))
from actions.formatting import card, card_buttons  # noqa: E402

SESSION = "ab" * 32
TOKEN = "A" * 43  # the form of a session token (bot/channels/sessions.py); no server checks it here
XSS = '<img src=x onerror="window.__xss=1">'
LONG_NAME = "Programmes et équipements prioritaires de recherche (PEPR) en santé numérique"
LEVER = {  # a /route lever as the API gives it (api/core/router.py _card)
    "id": "bpifrance-innovation",
    "name": "Aides à l'innovation de Bpifrance pour les nouveaux usages numériques en santé",
    "summary": "La stratégie renforce les aides à l'innovation qui financent le développement de solutions.",
    "reasons": [
        "Besoin exprimé : Financer le développement d'une innovation",
        "Votre produit (Logiciel) entre dans son périmètre",
        "Il s'adresse aux structures comme la vôtre (Start-up)",
    ],
    "criteria": [
        {
            "id": c,
            "name": n,
            "slot": "stage",
            "verdict": v,
            "required": False,
            "evidence": {
                "text": "La stratégie finance des outils numériques_pour la médecine 5P.",
                "source": "Gouvernement, 2021-10-20",
            },
        }
        for c, n, v in (
            ("company", "Entreprise innovante", "met"),
            ("dev", "Besoin de financer un développement", "met"),
            ("stage", "Produit en développement", "unknown"),
        )
    ],
    "amounts": [
        {
            "label": "50 M€ de renfort des aides à l'innovation qui visent les nouveaux usages du numérique en santé",
            "value_eur": 5e7,
            "scope": "national",
            "period": "total",
            "as_of": "2021-10-20",
            "source": "Gouvernement, 2021-10-20",
        }
    ],
    "next_steps": [
        "Préparer un budget de développement détaillé (postes, calendrier, part autofinancée) "
        "et un plan de travail par étapes.",
        "Décrire l'usage nouveau visé et son impact attendu pour la médecine 5P.",
        "Prendre contact avec Bpifrance pour identifier l'aide à l'innovation adaptée.",
    ],
    "contact": {"channel": "web", "label": "Bpifrance (aides à l'innovation)", "url": "https://www.bpifrance.fr"},
    "sources": ["Gouvernement — Stratégie d'accélération santé numérique, 2021-10-20", "Article de presse, 2021-02-19"],
}


def levers(n: int) -> list[dict]:
    names = [LEVER["name"], LONG_NAME, f"Tiers-lieux d'expérimentation {XSS}"]
    return [LEVER | {"id": f"lever-{i}", "name": names[i % 3]} for i in range(n)]


def roadmap_entry() -> dict:
    routed = {"profile": {"stage": "prototype", "needs": ["funding-innovation"]}, "levers": levers(3)}
    markdown = roadmap.render(
        routed, {"prototype": "Prototype", "funding-innovation": "Financer le développement"}, "fr"
    )
    return {
        "text": "Votre feuille de route, dans l'ordre :\n1. …",
        "buttons": [{"title": "Parler à un conseiller", "payload": "/request_advisor"}],
        "custom": {"type": "roadmap", "lang": "fr", "markdown": markdown, "filename": "feuille-de-route.md"},
    }


@pytest.fixture
def chat(browser, host_site: str) -> Iterator:  # noqa: F811
    """Opens the host page with the given bot messages already in the conversation, and opens the chat."""
    contexts = []

    def open_(messages: list[dict], width: int = 1280, height: int = 900, lang: str = "fr"):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        log = [{"kind": "bot", "id": f"bot-{i}", "data": m} for i, m in enumerate(messages, start=1)]
        context.add_init_script(
            f"sessionStorage.setItem('guichet.session', '{SESSION}');"
            f"sessionStorage.setItem('guichet.token', '{TOKEN}');"  # a session as the server issues it
            f"sessionStorage.setItem('guichet.log', {json.dumps(json.dumps(log))});"
        )
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.goto(f"{host_site}/{lang}.html")
        tab.locator("#guichet-widget button.gw-launcher").click()
        tab.get_by_role("dialog").wait_for(state="visible")
        return tab

    yield open_
    for context in contexts:
        context.close()


def test_roadmap_is_laid_out_compact_with_its_document_to_download(chat, shots) -> None:
    """The roadmap shows as formatted content (no #, ** or escaped underscores), one folding section per lever
    folded, markup in the data left as text, a short bubble, and the Markdown to download."""
    entry = roadmap_entry()
    page = chat([entry])
    bubble = page.locator(".gw-bot[data-message-id]").last
    text = bubble.text_content()  # folded sections included
    assert "##" not in text and "**" not in text and "\\_" not in text and "\\" not in text
    assert page.locator(".gw-doc-lever").count() == 3
    assert [s.get_attribute("open") is not None for s in page.locator(".gw-doc-lever").all()] == [False, False, False]
    assert bubble.locator("strong", has_text="Votre projet").count() == 1
    assert "Tiers-lieux d'expérimentation <img" in text and page.evaluate("window.__xss") is None
    assert bubble.locator("img").count() == 0
    height = bubble.bounding_box()["height"]
    assert height < 500, height  # 9,300 px as raw Markdown
    page.locator(".gw-doc-lever summary").first.click()
    assert page.locator(".gw-doc-lever").first.get_by_text("Prochaines étapes").is_visible()
    contact = bubble.get_by_role("link", name="https://www.bpifrance.fr").first
    assert contact.get_attribute("href") == "https://www.bpifrance.fr"
    download = bubble.get_by_role("link", name="Télécharger la feuille de route (Markdown)")
    assert download.get_attribute("download") == "feuille-de-route.md"
    with page.expect_download() as got:
        download.click()
    assert Path(got.value.path()).read_text(encoding="utf-8") == entry["custom"]["markdown"]
    page.screenshot(path=str(shots / "widget-roadmap.png"))


def test_answer_sources_are_numbered_and_linked_only_to_https(chat, shots) -> None:
    """An answer's citations show their number, title, publisher and date; a title links to its source only
    for an https URL; older citations (title and source only) still show."""
    answer = {
        "type": "answer",
        "lang": "fr",
        "answer": "Jusqu'à 60 % des frais d'évaluation clinique [1]. Voir aussi [2] [3].",
        "found": True,
        "levers": ["clinical-evaluation"],
        "citations": [
            {
                "n": 1,
                "title": "Stratégie d'accélération santé numérique",
                "publisher": "Gouvernement",
                "date": "2021-10-18",
                "url": "https://www.gouvernement.fr/strategie",
            },
            {"n": 2, "title": "Lien piégé", "publisher": "X", "date": "2022-01-01", "url": "javascript:window.__xss=1"},
            {"title": "Article ancien", "source": "Presse, 2021-02-19"},
        ],
    }
    page = chat([{"text": "Jusqu'à 60 %…", "custom": answer}])
    cites = page.locator(".gw-cites li")
    assert cites.count() == 3
    first = cites.nth(0).get_by_role("link", name="Stratégie d'accélération santé numérique")
    assert first.get_attribute("href") == "https://www.gouvernement.fr/strategie"
    assert first.get_attribute("rel") == "noopener noreferrer" and first.get_attribute("target") == "_blank"
    assert "Gouvernement, 2021-10-18" in cites.nth(0).inner_text()
    assert cites.nth(1).locator("a").count() == 0 and "Lien piégé — X, 2022-01-01" in cites.nth(1).inner_text()
    assert "Article ancien — Presse, 2021-02-19" in cites.nth(2).inner_text()
    assert page.evaluate(
        "[...document.getElementById('guichet-widget').shadowRoot.querySelectorAll('.gw-cites li')].map(li => li.value)"
    ) == [1, 2, 3]
    page.screenshot(path=str(shots / "widget-answer.png"))


def test_button_labels_are_cut_at_a_word_with_an_ellipsis(chat) -> None:
    """Long button labels end with an ellipsis after a whole word (never "… en santé nu"); the whole label
    is the button's tooltip; the bot's own detail buttons are already short."""
    long_title = "Détails : " + LONG_NAME
    page = chat([{"text": "Choisissez :", "buttons": [{"title": long_title, "payload": "/x"}]}])
    label = page.locator("button.gw-reply").first.inner_text()
    assert label.endswith("…") and len(label) <= 60
    assert label[:-1].split()[-1] in long_title.split()
    assert page.locator("button.gw-reply").first.get_attribute("title") == long_title
    for button in card_buttons([card(lv, "fr") for lv in levers(3)], "fr"):
        title = button["title"]
        assert len(title) <= 60 and (
            title in ("Ma feuille de route", "Parler à un conseiller") or title.startswith("Détails : ")
        )
        assert not title.endswith("…") or title[:-1].split()[-1] in " ".join(lv["name"] for lv in levers(3)).split()


def test_cards_say_national_envelope_fold_criteria_and_fit_the_panel(chat, shots) -> None:
    """A national envelope is labelled so with its date (never "Montant"); criteria and source fold away;
    three cards take at most about two heights of the larger desktop panel."""
    cards = [card(lv, "fr") for lv in levers(3)]
    msg = {
        "text": "…",
        "buttons": card_buttons(cards, "fr"),
        "custom": {"type": "lever_cards", "lang": "fr", "levers": cards},
    }
    page = chat([msg])
    panel = page.get_by_role("dialog").bounding_box()
    assert panel["width"] >= 420 and panel["height"] >= 820, panel
    first = page.locator("article.gw-card").first
    text = first.inner_text()
    assert "Enveloppe nationale : 50 M€ de renfort" in text and "chiffre d’octobre 2021" in text
    assert not re.search(r"Montant\b(?! par projet)", text)
    more = first.locator("details.gw-more")
    assert more.get_attribute("open") is None and "2 remplis sur 3" in more.locator("summary").inner_text()
    assert not first.get_by_text("Produit en développement — à vérifier").is_visible()
    more.locator("summary").click()
    assert first.get_by_text("Produit en développement — à vérifier").is_visible()
    more.locator("summary").click()
    log = page.locator(".gw-log").bounding_box()
    bubble = page.locator(".gw-bot[data-message-id]").last.bounding_box()
    assert bubble["height"] <= 2.2 * log["height"], (bubble, log)
    page.screenshot(path=str(shots / "widget-cards-desktop.png"))


def test_phone_privacy_notice_takes_one_line_until_tapped(chat, shots) -> None:
    """On a 375×667 phone the privacy notice is one line (all of it still there); a tap shows it whole."""
    page = chat([roadmap_entry()], 375, 667)
    notice = page.locator("#gw-privacy")
    assert "aucune donnée de patient" in notice.text_content()
    assert notice.bounding_box()["height"] <= 30
    page.screenshot(path=str(shots / "widget-phone-roadmap.png"))
    notice.click()
    assert notice.bounding_box()["height"] > 40
    desktop = chat([], 1280, 900)
    assert desktop.locator("#gw-privacy").bounding_box()["height"] > 30  # whole on a wide panel


def test_an_english_conversation_on_a_french_page_gets_the_widgets_words_in_english(chat, shots) -> None:
    """The widget's own words around the bot's (its thumbs, "Sources", "You") follow the conversation's language,
    told by the bot's payloads; the page's language stays for messages before any payload says one."""
    answer = {
        "type": "answer",
        "lang": "en",
        "answer": "Up to 60% of a clinical evaluation's costs [1].",
        "citations": [{"n": 1, "title": "Strategy", "publisher": "Government", "date": "2021-10-18"}],
    }
    page = chat([
        {"text": "Bonjour !"},
        {"text": "Up to 60%…", "custom": answer},
        {"text": "What stage is your project at?"},
    ])
    bubbles = page.locator(".gw-bot[data-message-id]")
    assert "Cette réponse vous aide-t-elle ?" in bubbles.nth(0).inner_text()
    assert "Does this answer help?" in bubbles.nth(1).inner_text() and "Sources" in bubbles.nth(1).inner_text()
    assert "Does this answer help?" in bubbles.nth(2).inner_text()
    assert "Cette réponse" not in bubbles.nth(2).inner_text()
    page.screenshot(path=str(shots / "widget-english-on-french-page.png"))
