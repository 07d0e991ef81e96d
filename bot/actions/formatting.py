"""Bot texts in French and English, and the lever cards and answers built from the API's replies."""

from __future__ import annotations

from typing import Any

from guichet_contract import HEADINGS, month_year, shorten

MESSAGES: dict[str, dict[str, str]] = {
    "intro": {"fr": "Voici les leviers qui correspondent le mieux à votre projet :",
              "en": "Here are the levers that best fit your project:"},
    "why": {"fr": "Pourquoi", "en": "Why"},
    "status": {"fr": "Où en est-on", "en": "Where it stands"},
    "amount": HEADINGS["per-project"],
    "envelope": HEADINGS["national"],
    "figure_of": HEADINGS["figure_of"],
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
    # The headings of api/core/roadmap.py's document that the chat channels show (guichet_contract.labels).
    "roadmap_criteria": HEADINGS["criteria"],
    "roadmap_next": HEADINGS["next_steps"],
    "no_lever": {"fr": "Je n'ai pas trouvé de levier adapté ; un conseiller du guichet peut étudier votre cas.",
                 "en": "I found no fitting lever; an advisor of the single window can look at your case."},
    # Said once, on a conversation's first reply, whatever it answers (actions/replies.py: privacy_once).
    "privacy": {"fr": "Confidentialité : nous conservons cette conversation pour vous répondre et améliorer le "
                      "service ; merci de ne jamais y coller de données de patients.",
                "en": "Privacy: we keep this conversation to answer you and improve the service; please never "
                      "paste patient data here."},
    # Said instead of any reply to a message holding what identifies a patient (actions/replies.py).
    "patient_data": {"fr": "Ce message semble contenir l'identité d'un patient (numéro de sécurité sociale, date de "
                           "naissance) : je ne l'utilise pas. Ne collez jamais de données de patients ici ; ce message "
                           "reste dans la conversation que le guichet conserve, et un conseiller peut la faire "
                           "effacer. Reformulez sans ces données si vous le souhaitez.",
                     "en": "This message seems to hold a patient's identity (social security number, date of birth): "
                           "I do not use it. Never paste patient data here; the message stays in the conversation "
                           "the single window keeps, and an advisor can have it erased. Rephrase without those data "
                           "if you like."},
    "api_down": {"fr": "Le service de recommandation est momentanément indisponible. Je garde notre échange ; "
                       "réessayez dans un instant ou demandez un conseiller.",
                 "en": "The recommendation service is unavailable for a moment. I keep our conversation; "
                       "try again shortly or ask for an advisor."},
    "clarify": {"fr": "Je ne suis pas sûr d'avoir compris. Vous voulez :",
                "en": "I am not sure I understood. Do you want to:"},
    "sources": {"fr": "Sources", "en": "Sources"},
    # Follow-up questions on the levers shown (actions/knowledge.py: follow_up), answered from the profile.
    "why_intro": {"fr": "Je vous ai présenté ces leviers d'après ce que vous m'avez dit de votre projet :",
                  "en": "I showed you these levers from what you told me about your project:"},
    "eligible_intro": {"fr": "Critère par critère, d'après ce que vous m'avez dit ({summary}) :",
                       "en": "Criterion by criterion, from what you told me ({summary}):"},
    "eligible_outro": {"fr": "Un conseiller du guichet peut confirmer votre éligibilité.",
                       "en": "An advisor of the single window can confirm your eligibility."},
    # Each lever's verdict first, then its criteria: one not met, one to confirm, or all met.
    "eligible_not_met": {"fr": "pas encore éligible d'après ce que vous m'avez dit",
                         "en": "not eligible yet on what you told me"},
    "eligible_unknown": {"fr": "éligibilité à confirmer", "en": "eligibility to be confirmed"},
    "eligible_met": {"fr": "a priori éligible", "en": "eligible as far as I can tell"},
    "verdict_met": {"fr": "rempli", "en": "met"},
    "verdict_not_met": {"fr": "non rempli", "en": "not met"},
    "verdict_unknown": {"fr": "à préciser", "en": "to be confirmed"},
    "no_criteria": {"fr": "aucun critère d'éligibilité n'est indiqué pour ce levier",
                    "en": "no eligibility criterion is given for this lever"},
    "not_shown": {"fr": "{name} n'est pas parmi les leviers retenus pour votre projet : {why}",
                  "en": "{name} is not among the levers chosen for your project: {why}"},
    "reply_time": {"fr": "Une fois votre demande enregistrée, un conseiller du guichet vous écrit à l'adresse que vous "
                         "avez donnée, normalement sous {days} jours ouvrés.",
                   "en": "Once your request is filed, an advisor of the single window writes to the address you gave, "
                         "normally within {days} working days."},
    "last_sources": {"fr": "Les sources de ma dernière réponse :", "en": "The sources of my last answer:"},
    "project_known": {"fr": "Voici ce que je sais de votre projet : {summary}. Dites-moi si quelque chose a changé.",
                      "en": "Here is what I know of your project: {summary}. Tell me if anything has changed."},
    # Said by the chat channels to a message over their rate limits (bot/channels/gate.py), in place of a reply.
    "slow_down": {"fr": "Vous écrivez plus vite que je ne peux répondre : ce message n'a pas été lu. "
                        "Attendez {seconds} s avant d'envoyer le suivant.",
                  "en": "You are writing faster than I can answer: this message was not read. "
                        "Please wait {seconds} s before sending the next one."},
}
INTENT_LABELS: dict[str, dict[str, str]] = {
    "describe_project": {"fr": "être orienté pour mon projet", "en": "get guidance for my project"},
    "ask_question": {"fr": "une réponse à une question", "en": "an answer to a question"},
    "ask_about_lever": {"fr": "des détails sur un levier", "en": "details about a lever"},
    "request_advisor": {"fr": "parler à un conseiller", "en": "talk to an advisor"},
    "inform": {"fr": "préciser mon profil", "en": "tell more about my project"},
    "greet": {"fr": "commencer", "en": "get started"},
}


