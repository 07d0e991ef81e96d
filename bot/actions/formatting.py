"""Bot texts in French and English, and the lever cards built from the API's /route answer."""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

MESSAGES: Dict[str, Dict[str, str]] = {
    "intro": {"fr": "Voici les leviers qui correspondent le mieux à votre projet :",
              "en": "Here are the levers that best fit your project:"},
    "why": {"fr": "Pourquoi", "en": "Why"},
    "amount": {"fr": "Montant", "en": "Amount"},
    "as_of": {"fr": "chiffre au {date}", "en": "figure as of {date}"},
    "next": {"fr": "Prochaine étape", "en": "Next step"},
    "source": {"fr": "Source", "en": "Source"},
    "details": {"fr": "Détails : {name}", "en": "Details: {name}"},
    "advisor": {"fr": "Parler à un conseiller", "en": "Talk to an advisor"},
    "other": {"fr": "Autre levier", "en": "Another lever"},
    "roadmap": {"fr": "Ma feuille de route", "en": "My roadmap"},
    "roadmap_intro": {"fr": "Votre feuille de route, dans l'ordre :", "en": "Your roadmap, in order:"},
    "roadmap_more": {"fr": "Le document complet (critères, chiffres datés, sources) est à télécharger.",
                     "en": "The full document (criteria, dated figures, sources) is ready to download."},
    "roadmap_file": {"fr": "feuille-de-route.md", "en": "roadmap.md"},
    "confirm": {"fr": "Si je résume votre projet : {summary}. C'est bien ça ?",
                "en": "To sum up your project: {summary}. Is that right?"},
    "yes": {"fr": "Oui, c'est ça", "en": "Yes, that's right"},
    "fix": {"fr": "Je corrige", "en": "Let me correct"},
    "no_lever": {"fr": "Je n'ai pas trouvé de levier adapté ; un conseiller du guichet peut étudier votre cas.",
                 "en": "I found no fitting lever; an advisor of the single window can look at your case."},
    "out_of_scope": {"fr": "Je ne peux répondre qu'aux questions sur l'accompagnement de l'innovation en santé "
                           "numérique, sans inventer de chiffre. Voulez-vous parler à un conseiller ?",
                     "en": "I can only answer questions about support for digital-health innovation, and I never "
                           "make up figures. Would you like to talk to an advisor?"},
    # Said once, on the first answer of a conversation that did not start with a greeting (utter_greet says it).
    "privacy": {"fr": "Confidentialité : nous conservons cette conversation pour vous répondre et améliorer le "
                      "service ; merci de ne jamais y coller de données de patients.",
                "en": "Privacy: we keep this conversation to answer you and improve the service; please never "
                      "paste patient data here."},
    "api_down": {"fr": "Le service de recommandation est momentanément indisponible. Je garde notre échange ; "
                       "réessayez dans un instant ou demandez un conseiller.",
                 "en": "The recommendation service is unavailable for a moment. I keep our conversation; "
                       "try again shortly or ask for an advisor."},
    "clarify": {"fr": "Je ne suis pas sûr d'avoir compris. Vous voulez :", "en": "I am not sure I understood. Do you want to:"},
    "handoff_done": {"fr": "C'est noté, {name} : un conseiller vous écrira à {email}. Référence de suivi : {ref}.",
                     "en": "Noted, {name}: an advisor will write to you at {email}. Tracking reference: {ref}."},
    "sources": {"fr": "Sources", "en": "Sources"},
}
INTENT_LABELS: Dict[str, Dict[str, str]] = {
    "describe_project": {"fr": "être orienté pour mon projet", "en": "get guidance for my project"},
    "ask_question": {"fr": "une réponse à une question", "en": "an answer to a question"},
    "ask_about_lever": {"fr": "des détails sur un levier", "en": "details about a lever"},
    "request_advisor": {"fr": "parler à un conseiller", "en": "talk to an advisor"},
    "inform": {"fr": "préciser mon profil", "en": "tell more about my project"},
    "greet": {"fr": "commencer", "en": "get started"},
}
LABELS: Dict[str, Dict[str, Dict[str, str]]] = {
    "stage": {"idea": {"fr": "au stade de l'idée", "en": "at idea stage"},
              "research": {"fr": "au stade de la recherche", "en": "at research stage"},
              "prototype": {"fr": "au stade du prototype", "en": "at prototype stage"},
              "validation": {"fr": "en validation", "en": "being validated"},
              "marketed": {"fr": "déjà sur le marché", "en": "already on the market"},
              "scaling": {"fr": "en passage à l'échelle", "en": "scaling up"}},
}


