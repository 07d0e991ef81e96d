"""A founder's roadmap as Markdown: the recommended levers in order with verdicts, steps, dated figures, sources."""

from __future__ import annotations

import re
from typing import Any

from guichet_contract import dates, heading

_T = {
    "title": {
        "fr": "Votre feuille de route — leviers de la stratégie santé numérique",
        "en": "Your roadmap — levers of the digital-health strategy",
    },
    "profile": {"fr": "Votre projet", "en": "Your project"},
    "why": {"fr": "Pourquoi ce levier", "en": "Why this lever"},
    "figures": {"fr": "Chiffres", "en": "Figures"},
    "contact": {"fr": "Contact", "en": "Contact"},
    "sources": {"fr": "Sources", "en": "Sources"},
    "none": {"fr": "Aucun levier ne correspond encore : un conseiller du guichet peut étudier votre cas.",
             "en": "No lever fits yet: an advisor of the single window can look at your case."},
    "note": {"fr": "Document établi automatiquement à partir de sources publiques datées ; vérifiez les conditions "
                   "auprès de chaque opérateur avant de candidater.",
             "en": "Made automatically from dated public sources; check the conditions with each operator before "
                   "applying."},
}
VERDICT = {
    "met": {"fr": "rempli", "en": "met"},
    "not_met": {"fr": "non rempli", "en": "not met"},
    "unknown": {"fr": "à vérifier", "en": "to check"},
}
PROFILE_FIELDS = ("stage", "product_kind", "organisation_type", "needs")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def md(text: Any) -> str:
    """Founder-supplied or catalogue text made inert in Markdown (no links, HTML or emphasis injected)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))


def _scope(amount: dict[str, Any]) -> str:
    """What an amount is; one without a scope is taken for a national envelope, never for what a project gets."""
    scope = amount.get("scope")
    return scope if scope in ("per-project", "national", "reference") else "national"


def month_year(iso: Any, lang: str) -> str:
    """"d'octobre 2021" / "October 2021" from an ISO date; the text itself, made inert, when it is not one."""
    return md(dates.month_year(str(iso or ""), lang))


def render(routed: dict[str, Any], labels: dict[str, str], lang: str) -> str:
    """The /route answer as a Markdown document in the founder's language (labels: vocabulary code -> label)."""
    lang = lang if lang in ("fr", "en") else "fr"
    out = [f"# {_T['title'][lang]}", ""]
    profile = routed.get("profile") or {}
    known = []
    for key in PROFILE_FIELDS:
        value = profile.get(key)
        for code in value if isinstance(value, list) else [value]:
            if code:
                known.append(md(labels.get(code, code)))
    if known:
        out += [f"**{_T['profile'][lang]}** : " + ", ".join(known) if lang == "fr" else
                f"**{_T['profile'][lang]}**: " + ", ".join(known), ""]
    levers = routed.get("levers") or []
    if not levers:
        out += [_T["none"][lang], ""]
    colon, semi = (" : ", " ; ") if lang == "fr" else (": ", "; ")
    for i, lever in enumerate(levers, start=1):
        out += [f"## {i}. {md(lever.get('name'))}", "", md(lever.get("summary")), ""]
        if lever.get("topics"):  # the steps within this lever the founder's request is about (PECAN, HDS)
            out += [f"### {heading('topics', lang)}",
                    *[f"- **{md(tp.get('name'))}** — {md(tp.get('summary'))}" for tp in lever["topics"]], ""]
        if lever.get("reasons"):
            out += [f"### {_T['why'][lang]}", *[f"- {md(r)}" for r in lever["reasons"]], ""]
        if lever.get("criteria"):
            out.append(f"### {heading('criteria', lang)}")
            for c in lever["criteria"]:
                ev = c.get("evidence") or {}
                out.append(f"- **{md(c.get('name'))}** — {VERDICT.get(c.get('verdict'), VERDICT['unknown'])[lang]} "
                           f"({md(ev.get('text'))} — {md(ev.get('source'))})")
            out.append("")
        if lever.get("amounts"):
            out.append(f"### {_T['figures'][lang]}")
            for a in lever["amounts"]:
                when = heading("figure_of", lang, when=month_year(a.get("as_of"), lang))
                label = heading(_scope(a), lang)
                out.append(f"- {label}{colon}{md(a.get('label'))} ({when}{semi}{md(a.get('source'))})")
            out.append("")
        if lever.get("next_steps"):
            steps = [f"{n}. {md(s)}" for n, s in enumerate(lever["next_steps"], 1)]
            out += [f"### {heading('next_steps', lang)}", *steps, ""]
        contact = lever.get("contact") or {}
        if contact.get("label") or contact.get("url"):
            url = f" <{contact['url']}>" if str(contact.get("url") or "").startswith("https://") else ""
            out += [f"**{_T['contact'][lang]}** : {md(contact.get('label'))}{url}" if lang == "fr" else
                    f"**{_T['contact'][lang]}**: {md(contact.get('label'))}{url}", ""]
        if lever.get("sources"):
            out += [f"### {_T['sources'][lang]}", *[f"- {md(s)}" for s in lever["sources"]], ""]
    out += ["---", f"_{_T['note'][lang]}_", ""]
    return "\n".join(out)
