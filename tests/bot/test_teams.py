"""The Teams (Bot Framework) channel of the real Rasa server, driven with signed activities from a fake connector."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

import tests.bot.test_conversations as rest
from tests.bot.conftest import ROOT, ChannelFakes, ChannelStack, Stack
from tests.bot.fakes.botframework import KEYS_PATH, OPENID_PATH, FakeBotFramework
from tests.bot.fakes.clients import TeamsUser, teams_sender, user_turns, wait_turn
from tests.bot.fakes.rs256 import RsaKey

REST_ONLY = {"test_conversations_really_reach_the_configured_store"}  # reads the store under the REST sender id
CONVERSATIONS = sorted(n for n in dir(rest) if n.startswith("test_") and not n.startswith("test_zz_")
                       and n not in REST_ONLY)
LAST_CONVERSATIONS = sorted(n for n in dir(rest) if n.startswith("test_zz_"))


@pytest.fixture(scope="module")
def teams_user(stack: Stack, channel_fakes: ChannelFakes) -> TeamsUser:
    return TeamsUser(stack.rasa, stack.tmp / "rasa.db", channel_fakes.botframework)


@pytest.fixture
def teams(teams_user: TeamsUser, channel_fakes: ChannelFakes) -> TeamsUser:
    """The Teams user, Microsoft's login service reachable."""
    channel_fakes.botframework.reachable.set()
    return teams_user


def chat() -> tuple[str, str]:
    return f"a:{uuid.uuid4().hex}", str(uuid.uuid4())


@pytest.mark.integration
@pytest.mark.slow
def test_rasa_starts_with_the_signing_keys_unreachable(teams_user: TeamsUser, channel_fakes: ChannelFakes) -> None:
    """The server started while the OpenID metadata hung; an activity then gets 503 in bounded time, no reply."""
    bf = channel_fakes.botframework
    if bf.reachable.is_set():
        pytest.skip("Microsoft's login service was already made reachable by an earlier test of this session")
    assert bf.hits(OPENID_PATH) == 0  # nothing fetched while starting: keys are loaded when first needed
    conversation, user = chat()
    started = time.monotonic()
    r = teams_user.post(teams_user.activity(conversation, user, "Bonjour"))
    assert r.status_code == 503 and set(r.json()) == {"detail"} and time.monotonic() - started < 10
    assert bf.hits(OPENID_PATH) == 1 and bf.replies_in(conversation) == []
    bf.reachable.set()
    r = teams_user.post(teams_user.activity(conversation, user, "Bonjour"))
    assert r.status_code == 202
    wait_turn(teams_user.db, teams_sender(conversation, user), 0)
    assert "données de patients" in json.dumps(bf.replies_in(conversation), ensure_ascii=False)


@pytest.mark.integration
@pytest.mark.slow
def test_signed_activity_gets_message_back_buttons_and_the_click_recommends(teams: TeamsUser,
                                                                            channel_fakes: ChannelFakes) -> None:
    """A founder's message is answered in its conversation with messageBack buttons; the click gives the levers."""
    bf, (conversation, user) = channel_fakes.botframework, chat()
    key = teams_sender(conversation, user)
    first = teams.activity(conversation, user, "Nous avons un prototype de logiciel et cherchons un financement")
    assert teams.post(first).status_code == 202
    wait_turn(teams.db, key, 0)
    replies = bf.replies_in(conversation)
    assert replies and all(a["conversation"]["id"] == conversation and a["replyToId"] == first["id"] for a in replies)
    def lever_ids() -> list[str]:
        return [b["id"] for r in bf.replies_in(conversation) for att in r.get("attachments", [])
                for b in att["content"]["body"] if b["type"] == "Container" and b.get("id", "").startswith("lever:")]

    for turns in range(1, 4):  # a deciding question's button, or "yes" to the summary, gives the levers
        if lever_ids():
            break
        replies = bf.replies_in(conversation)
        cards = [att["content"]["body"] for r in replies for att in r.get("attachments", [])]
        actions = [a for body in cards for s in body if s["type"] == "ActionSet" for a in s["actions"]]
        assert actions and all(a["type"] == "Action.Submit" and a["data"]["msteams"]["type"] == "messageBack"
                               for a in actions)
        latest = [a for s in cards[-1] if s["type"] == "ActionSet" for a in s["actions"]]
        back = next((a for a in latest if a["data"]["msteams"]["text"] == "/affirm"), latest[0])["data"]["msteams"]
        click = teams.activity(conversation, user, back["text"], back["value"])  # what Teams posts for messageBack
        assert teams.post(click).status_code == 202
        wait_turn(teams.db, key, turns)
    assert lever_ids()[:1] == ["lever:bpifrance-innovation"], json.dumps(bf.replies_in(conversation))
    assert "Prochaine étape" in json.dumps(bf.replies_in(conversation), ensure_ascii=False)


