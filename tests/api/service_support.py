"""The bot's service credential for API tests, and a conversation stored as Rasa keeps it at the hand-off's
consent question (what POST /handoffs checks before filing)."""

from __future__ import annotations

from api.keys import service_digest
from tests.api.tracker_support import Talk

SERVICE_KEY = "gs_test-service-credential-of-the-bot-0123456789"
SERVICE_DIGEST = service_digest(SERVICE_KEY)
SERVICE = {"Authorization": f"Bearer {SERVICE_KEY}"}


def at_consent(talk: Talk, name: str = "Ana Lopez", email: str = "ana@example.com") -> Talk:
    """The hand-off form run up to its consent question (the founder's name and address typed before it)."""
    talk.user("/request_advisor", "request_advisor", None, 1.0).action("handoff_form")
    talk._add({"event": "active_loop", "name": "handoff_form"})
    talk.slot("requested_slot", "person_name").bot("Quel est votre nom ?").action("action_listen")
    talk.user(name, "inform").action("handoff_form").slot("person_name", name)
    talk.slot("requested_slot", "email").bot("Votre e-mail ?").action("action_listen")
    talk.user(email, "give_contact").action("handoff_form").slot("email", email)
    return talk.slot("requested_slot", "consent").bot("J'enregistre votre demande… d'accord ?").action("action_listen")
