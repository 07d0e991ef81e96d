"""Headings both the API's roadmap document and the chat channels' cards show: one wording for each."""

from __future__ import annotations

HEADINGS = {
    "per-project": {"fr": "Montant par projet", "en": "Amount per project"},
    "national": {"fr": "Enveloppe nationale", "en": "National envelope"},
    "reference": {"fr": "Repère (pas un montant à obtenir)", "en": "Reference figure (not an amount to get)"},
    "figure_of": {"fr": "chiffre {when}", "en": "figure of {when}"},
    "criteria": {"fr": "Critères", "en": "Criteria"},
    "next_steps": {"fr": "Prochaines étapes", "en": "Next steps"},
    # The steps (topics) of a lever that fit the founder's request, named on its card and in the roadmap.
    "topics": {"fr": "Étapes qui vous concernent", "en": "Steps that concern you"},
}


def heading(key: str, lang: str, **values: str) -> str:
    """A heading in the founder's language (French when the language is not one of ours)."""
    text = HEADINGS[key].get(lang) or HEADINGS[key]["fr"]
    return text.format(**values) if values else text
