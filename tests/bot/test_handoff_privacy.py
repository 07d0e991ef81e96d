"""The hand-off's personal data on the real stack (issue 19, items 1, 2 and 7): what the tracker store keeps
(its SQLite file and -wal, byte for byte), what the hand-off record keeps, what each channel echoes."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid

import httpx
import pytest

from tests.bot.conftest import ChannelFakes, Stack
from tests.bot.fakes.clients import SlackUser, TeamsUser

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def sender() -> str:
    return f"privacy-{uuid.uuid4().hex}"


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def store_bytes(stack: Stack) -> bytes:
    """Every byte of Rasa's SQLite store: the database and its -wal (what a disk holds)."""
    files = [stack.tmp / "rasa.db", stack.tmp / "rasa.db-wal"]
    return b"".join(f.read_bytes() for f in files if f.exists())


def slots(stack: Stack, who: str) -> dict:
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        rows = db.execute("SELECT action_name, data FROM events WHERE sender_id = ? AND type_name = 'slot'", (who,))
        return {name: data for name, data in rows}


def ask_advisor(stack: Stack, who: str, name: str, email: str) -> str:
    stack.say(who, "Je voudrais parler à un conseiller")
    stack.say(who, name)
    return texts(stack.say(who, email))


def test_refused_consent_leaves_no_byte_of_the_name_or_address_in_the_store(stack: Stack) -> None:
    """After "non" to the consent question the bot says the contact details are not kept, and that is true:
    neither the typed name nor the address is in Rasa's file or its -wal (before: in the user events and the
    slots)."""
    who = sender()
    asked = ask_advisor(stack, who, "Quiterie Vandamme", "quiterie.vandamme@exemple.fr")
    assert "accord" in asked, asked
    out = texts(stack.say(who, "/deny"))
    assert "aucune demande n'est transmise et vos coordonnées ne sont pas conservées" in out
    held = store_bytes(stack)
    assert b"Vandamme" not in held and b"quiterie" not in held.lower()
    assert '"value": null' in slots(stack, who)["person_name"]


def test_accepted_consent_keeps_the_name_and_address_in_the_handoff_record_only(stack: Stack) -> None:
    """With consent the confirmation repeats the name (to the founder); the case holds them; the tracker store
    holds neither (not even in the stored confirmation), and the case's transcript is the store's."""
    who = sender()
    ask_advisor(stack, who, "Ombeline Marchetti", "ombeline.marchetti@exemple.fr")
    out = texts(stack.say(who, "/affirm"))
    assert "Ombeline Marchetti" in out and "ombeline.marchetti@exemple.fr" in out and re.search(r"GN-[0-9A-F]{8}", out)
    held = store_bytes(stack)
    assert b"Marchetti" not in held and b"ombeline" not in held.lower()
    with sqlite3.connect(stack.tmp / "data" / "guichet.db") as db:
        name, email, transcript = db.execute(
            "SELECT name, email, transcript FROM handoffs WHERE conversation_id = ?", (who,)).fetchone()
    assert (name, email) == ("Ombeline Marchetti", "ombeline.marchetti@exemple.fr")
    said = [turn["text"] for turn in json.loads(transcript)]
    assert "Je voudrais parler à un conseiller" in said and not any("Marchetti" in text for text in said)


def test_a_forged_handoff_is_refused_by_the_api(stack: Stack) -> None:
    """The running API refuses a hand-off without the bot's credential, for a real conversation (before: 201)."""
    who = sender()
    ask_advisor(stack, who, "Anne Forge", "anne@exemple.fr")
    body = {"conversation_id": who, "name": "Anne Forge", "email": "anne@exemple.fr", "consent": True}
    assert httpx.post(f"{stack.api}/handoffs", json=body, timeout=10).status_code == 401