def t(key: str, lang: str, **kwargs: Any) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["fr"]
    return text.format(**kwargs) if kwargs else text


BUTTON_CHARS = 60  # a button label: long lever names are cut at a word, with an ellipsis
# Which amount a card shows: what one project can get, else the national envelope, labelled as such; a
# reference figure (a threshold, a market size) is for the lever's details only.
CARD_AMOUNT = {"per-project": "amount", "national": "envelope"}


def card_amount(amounts: list[dict[str, Any]], lang: str) -> dict[str, Any] | None:
    """The amount a card shows, with its heading: per project where a source gives one, else the national
    envelope said to be one, dated; None when the lever has neither."""
    for scope in CARD_AMOUNT:
        for a in amounts or []:
            if a.get("scope", "national") == scope and a.get("label"):
                when = month_year(a.get("as_of"), lang)
                return {"heading": t(CARD_AMOUNT[scope], lang), "label": a["label"], "as_of": a.get("as_of"),
                        "when": t("figure_of", lang, when=when) if when else "", "scope": scope,
                        "period": a.get("period")}
    return None


def card(lever: dict[str, Any], lang: str) -> dict[str, Any]:
    """The parts of a lever a card shows: name, why, where it stands when a founder must be told (a closed call,
    a proposal), amount with what it is and its date, next step, source."""
    status = lever.get("status") or {}
    return {
        "id": lever["id"],
        "name": lever["name"],
        "why": lever.get("reasons", [])[:2],
        "status": status.get("text") if status.get("told") else None,
        "amount": card_amount(lever.get("amounts") or [], lang),
        "next_step": (lever.get("next_steps") or [""])[0],
        "source": (lever.get("sources") or [""])[0],
        "criteria": [{"name": c["name"], "verdict": c["verdict"]} for c in lever.get("criteria", [])],
        "topics": [{"id": tp["id"], "name": tp["name"]} for tp in lever.get("topics") or []],
    }


def amount_text(amount: dict[str, Any], lang: str) -> tuple[str, str]:
    """(heading, text) of a card's amount; older cards carry only a label and a date."""
    heading = amount.get("heading") or t("envelope", lang)
    when = amount.get("when") or (
        t("figure_of", lang, when=month_year(amount["as_of"], lang)) if amount.get("as_of") else "")
    return heading, f"{amount['label']} ({when})" if when else str(amount["label"])


def cards_text(cards: list[dict[str, Any]], lang: str) -> str:
    """The cards as plain text, for channels without rich cards."""
    sep = " : " if lang == "fr" else ": "
    lines = [t("intro", lang)]
    for i, c in enumerate(cards, start=1):
        lines.append(f"\n{i}. {c['name']}")
        if c["why"]:
            lines.append(f"   {t('why', lang)}{sep}{(' ; ' if lang == 'fr' else '; ').join(c['why'])}")
        if c.get("status"):
            lines.append(f"   {t('status', lang)}{sep}{c['status']}")
        if c["amount"]:
            heading, text = amount_text(c["amount"], lang)
            lines.append(f"   {heading}{sep}{text}")
        if c["next_step"]:
            lines.append(f"   {t('next', lang)}{sep}{c['next_step']}")
        if c["source"]:
            lines.append(f"   {t('source', lang)}{sep}{c['source']}")
    return "\n".join(lines)