def bad_tokens(bf: FakeBotFramework) -> dict[str, dict[str, str]]:
    """Authorization headers Microsoft never sends, by name."""
    now, stranger = int(time.time()), RsaKey(bf.key.kid, bf.key.n, bf.key.e, bf.key.d + 2)

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "none": {},
        "not bearer": {"Authorization": f"Basic {bf.token()}"},
        "garbage": bearer("not.a.jwt"),
        "unsigned": bearer(bf.token(key=None)),
        "wrong issuer": bearer(bf.token(iss="https://sts.windows.net/attacker/")),
        "wrong audience": bearer(bf.token(aud=str(uuid.uuid4()))),
        "expired": bearer(bf.token(exp=now - 3600, nbf=now - 7200)),
        "not yet valid": bearer(bf.token(nbf=now + 3600)),
        "no kid": bearer(bf.token(header={"alg": "RS256", "typ": "JWT"})),
        "unknown kid": bearer(bf.token(header={"alg": "RS256", "typ": "JWT", "kid": "no-such-key"})),
        "HS256": bearer(bf.token(header={"alg": "HS256", "typ": "JWT", "kid": bf.key.kid})),
        "bad signature": bearer(bf.token(key=stranger)),
        "no serviceurl claim": bearer(bf.token(serviceurl=None)),
        "other serviceurl claim": bearer(bf.token(service_url="http://127.0.0.1:9/teams/")),
    }


@pytest.mark.integration
@pytest.mark.slow
def test_bad_tokens_get_401_and_no_reply(teams: TeamsUser, channel_fakes: ChannelFakes) -> None:
    """Unsigned, foreign, expired, keyless or misdirected tokens are refused with 401; nothing reaches the bot."""
    bf, (conversation, user) = channel_fakes.botframework, chat()
    activity = teams.activity(conversation, user, "Bonjour")
    for name, headers in bad_tokens(bf).items():
        r = teams.post({**activity, "id": uuid.uuid4().hex}, headers=headers)
        assert r.status_code == 401, name
        assert set(r.json()) == {"detail"}, name
    outside = {**activity, "id": uuid.uuid4().hex, "serviceUrl": "https://attacker.example/teams/"}
    r = teams.post(outside, token=bf.token(service_url=outside["serviceUrl"]))
    assert r.status_code == 401  # a serviceUrl off the allow-list, even consistently signed
    key = teams_sender(conversation, user)
    assert teams.post({**activity, "id": uuid.uuid4().hex}).status_code == 202
    wait_turn(teams.db, key, 0)
    assert user_turns(teams.db, key) == 1  # only the well-signed activity reached the bot
    assert all(r["activity"]["replyToId"] for r in bf.replies if r["conversation"] == conversation)
    assert not any(r["conversation"] == conversation and "attacker" in json.dumps(r) for r in bf.replies)


@pytest.mark.integration
@pytest.mark.slow
def test_a_rotated_signing_key_is_fetched_when_first_seen(teams: TeamsUser, channel_fakes: ChannelFakes) -> None:
    """Microsoft publishing a new key: a token signed with it makes the bot refresh its keys and accept it."""
    bf, (conversation, user) = channel_fakes.botframework, chat()
    fetched = bf.hits(KEYS_PATH)
    key = bf.rotate()
    assert teams.post(teams.activity(conversation, user, "Hello there"), token=bf.token(key=key)).status_code == 202
    assert bf.hits(KEYS_PATH) == fetched + 1
    wait_turn(teams.db, teams_sender(conversation, user), 0)
    assert "patient data" in json.dumps(bf.replies_in(conversation))