def t(key: str, lang: str, **kwargs: Any) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["fr"]
    return text.format(**kwargs) if kwargs else text


def profile_summary(profile: Dict[str, Any], labels: Dict[str, str], lang: str) -> str:
    """One line: the known parts of the profile, in words (labels maps codes to the API's labels)."""
    parts = []
    if profile.get("product_kind"):
        parts.append(labels.get(profile["product_kind"], profile["product_kind"]))
    if profile.get("stage"):
        parts.append(LABELS["stage"].get(profile["stage"], {}).get(lang, profile["stage"]))
    if profile.get("organisation_type"):
        parts.append(labels.get(profile["organisation_type"], profile["organisation_type"]))
    if profile.get("medical_device") is True:
        parts.append("dispositif médical" if lang == "fr" else "medical device")
    if profile.get("ai") is True:
        parts.append("avec IA" if lang == "fr" else "with AI")
    needs = [labels.get(n, n) for n in profile.get("needs") or []]
    if needs:
        parts.append(("besoin : " if lang == "fr" else "need: ") + ", ".join(needs))
    return " ; ".join(parts) if lang == "fr" else "; ".join(parts)


def card(lever: Dict[str, Any], lang: str) -> Dict[str, Any]:
    """The parts of a lever a card shows: name, why, amount with its date, next step, source."""
    amount = lever.get("amounts", [])[:1]
    return {
        "id": lever["id"],
        "name": lever["name"],
        "why": lever.get("reasons", [])[:2],
        "amount": {"label": amount[0]["label"], "as_of": amount[0]["as_of"]} if amount else None,
        "next_step": (lever.get("next_steps") or [""])[0],
        "source": (lever.get("sources") or [""])[0],
        "criteria": [{"name": c["name"], "verdict": c["verdict"]} for c in lever.get("criteria", [])],
    }


def cards_text(cards: List[Dict[str, Any]], lang: str) -> str:
    """The cards as plain text, for channels without rich cards."""
    lines = [t("intro", lang)]
    for i, c in enumerate(cards, start=1):
        lines.append(f"\n{i}. {c['name']}")
        if c["why"]:
            lines.append(f"   {t('why', lang)} : {' ; '.join(c['why'])}" if lang == "fr" else
                         f"   {t('why', lang)}: {'; '.join(c['why'])}")
        if c["amount"]:
            when = t("as_of", lang, date=c["amount"]["as_of"])
            lines.append(f"   {t('amount', lang)} : {c['amount']['label']} ({when})" if lang == "fr" else
                         f"   {t('amount', lang)}: {c['amount']['label']} ({when})")
        if c["next_step"]:
            lines.append(f"   {t('next', lang)} : {c['next_step']}" if lang == "fr" else
                         f"   {t('next', lang)}: {c['next_step']}")
        if c["source"]:
            lines.append(f"   {t('source', lang)} : {c['source']}" if lang == "fr" else
                         f"   {t('source', lang)}: {c['source']}")
    return "\n".join(lines)


def card_buttons(cards: List[Dict[str, Any]], lang: str) -> List[Dict[str, str]]:
    buttons = [{"title": t("details", lang, name=c["name"])[:80],
                "payload": '/ask_about_lever{"lever":"%s"}' % c["id"]} for c in cards]
    return buttons + [
        {"title": t("roadmap", lang), "payload": "/request_roadmap"},
        {"title": t("advisor", lang), "payload": "/request_advisor"},
    ]


def answer_text(answer: Dict[str, Any], lang: str) -> Tuple[str, List[str]]:
    """The answer and its numbered sources."""
    sources = [f"[{i}] {c['title']} — {c['source']}" for i, c in enumerate(answer.get("citations", []), start=1)]
    return answer["answer"], sources


def roadmap_text(cards: List[Dict[str, Any]], lang: str) -> str:
    """The roadmap in a few lines for the chat: each lever, then its first step."""
    if not cards:
        return t("no_lever", lang)
    lines = [t("roadmap_intro", lang)]
    for i, c in enumerate(cards, start=1):
        lines.append(f"{i}. {c['name']}" + (f" — {c['next_step']}" if c["next_step"] else ""))
    return "\n".join([*lines, t("roadmap_more", lang)])