def details_payload(lever_id: str) -> str:
    """The payload of a lever's details button (the ask_about_lever intent with the lever entity)."""
    return f'/ask_about_lever{{"lever":"{lever_id}"}}'


def card_buttons(cards: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    """A details button per card, preceded by one for the card's first topic (the step the founder asked
    about: early coverage within market access), then the roadmap and the advisor."""
    room = BUTTON_CHARS - len(t("details", lang, name=""))
    shown = [x for c in cards for x in ((c.get("topics") or [])[:1] + [c])]
    buttons = [{"title": t("details", lang, name=shorten(x["name"], room)),
                "payload": details_payload(x["id"])} for x in shown]
    return buttons + [
        {"title": t("roadmap", lang), "payload": "/request_roadmap"},
        {"title": t("advisor", lang), "payload": "/request_advisor"},
    ]


def citation_parts(citation: dict[str, Any], index: int) -> dict[str, Any]:
    """A citation's number, title, "publisher, date" and https link, from /ask's fields (n, title, publisher,
    date, url) where present, else from the older title and source."""
    n = citation.get("n") if isinstance(citation.get("n"), int) else index
    title = str(citation.get("title") or citation.get("source") or "").strip()
    meta = ", ".join(str(citation[k]) for k in ("publisher", "date") if citation.get(k))
    if not meta and citation.get("source") and citation.get("source") != title:
        meta = str(citation["source"])
    url = str(citation.get("url") or "")
    return {"n": n, "title": title, "meta": meta, "url": url if url.startswith("https://") else ""}


def _named(lever: dict[str, Any], lang: str) -> str:
    """A routed lever's name, with where it stands when a founder must be told (a closed call, a proposal)."""
    status = lever.get("status") or {}
    told = f" ({t('status', lang)}{' : ' if lang == 'fr' else ': '}{status['text']})" if status.get("told") else ""
    return f"{lever['name']}{told}"


def why_text(levers: list[dict[str, Any]], lang: str) -> list[str]:
    """Each routed lever and the reasons it was chosen."""
    sep = " : " if lang == "fr" else ": "
    return [f"• {lv['name']}{sep}{(' ; ' if lang == 'fr' else '; ').join(lv.get('reasons') or [])}" for lv in levers]


def eligibility_text(levers: list[dict[str, Any]], lang: str) -> list[str]:
    """Each routed lever and its criteria with their verdicts for the founder's profile; a closed call says so
    first (meeting its criteria does not reopen it)."""
    sep, lines = (" : " if lang == "fr" else ": "), []
    for lv in levers:
        judged = [c for c in lv.get("criteria") or [] if c.get("verdict") in ("met", "not_met", "unknown")]
        verdicts = [f"{c['name']} ({t('verdict_' + c['verdict'], lang)})" for c in judged]
        said = (' ; ' if lang == 'fr' else '; ').join(verdicts) or t('no_criteria', lang)
        worst = next((v for v in ("not_met", "unknown", "met") if any(c["verdict"] == v for c in judged)), None)
        verdict = f"{t('eligible_' + worst, lang)} — " if worst else ""
        lines.append(f"• {_named(lv, lang)}{sep}{verdict}{said}")
    return lines


def answer_text(answer: dict[str, Any], lang: str) -> tuple[str, list[str]]:
    """The answer and its numbered sources, each "[n] title — publisher, date — https link"."""
    sources = []
    for i, c in enumerate(answer.get("citations", []), start=1):
        p = citation_parts(c, i)
        sources.append(" — ".join(x for x in (f"[{p['n']}] {p['title']}", p["meta"], p["url"]) if x.strip()))
    return answer["answer"], sources


def roadmap_text(cards: list[dict[str, Any]], lang: str) -> str:
    """The roadmap in a few lines for the chat: each lever, then its first step."""
    if not cards:
        return t("no_lever", lang)
    lines = [t("roadmap_intro", lang)]
    for i, c in enumerate(cards, start=1):
        lines.append(f"{i}. {c['name']}" + (f" — {c['next_step']}" if c["next_step"] else ""))
    return "\n".join([*lines, t("roadmap_more", lang)])