@pytest.mark.parametrize("name", ["Ana \u202eLopez", "Ana\x1b[31m Lopez", "   "])
def test_a_name_with_bidi_or_escape_characters_is_refused_and_asked_again(stack: Stack, name: str) -> None:
    """A bidi override, a terminal escape or a blank name gets a clear refusal and the question again; it is
    never echoed (before: accepted and repeated in the confirmation)."""
    who = sender()
    stack.say(who, "Je voudrais parler à un conseiller")
    out = texts(stack.say(who, name))
    assert "Je ne peux pas enregistrer ce nom" in out and "quel est votre nom" in out, out
    assert name.strip() == "" or name not in out


def test_sender_ids_with_nul_or_bidi_characters_are_refused_at_the_rest_channel(stack: Stack) -> None:
    """NUL, bidi and control characters in a REST sender id are a 400 and reach nothing (before: stored)."""
    for bad in ("a\x00b", "user\u202e", "id\x1b[2J"):
        r = httpx.post(f"{stack.rasa}/webhooks/rest/webhook", json={"sender": bad, "message": "Bonjour"}, timeout=10)
        assert r.status_code == 400, (bad, r.status_code)
    with sqlite3.connect(stack.tmp / "rasa.db") as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id LIKE 'a%b' AND length(sender_id) = 3 "
                          "AND instr(sender_id, char(0)) > 0").fetchone()[0] == 0


def test_the_fourth_handoff_of_a_conversation_is_refused_and_said(stack: Stack) -> None:
    """The API caps hand-offs per conversation (3): the fourth request is refused and the founder told so."""
    who = sender()
    for n in range(3):
        ask_advisor(stack, who, f"Capucine Essai {'abc'[n]}", f"capucine{n}@exemple.fr")
        assert "GN-" in texts(stack.say(who, "/affirm"))
        stack.say(who, "/deny")  # no note for the advisor
    ask_advisor(stack, who, "Capucine Essai", "capucine@exemple.fr")
    out = texts(stack.say(who, "/affirm"))
    assert "Je n'ai pas enregistré cette demande" in out and "GN-" not in out


MARKUP = "Bob <!channel> <@U0ADMIN> [Vérifiez](https://evil.example) *gras* &amp;"


def _confirmation(user: SlackUser | TeamsUser) -> str:
    who = sender()
    user.say(who, "Je voudrais parler à un conseiller")
    user.say(who, MARKUP)
    user.say(who, "bob@exemple.fr")
    return who


def test_the_echoed_name_is_escaped_on_slack(stack: Stack, channel_fakes: ChannelFakes) -> None:
    """A name with Slack markup (a channel mention, a user mention) is repeated escaped, never as markup."""
    user = SlackUser(stack.rasa, stack.tmp / "rasa.db", channel_fakes.slack, channel_fakes.slack_secret)
    who = _confirmation(user)
    user.say(who, "/affirm")
    _, thread = user.threads[who]
    posted = " ".join(p["text"] + str(p.get("blocks")) for p in channel_fakes.slack.posts_in("C0GUICHET", thread))
    assert "&lt;!channel&gt;" in posted and "&lt;@U0ADMIN&gt;" in posted
    assert "<!channel>" not in posted and "<@U0ADMIN>" not in posted


def test_the_echoed_name_forms_no_markup_on_teams(stack: Stack, channel_fakes: ChannelFakes) -> None:
    """On Teams the confirmation (a card: its buttons) repeats the name with no Markdown link formed from it
    (an Adaptive Card's TextBlock reads Markdown, not HTML); plain messages stay HTML-escaped (before: the
    name's link was a live link in the card)."""
    channel_fakes.botframework.reachable.set()  # the fake's signing keys, unreachable at the session's start
    user = TeamsUser(stack.rasa, stack.tmp / "rasa.db", channel_fakes.botframework)
    who = _confirmation(user)
    user.say(who, "/affirm")
    conversation, _ = user.chats[who]
    replies = channel_fakes.botframework.replies_in(conversation)
    blocks = [block["text"] for a in replies for attachment in a.get("attachments") or []
              for block in attachment["content"]["body"] if block.get("type") == "TextBlock"]
    confirmation = next(text for text in blocks if "Bob" in text)
    assert "[Vérifiez] (https://evil.example)" in confirmation and "](" not in confirmation, confirmation
    assert not any("<!channel>" in a.get("text", "") for a in replies)
