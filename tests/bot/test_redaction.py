"""bot/redaction.py: what the tracker store keeps of the hand-off form's name and address (pure functions on
Rasa's event dicts: no Rasa needed; the real store and stack: tests/bot/test_handoff_privacy.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

import redaction  # noqa: E402
from redaction import REDACTED, must_scrub, scrubbed, stored_events  # noqa: E402


def user(text: str, entities: list | None = None) -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "entities": entities or [],
                                                           "intent": {"name": "inform"}}}


def slot(name: str, value) -> dict:
    return {"event": "slot", "name": name, "value": value}


FORM = [{"event": "active_loop", "name": "handoff_form"}, slot("requested_slot", "person_name")]


def test_what_is_typed_for_the_name_is_never_stored() -> None:
    """A message typed while the form asks for the name is stored redacted, entities and all; the slot keeps the
    value while the form runs (the next turn reads it)."""
    events = [*FORM, user("Je m'appelle Zoé Quintard", [{"entity": "person_name", "value": "Zoé Quintard"}]),
              slot("person_name", "Zoé Quintard"), slot("requested_slot", "email")]
    kept = stored_events(events, 2, form_live=True)
    assert kept[0]["text"] == REDACTED and kept[0]["parse_data"] == {"text": REDACTED, "entities": [],
                                                                     "intent": {"name": "inform"}}
    assert kept[1]["value"] == "Zoé Quintard" and "Quintard" not in json.dumps(kept[0])


def test_once_the_form_is_over_the_values_go_everywhere() -> None:
    """The confirmation repeating them (text and template values) and the slots are stored without them; the
    ones already stored must be scrubbed."""
    earlier = [*FORM, user("x"), slot("person_name", "Zoé Quintard"), slot("email", "zoe@exemple.fr")]
    turn = [user("/affirm"), slot("requested_slot", None), {"event": "active_loop", "name": None},
            {"event": "bot", "text": "C'est noté, Zoé Quintard : à ZOE@exemple.fr", "data": {},
             "metadata": {"name": "Zoé Quintard", "email": "zoe@exemple.fr", "ref": "GN-1"}},
            slot("person_name", None), slot("email", None)]
    events = earlier + turn
    kept = stored_events(events, len(earlier), form_live=False)
    dumped = json.dumps(kept, ensure_ascii=False)
    assert "Quintard" not in dumped and "zoe@" not in dumped.lower() and "GN-1" in dumped
    assert "C'est noté, [nom / name] : à [e-mail]" in dumped
    assert must_scrub(events, len(earlier), form_live=False) and not must_scrub(events, len(earlier), True)
    assert json.loads(scrubbed(json.dumps(slot("email", "zoe@exemple.fr"))))["value"] is None
    assert scrubbed(json.dumps(slot("email", None))) is None


def test_contact_details_given_unasked_are_redacted_where_they_were_typed() -> None:
    """"Je suis Zoé Quintard, zoe@exemple.fr" out of the form: the values (read by NLU) are replaced in the
    message and in a slot that copied it; the rest of the message is kept."""
    said = "Je suis Zoé Quintard, zoe@exemple.fr, startup de télésuivi"
    entities = [{"entity": "person_name", "value": "Zoé Quintard"}, {"entity": "email", "value": "zoe@exemple.fr"}]
    events = [user(said, entities), slot("project_text", said)]
    kept = stored_events(events, 0, form_live=False)
    assert kept[0]["text"] == "Je suis [nom / name], [e-mail], startup de télésuivi"
    assert kept[1]["value"] == kept[0]["text"]


def test_other_conversations_are_stored_as_they_are() -> None:
    """No form, no contact slot: every event is stored unchanged, and short values hit nothing else."""
    events = [user("Bonjour"), slot("language", "fr"), {"event": "bot", "text": "Bonjour !"}]
    assert stored_events(events, 0, form_live=False) == events
    short = [*FORM, user("Al"), slot("person_name", "Al"), {"event": "bot", "text": "Alors, Al ?"}]
    assert stored_events(short, 3, form_live=True)[1]["text"] == "Alors, Al ?"  # under MIN_SEARCHED
    assert redaction.MIN_SEARCHED == 3
