"""Whole conversations with the real Rasa server through its REST channel (API and actions real too)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.bot.conftest import Stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def lever_ids(messages: list[dict]) -> list[str]:
    for m in messages:
        custom = m.get("custom") or {}
        if custom.get("type") == "lever_cards":
            return [lv["id"] for lv in custom["levers"]]
    return []


def asks_confirmation(messages: list[dict]) -> bool:
    return any(b.get("payload") == "/affirm" for m in messages for b in m.get("buttons", []))


def reach_cards(stack: Stack, who: str, first: str, answers: list[str], confirm: str = "/affirm") -> list[dict]:
    """Play a first message, then the answers in order while the bot asks (the cards come with the summary
    once the form asked something; after a summary alone, `confirm` confirms it); return the cards' turn."""
    out = stack.say(who, first)
    for answer in [*answers, None]:
        if lever_ids(out):
            return out
        if asks_confirmation(out):
            return stack.say(who, confirm)
        assert answer is not None, texts(out)
        out = stack.say(who, answer)
    raise AssertionError(texts(out))


def recommend(stack: Stack, first: str, answers: list[str] | None = None) -> tuple[str, list[dict]]:
    """reach_cards with a fresh conversation; return (sender, the cards' turn)."""
    who = sender()
    return who, reach_cards(stack, who, first, answers or ["I don't know", "I don't know"])


def test_greeting_states_privacy_in_the_founders_language(stack: Stack) -> None:
    """The first greeting says what is stored and asks not to paste patient data, in French or English."""
    assert "données de patients" in texts(stack.say(sender(), "Bonjour"))
    assert "patient data" in texts(stack.say(sender(), "Hello there"))


def test_a_conversation_opened_with_a_project_or_a_question_states_privacy_once(stack: Stack) -> None:
    """No greeting first: the first answer still says what is stored; the next ones do not repeat it."""
    who = sender()
    first = texts(stack.say(who, "Nous avons un prototype de logiciel et cherchons un financement"))
    assert "données de patients" in first
    assert "données de patients" not in texts(stack.say(who, "nous sommes une start-up"))
    assert "patient data" in texts(stack.say(sender(), "How much is the budget of the digital health strategy?"))
    greeted = sender()
    stack.say(greeted, "Bonjour")
    assert "données de patients" not in texts(stack.say(greeted, "Nous cherchons un financement pour notre appli"))


def test_french_funding_founder_reaches_bpifrance_in_two_more_turns(stack: Stack) -> None:
    """A first message giving stage and need: one deciding question at most, then the innovation aid with the
    profile said back (after an answer, the summary comes with the cards; otherwise it is confirmed first)."""
    who = sender()
    out = seen = stack.say(who, "Nous avons un prototype de logiciel et cherchons un financement pour le développer")
    turns = 1
    if not asks_confirmation(out):
        assert "structure" in texts(out)  # the organisation decides the innovation aid's criterion
        out, turns = stack.say(who, "nous sommes une start-up"), turns + 1
        seen = seen + out
    if not lever_ids(out):
        out, turns = stack.say(who, "/affirm"), turns + 1
    assert "Start-up" in texts(seen) and "Prototype" in texts(seen)  # the profile said back, in labels
    assert lever_ids(out)[0] == "bpifrance-innovation" and turns <= 3
    assert re.search(r"Prochaine étape", texts(out))


def test_english_data_founder_gets_the_health_data_hub(stack: Stack) -> None:
    """An English founder needing hospital data is answered in English with the data lever first."""
    _, out = recommend(stack, "We have a prototype AI software and need hospital data warehouses to validate our model")
    assert lever_ids(out)[0] == "health-data-hub" and "Next step" in texts(out)


def test_missing_slots_are_asked_then_recommended(stack: Stack) -> None:
    """A vague first message gets questions for what is missing, answered by buttons and free text."""
    who = sender()
    answers = ['/inform{"need":"clinical-evidence"}', "c'est une application mobile", '/inform{"stage":"prototype"}']
    out = reach_cards(stack, who, "Bonjour, j'ai un projet en santé numérique et je voudrais être accompagné", answers)
    assert lever_ids(out)[0] == "clinical-evaluation"


def test_question_in_the_middle_of_the_form_is_answered_and_the_form_resumes(stack: Stack) -> None:
    """A free question during the qualification gets an answer, then the pending question again."""
    who = sender()
    asked = stack.say(who, "Bonjour, on développe un logiciel pour les kinés")[-1]  # the need, asked
    out = stack.say(who, "Au fait, quel est le budget consacré à la formation ?")
    assert "budget" in texts(out[:-1]).lower() or "formation" in texts(out[:-1]).lower(), texts(out)
    assert out[-1]["text"] == asked["text"] and out[-1].get("buttons") == asked.get("buttons")
    assert "Si je résume" not in texts(out)


