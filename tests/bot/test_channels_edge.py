"""The chat channels' edge, unit by unit (bot/channels/limits.py, sessions.py, settings.py, gate.py, ids.py):
moving windows on a controlled clock, the client's address behind proxies, session tokens, settings that
refuse bad values; the real server's behaviour is in test_chat_limits.py and test_webchat_sessions.py."""

from __future__ import annotations

import asyncio
import ipaddress
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bot"))

from channels import gate  # noqa: E402
from channels.ids import foreign_sender, slack_sender, teams_sender  # noqa: E402
from channels.limits import ChatLimits, Window, client_address  # noqa: E402
from channels.sessions import SessionSigner, valid_session_id  # noqa: E402
from channels.settings import Limits, Rate, rate, read  # noqa: E402


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def nets(*items: str) -> tuple:
    return tuple(ipaddress.ip_network(i) for i in items)


def limits(sender: str = "3/10second", address: str = "5/10second", platform: str = "4/10second",
           exempt: tuple = (), proxies: tuple = ()) -> Limits:
    return Limits(rate("s", sender, ""), rate("a", address, ""), rate("p", platform, ""), exempt, proxies)


def test_window_allows_count_hits_per_period_and_frees_them_as_they_age() -> None:
    """Three hits per 10 s: the fourth waits until the first is 10 s old, not a whole new window."""
    clock = Clock()
    window = Window(Rate(3, 10), clock)
    for step in (0, 2, 4):
        clock.now = 1000 + step
        assert window.wait("k") == 0
        window.hit("k")
    clock.now = 1005
    assert window.wait("k") == pytest.approx(5) and window.wait("other") == 0
    clock.now = 1010
    assert window.wait("k") == 0


def test_window_forgets_the_least_recently_seen_keys_beyond_its_bound() -> None:
    """Memory is bounded: past max_keys, the key seen longest ago is dropped (and starts afresh)."""
    window = Window(Rate(1, 60), Clock(), max_keys=2)
    for key in ("a", "b", "c"):
        window.hit(key)
    assert window.wait("a") == 0 and window.wait("b") > 0 and window.wait("c") > 0


def test_a_sender_over_its_limit_is_refused_told_once_and_not_counted() -> None:
    """The fourth message of a sender within 10 s is refused and told; the fifth refused silently; refusals do
    not lengthen the wait; another sender of the same address goes on."""
    clock = Clock()
    chat = ChatLimits(limits(), clock)
    assert all(chat.check("s1", "203.0.113.1").allowed for _ in range(3))
    first, second = chat.check("s1", "203.0.113.1"), chat.check("s1", "203.0.113.1")
    assert not first.allowed and first.tell and first.retry_after == 10
    assert not second.allowed and not second.tell
    assert chat.check("s2", "203.0.113.1").allowed
    clock.now += 10
    assert chat.check("s1", "203.0.113.1").allowed
    clock.now += 10
    assert [chat.check("s1", "203.0.113.1").allowed for _ in range(4)] == [True, True, True, False]
    assert chat.check("s1", "203.0.113.1").tell is False  # the spell begun by the line above is already told


def test_an_address_is_limited_across_senders_unless_exempt() -> None:
    """Five messages per 10 s from one address whatever the senders; an exempt address has only the senders'
    limit; a platform's conversations share the platform's ceiling instead of an address's."""
    chat = ChatLimits(limits(exempt=nets("127.0.0.1/32")), Clock())
    assert [chat.check(f"s{n}", "198.51.100.9").allowed for n in range(6)] == [True] * 5 + [False]
    assert all(chat.check(f"l{n}", "127.0.0.1").allowed for n in range(20))
    assert [chat.check(f"t{n}", platform="slack").allowed for n in range(5)] == [True] * 4 + [False]
    assert chat.check("t9", platform="botframework").allowed


def test_off_disables_a_limit() -> None:
    """A limit set to off is not checked."""
    chat = ChatLimits(limits(sender="off", address="off"), Clock())
    assert all(chat.check("s", "198.51.100.9").allowed for _ in range(50))


