"""A founder's profile as both sides name it: the API's Profile fields, the bot's slots, the vocabulary codes.

knowledge/vocabularies.yaml is the source of the codes; tests/contract/test_profile.py checks that these
tables say the same, so the bot's buttons and the API's extraction cannot drift apart.
"""

from __future__ import annotations

# In the order a summary says them.
PROFILE_SLOTS: tuple[str, ...] = (
    "product_kind", "stage", "organisation_type", "medical_device", "ce_marked", "ai", "needs",
)
# Yes/no slots: the API sends booleans; the bot's text slots hold "true" / "false" / UNKNOWN.
FLAG_SLOTS: tuple[str, ...] = ("medical_device", "ce_marked", "ai")
# A slot the founder was asked and could not answer: not asked again, sent to the API as unknown (None).
UNKNOWN = "unknown"
# The vocabulary (a table of knowledge/vocabularies.yaml) whose codes a coded slot takes.
VOCABULARY_OF: dict[str, str] = {
    "stage": "stages",
    "organisation_type": "organisation_types",
    "product_kind": "product_kinds",
    "needs": "needs",
}
# The codes of each coded slot, in the vocabulary's order (stages from the earliest to the latest).
CODES: dict[str, tuple[str, ...]] = {
    "stage": ("idea", "research", "prototype", "validation", "marketed", "scaling"),
    "organisation_type": (
        "startup", "sme", "hospital", "research-lab", "health-professional", "patient-association", "public-body",
    ),
    "product_kind": (
        "imaging", "digital-therapeutic", "connected-device", "robot", "telemedicine", "data-platform",
        "mobile-app", "software",
    ),
    "needs": (
        "orientation", "regulatory", "funding-innovation", "clinical-evidence", "field-testing", "fundraising",
        "international", "scale-up", "late-stage", "training", "research", "imaging", "patient-reach",
        "health-data", "market-access",
    ),
}