def test_question_at_the_confirmation_is_answered_and_the_confirmation_asked_again(stack: Stack) -> None:
    """A question asked instead of confirming the profile gets its cited answer, the summary comes back, and
    the confirmation still leads to the recommendation."""
    who = sender()
    out = stack.say(who, "Hello, we are a start-up with a prototype of a telemedicine app and we need funding")
    assert asks_confirmation(out), texts(out)
    out = stack.say(who, "how much is the innovation aid?")
    assert "[1]" in texts(out) and "To sum up your project" not in texts(out)  # cited; no summary as a reply
    assert "summary of your project above" in texts(out) and asks_confirmation(out)
    out = stack.say(who, "yes")
    assert lever_ids(out)[0] == "bpifrance-innovation" and "Next step" in texts(out)


def test_an_english_founder_starting_over_is_answered_in_english(stack: Stack) -> None:
    """"let's start over" is English (its "'s" is no French elision): the fresh start is said in English."""
    who = sender()
    stack.say(who, "We are a startup with a prototype telemedicine app and need funding")
    assert "Starting over" in texts(stack.say(who, "let's start over"))


def test_off_topic_gets_an_honest_reply(stack: Stack) -> None:
    """Off-topic input gets the out-of-scope reply with an advisor offer and no figure."""
    out = texts(stack.say(sender(), "Quelle est la recette de la blanquette de veau ?"))
    assert "conseiller" in out and not re.search(r"\d+\s*M€", out)


def test_handoff_with_consent_files_a_case(stack: Stack) -> None:
    """Name, a valid e-mail (after an invalid one) and consent give a tracking reference."""
    who = sender()
    stack.say(who, "Je voudrais parler à un conseiller")
    stack.say(who, "Claire Dubois")
    assert "valide" in texts(stack.say(who, "claire at exemple"))
    stack.say(who, "claire.dubois@exemple.fr")
    out = texts(stack.say(who, "/affirm"))
    assert re.search(r"GN-[0-9A-F]{8}", out), out


def test_handoff_without_consent_stores_nothing(stack: Stack) -> None:
    """Refusing consent files nothing and says so."""
    who = sender()
    stack.say(who, "I'd like to talk to a human advisor")
    stack.say(who, "John Smith")
    stack.say(who, "john@example.com")
    out = texts(stack.say(who, "/deny"))
    assert "your contact details are not kept" in out and "GN-" not in out


def test_handoff_dont_know_is_no_name_and_start_over_leaves(stack: Stack) -> None:
    """'Je ne sais pas' to the name question is explained and asked again, not stored as the name; the
    e-mail question comes only after a real name; 'on recommence' leaves the hand-off without filing."""
    who = sender()
    stack.say(who, "Je voudrais parler à un conseiller")
    out = texts(stack.say(who, "je ne sais pas"))
    assert "il lui faut un nom" in out and "e-mail" in out, out
    assert "quel est votre nom" in out, out  # asked again: nothing was taken as the name
    out = texts(stack.say(who, "Claire Dubois"))
    assert "mail" in out.lower() and "je ne sais pas" not in out, out
    out = texts(stack.say(who, "on recommence"))
    assert "GN-" not in out
    out = texts(stack.say(who, "claire.dubois@exemple.fr"))
    assert "GN-" not in out  # the form is gone: an address alone starts a new hand-off, files nothing yet


def test_zz_api_down_is_said_politely(stack: Stack) -> None:
    """With the API stopped (the only case the bot calls an outage), a question, a lever's details and a
    project each get a polite unavailability message, not an error (runs last)."""
    stack.procs["api"].terminate()
    stack.procs["api"].wait(timeout=20)
    for message in ("Quel est le budget de la stratégie santé numérique ?", "c'est quoi G_NIUS ?",
                    "Nous avons un prototype de logiciel et cherchons un financement"):
        assert "indisponible" in texts(stack.say(sender(), message)), message


def test_conversations_really_reach_the_configured_store(stack: Stack) -> None:
    """Rasa's fail-safe would keep conversations in memory silently: the SQL store must hold the events."""
    import sqlite3

    import httpx

    who = sender()
    stack.say(who, "Bonjour")
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        kinds = {row[0] for row in db.execute("SELECT type_name FROM events WHERE sender_id = ?", (who,))}
    assert {"user", "bot"} <= kinds
    ready = httpx.get(f"{stack.rasa}/webhooks/ready/", timeout=10)
    assert ready.status_code == 200 and ready.json()["store"] == "CheckedSQLTrackerStore"
