"""The request bodies' description says what their checks do: the conversation id's pattern against sender_problem."""

from __future__ import annotations

import re
import sys
import unicodedata

import jsonschema_rs  # the validator Schemathesis checks the API's description with
from guichet_contract import sender_problem

from api.schemas import FeedbackIn, HandoffIn, HandoffNoteIn, sender_pattern
from tests.api.backends import Backend, fixture_app


def test_conversation_id_pattern_accepts_exactly_what_the_check_accepts() -> None:
    """Over every code point (surrogates aside: no JSON text carries a lone one), alone and after a letter, the
    pattern read by Python and by a JSON Schema validator accepts an id exactly when sender_problem does: control,
    format, private-use and separator characters refused anywhere, an id of spaces only refused."""
    pattern = sender_pattern()
    python = re.compile(pattern)
    schema = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    disagree = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if unicodedata.category(char) == "Cs":
            continue
        for text in (char, f"a{char}", f"{char}b", f"  {char}"):
            ok = sender_problem(text) is None
            if bool(python.fullmatch(text)) != ok or schema.is_valid(text) != ok:
                disagree.append(f"U+{code:04X} in {text!r}")
    assert not disagree, disagree[:20]
    assert schema.is_valid("conv-\u00e9t\u00e9 42") and not schema.is_valid("\u3000 \u00a0")  # spaces only


def test_every_conversation_id_body_carries_the_pattern() -> None:
    """Hand-offs, their notes and feedback describe their conversation_id with the pattern and its limits."""
    for model in (HandoffIn, HandoffNoteIn, FeedbackIn):
        described = model.model_json_schema()["properties"]["conversation_id"]
        assert described["pattern"] == sender_pattern(), model.__name__
        assert (described["minLength"], described["maxLength"]) == (1, 128)


def test_a_lone_surrogate_the_pattern_cannot_name_is_still_refused(tmp_path) -> None:
    """The pattern leaves surrogates out, the body's reading does not: a JSON id with a lone one is a 422 on it."""
    with fixture_app(tmp_path, Backend("sqlite").stores(tmp_path)) as client:
        body = '{"conversation_id": "conv\\ud800", "rating": "up"}'
        r = client.post("/feedback", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "conversation_id"], r.text