def test_the_client_address_is_read_behind_trusted_proxies_only() -> None:
    """X-Forwarded-For counts only when the peer is a trusted proxy, read from the right up to the first hop
    that is not one: what a client writes at the left cannot pass for its address."""
    proxies = nets("127.0.0.1/32", "10.0.0.0/8")
    assert client_address("198.51.100.1", "203.0.113.9", proxies) == "198.51.100.1"  # not from a proxy
    assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"  # no proxy trusted
    assert client_address("127.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    assert client_address("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies) == "203.0.113.9"
    assert client_address("127.0.0.1", None, proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", "10.1.2.3", proxies) == "10.1.2.3"  # only proxies: the farthest


def test_session_tokens_are_the_servers_signature_of_a_well_formed_id() -> None:
    """An issued session verifies; a token of another id, another secret, a changed character or a malformed
    id does not."""
    signer = SessionSigner(b"k" * 32)
    sid, token = signer.issue()
    other, other_token = signer.issue()
    assert valid_session_id(sid) and sid != other and signer.verify(sid, token)
    assert not signer.verify(sid, other_token)
    assert not SessionSigner(b"j" * 32).verify(sid, token)
    assert not signer.verify(sid, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not signer.verify(sid.upper(), token) and not signer.verify(sid + "0", token)
    assert not signer.verify(sid, None) and not signer.verify(None, token) and not signer.verify(sid, 42)


@pytest.mark.parametrize("name, value", [
    ("GUICHET_CHAT_LIMIT_SENDER", "lots"), ("GUICHET_CHAT_LIMIT_SENDER", "0/minute"),
    ("GUICHET_CHAT_LIMIT_ADDRESS", "10/0second"), ("GUICHET_CHAT_LIMIT_PLATFORM", "10/fortnight"),
    ("GUICHET_CHAT_TRUSTED_PROXIES", "proxy.example"), ("GUICHET_CHAT_LIMIT_EXEMPT", "127.0.0.1, 300.1.1.1"),
    ("GUICHET_CHAT_SESSION_SECRET", "changeme"), ("GUICHET_CHAT_SESSION_SECRET", "short"),
    ("TEAMS_HTTP_TIMEOUT", "0"), ("TEAMS_KEYS_MIN_REFRESH_SECONDS", "soon"),
    ("GUICHET_RASA_SPEEDUPS", "of"), ("RASA_REDIS_DB", "one"), ("RASA_REDIS_DB", "-1"),
    ("RASA_REDIS_PREFIX", "guichet:lock"),
])
def test_a_bad_setting_stops_the_server_naming_it(name: str, value: str) -> None:
    """Each malformed setting raises an error that names the variable (Rasa then does not start)."""
    with pytest.raises(ValueError, match=name):
        read({name: value})


def test_settings_read_rates_networks_and_platforms() -> None:
    """Rates in their forms, lists of networks, the defaults, and a platform configured only when complete."""
    s = read({"GUICHET_CHAT_LIMIT_SENDER": "5/10seconds", "GUICHET_CHAT_LIMIT_ADDRESS": "off",
              "GUICHET_CHAT_TRUSTED_PROXIES": "10.0.0.0/8, ::1", "GUICHET_CHAT_SESSION_SECRET": "x" * 40,
              "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:9/api", "TEAMS_APP_ID": "id"})
    assert s.limits.sender == Rate(5, 10) and s.limits.address is None and s.limits.platform == Rate(600, 60)
    assert s.limits.trusted_proxies == nets("10.0.0.0/8", "::1/128") and s.session_secret == b"x" * 40
    assert s.limits.exempt == nets("127.0.0.1/32", "::1/128")
    assert not s.slack.configured and s.slack.api_url == "http://127.0.0.1:9/api/" and not s.teams.configured
    assert read({"SLACK_BOT_TOKEN": "t", "SLACK_SIGNING_SECRET": "s"}).slack.configured
    assert len(read({}).session_secret) == 32  # unset: random, for this process only


def test_the_rest_channel_cannot_name_another_channels_conversation() -> None:
    """Widget session ids and Slack and Teams conversation ids belong to their channels."""
    assert foreign_sender(SessionSigner(b"k" * 32).issue()[0]) == "web widget"
    assert foreign_sender(slack_sender("T", "C", None, "U")) == "Slack"
    assert foreign_sender(teams_sender("a:1", "u")) == "Teams"
    assert foreign_sender("test-0123") is None and foreign_sender("f" * 63) is None


class Output:
    """An output channel that keeps what it is asked to send."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: object) -> None:
        self.sent.append(text)


def test_the_gate_answers_refusals_in_the_founders_language(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the gate, a flood is heard up to the limit; the first refusal is told, in the language the
    client names or else the message's own; a message too long is told so and not heard."""
    chat = ChatLimits(limits(sender="2/minute", address="off"), Clock())
    monkeypatch.setattr(gate, "chat_limits", lambda: chat)
    heard: list[str] = []

    async def on_new_message(message: SimpleNamespace) -> None:
        heard.append(message.text)

    async def flood(texts: list[str], metadata: dict | None, out: Output) -> None:
        handle = gate.guarded(on_new_message, address="198.51.100.4")
        for text in texts:
            await handle(SimpleNamespace(text=text, sender_id=str(id(out)), metadata=metadata, output_channel=out))

    english, french, named = Output(), Output(), Output()
    asyncio.run(flood(["Hello, I need funding"] * 4, None, english))
    asyncio.run(flood(["Bonjour, nous cherchons un financement"] * 3, None, french))
    asyncio.run(flood(["/affirm"] * 3, {"lang": "en"}, named))
    assert len(heard) == 6
    assert english.sent == [gate.t("slow_down", "en", seconds=60)]
    assert french.sent == [gate.t("slow_down", "fr", seconds=60)] and named.sent == english.sent
    long = Output()
    asyncio.run(flood(["mot " * 2000], None, long))
    assert long.sent == [gate.TOO_LONG] and len(heard) == 6