@pytest.mark.integration
@pytest.mark.slow
def test_an_oversized_message_is_answered_and_not_stored(teams: TeamsUser, channel_fakes: ChannelFakes) -> None:
    """Over 5 000 characters: 'too long' in the conversation, nothing stored, the next message answered."""
    (conversation, user), bf = chat(), channel_fakes.botframework
    key = teams_sender(conversation, user)
    assert teams.post(teams.activity(conversation, user, "subvention " * 600)).status_code == 202
    deadline = time.monotonic() + 30
    while not bf.replies_in(conversation) and time.monotonic() < deadline:
        time.sleep(0.2)
    replies = bf.replies_in(conversation)
    assert replies and "Message trop long" in json.dumps(replies, ensure_ascii=False)
    assert user_turns(teams.db, key) == 0
    assert teams.post(teams.activity(conversation, user, "Bonjour")).status_code == 202
    wait_turn(teams.db, key, 0)
    assert user_turns(teams.db, key) == 1


def test_a_repeated_activity_is_answered_once(teams: TeamsUser, channel_fakes: ChannelFakes) -> None:
    """The same activity delivered twice (same id) is acknowledged twice and answered once."""
    (conversation, user), bf = chat(), channel_fakes.botframework
    key = teams_sender(conversation, user)
    activity = teams.activity(conversation, user, "Bonjour")
    assert teams.post(activity).status_code == 202 and teams.post(activity).status_code == 200
    wait_turn(teams.db, key, 0)
    answered = len(bf.replies_in(conversation))
    assert teams.post(teams.activity(conversation, user, "Merci")).status_code == 202
    wait_turn(teams.db, key, 1)
    assert user_turns(teams.db, key) == 2 and answered >= 1


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("name", CONVERSATIONS)
def test_conversation_through_teams(name: str, stack: Stack, teams: TeamsUser) -> None:
    """Each REST end-to-end conversation test passes unchanged through Teams (buttons clicked as messageBack)."""
    getattr(rest, name)(ChannelStack(stack, teams))


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("name", LAST_CONVERSATIONS)
def test_zz_conversation_through_teams(name: str, stack: Stack, teams: TeamsUser) -> None:
    """The REST tests that stop parts of the stack, through Teams (they run last)."""
    getattr(rest, name)(ChannelStack(stack, teams))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_teams_package_holds_the_manifest_and_both_icons(tmp_path: Path) -> None:
    """The package script writes a zip with manifest.json (the bot's app id) and 192×192 / 32×32 icons."""
    app_id, out = str(uuid.uuid4()), tmp_path / "guichet-teams.zip"
    env = {**os.environ, "TEAMS_APP_ID": app_id, "GUICHET_PUBLIC_URL": "https://guichet.example.fr"}
    subprocess.run([sys.executable, str(ROOT / "scripts" / "teams_package.py"), "--out", str(out)], env=env,
                   check=True, capture_output=True, timeout=60)
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(z.read("manifest.json"))
        assert png_size(z.read("color.png")) == (192, 192) and png_size(z.read("outline.png")) == (32, 32)
        assert z.getinfo("color.png").file_size < 5000
    assert manifest["id"] == app_id and manifest["bots"][0]["botId"] == app_id
    assert manifest["validDomains"] == ["guichet.example.fr"] and manifest["icons"]["outline"] == "outline.png"
    assert manifest["$schema"].endswith("MicrosoftTeams.schema.json")


def test_teams_package_refuses_missing_settings(tmp_path: Path) -> None:
    """Without a GUID app id or an https public URL the script stops with a clear message and writes nothing."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEAMS_APP_ID", "GUICHET_PUBLIC_URL")}
    for extra in ({}, {"TEAMS_APP_ID": "abc", "GUICHET_PUBLIC_URL": "https://x.fr"},
                  {"TEAMS_APP_ID": str(uuid.uuid4()), "GUICHET_PUBLIC_URL": "http://x.fr"}):
        cmd = [sys.executable, str(ROOT / "scripts" / "teams_package.py"), "--out", str(tmp_path / "t.zip")]
        r = subprocess.run(cmd, env={**env, **extra}, capture_output=True, text=True, timeout=60)
        assert r.returncode != 0 and ("TEAMS_APP_ID" in r.stderr or "GUICHET_PUBLIC_URL" in r.stderr)
    assert not (tmp_path / "t.zip").exists()
