"""The Slack channel of the real Rasa server, driven with signed Slack requests, answered to a fake Web API."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

import tests.bot.test_conversations as rest
from tests.bot.conftest import ChannelFakes, ChannelStack, Stack
from tests.bot.fakes.clients import (
    BOT_USER,
    SLACK_CHANNEL,
    TEAM,
    SlackUser,
    slack_sender,
    slack_signature,
    user_turns,
    wait_turn,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# Reads the store under the REST sender id; the drivers here read every turn from that same store anyway.
REST_ONLY = {"test_conversations_really_reach_the_configured_store"}
CONVERSATIONS = sorted(n for n in dir(rest) if n.startswith("test_") and not n.startswith("test_zz_")
                       and n not in REST_ONLY)
LAST_CONVERSATIONS = sorted(n for n in dir(rest) if n.startswith("test_zz_"))


@pytest.fixture(scope="module")
def slack(stack: Stack, channel_fakes: ChannelFakes) -> SlackUser:
    return SlackUser(stack.rasa, stack.tmp / "rasa.db", channel_fakes.slack, channel_fakes.slack_secret)


def new_user() -> str:
    return f"U{uuid.uuid4().hex[:10].upper()}"


def test_url_verification_challenge_is_answered(slack: SlackUser) -> None:
    """Slack's signed url_verification request gets its challenge back."""
    r = slack.send_event({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                          "type": "url_verification"})
    assert r.status_code == 200 and r.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_thread_message_and_button_click_reach_bpifrance_in_the_thread(slack: SlackUser,
                                                                      channel_fakes: ChannelFakes) -> None:
    """A founder's message in a channel thread is answered in that thread; clicking its buttons (a deciding
    question's, or "yes" to the summary) gives the levers."""
    fake, user, thread = channel_fakes.slack, new_user(), f"{time.time():.6f}"
    first = slack.event(user, "Nous avons un prototype de logiciel et cherchons un financement pour le développer",
                        thread, f"{time.time():.6f}")
    assert slack.send_event(first).status_code == 200
    key = slack_sender(TEAM, SLACK_CHANNEL, thread, user)
    wait_turn(slack.db, key, 0)

    def lever_posts() -> list[dict]:
        return [p for p in fake.posts_in(SLACK_CHANNEL, thread)
                if any(b.get("block_id", "").startswith("lever:") for b in p["blocks"])]

    for turns in range(1, 4):
        if lever_posts():
            break
        posts = fake.posts_in(SLACK_CHANNEL, thread)
        assert posts and all(p["thread_ts"] == thread for p in posts)
        buttons = [(p, b, e) for p in posts for b in p["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert buttons and all(e["type"] == "button" for _, _, e in buttons), json.dumps(posts, ensure_ascii=False)
        latest = [x for x in buttons if x[0]["ts"] == buttons[-1][0]["ts"]]
        target = next((x for x in latest if x[2]["value"] == "/affirm"), latest[0])
        assert slack.send_click(slack.click(user, *target)).status_code == 200
        wait_turn(slack.db, key, turns)
    after = lever_posts()
    levers = [b["block_id"] for p in after for b in p["blocks"] if b.get("block_id", "").startswith("lever:")]
    assert levers and levers[0] == "lever:bpifrance-innovation", json.dumps(fake.posts_in(SLACK_CHANNEL, thread))
    card = json.dumps(after, ensure_ascii=False)
    assert "Prochaine étape" in card and '"value": "/request_advisor"' in card
    assert fake.refused == []


def test_mention_in_another_channel_is_answered_in_its_thread(slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """An @mention in any channel is answered in a thread under that message, in the founder's language."""
    user, ts = new_user(), f"{time.time():.6f}"
    event = slack.event(user, f"<@{BOT_USER}> Hello there", None, ts, channel="C0OTHER", kind="app_mention")
    assert slack.send_event(event).status_code == 200
    wait_turn(slack.db, slack_sender(TEAM, "C0OTHER", ts, user), 0)
    [post, *_] = channel_fakes.slack.posts_in("C0OTHER", ts)
    assert "patient data" in post["text"]


def test_direct_message_is_answered_in_the_conversation(slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """A direct message is answered in the direct conversation, not in a thread."""
    user, channel = new_user(), f"D{uuid.uuid4().hex[:8].upper()}"
    event = slack.event(user, "Bonjour", None, f"{time.time():.6f}", channel=channel, channel_type="im")
    assert slack.send_event(event).status_code == 200
    wait_turn(slack.db, slack_sender(TEAM, channel, None, user), 0)
    assert "données de patients" in channel_fakes.slack.posts_in(channel, None)[0]["text"]


def test_an_oversized_message_is_answered_and_not_stored(slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """A message over the channels' 5 000-character limit gets 'too long' in its conversation, and reaches
    neither NLU nor the tracker store; the next normal message is answered as usual."""
    user, channel = new_user(), f"D{uuid.uuid4().hex[:8].upper()}"
    key = slack_sender(TEAM, channel, None, user)
    event = slack.event(user, "subvention " * 600, None, f"{time.time():.6f}", channel=channel, channel_type="im")
    assert slack.send_event(event).status_code == 200
    deadline = time.monotonic() + 30
    while not channel_fakes.slack.posts_in(channel, None) and time.monotonic() < deadline:
        time.sleep(0.2)
    posts = channel_fakes.slack.posts_in(channel, None)
    assert posts and "Message trop long" in posts[0]["text"]
    assert user_turns(slack.db, key) == 0
    event = slack.event(user, "Bonjour", None, f"{time.time():.6f}", channel=channel, channel_type="im")
    assert slack.send_event(event).status_code == 200
    wait_turn(slack.db, key, 0)
    assert user_turns(slack.db, key) == 1


def test_a_channel_message_not_addressed_to_the_bot_is_ignored(slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """A message in a channel that is not the bot's, without mention or thread with the bot, gets no reply."""
    user, ts = new_user(), f"{time.time():.6f}"
    assert slack.send_event(slack.event(user, "Bonjour à tous", None, ts, channel="C0RANDOM")).status_code == 200
    time.sleep(1.5)
    assert channel_fakes.slack.posts_in("C0RANDOM", ts) == []
    assert user_turns(slack.db, slack_sender(TEAM, "C0RANDOM", ts, user)) == 0


def forged(slack: SlackUser, user: str, thread: str) -> list[httpx.Response]:
    """Unsigned, wrongly signed, stale, future and tampered requests for this thread, events and clicks."""
    event = slack.event(user, "Bonjour", thread, f"{time.time():.6f}")
    body = json.dumps(event).encode()
    url = f"{slack.rasa}/webhooks/slack/webhook"
    fake_post = {"ts": thread, "channel": SLACK_CHANNEL, "thread_ts": thread, "text": "x", "blocks": []}
    button = {"action_id": "guichet_button_0", "text": {"type": "plain_text", "text": "Oui"}, "value": "/affirm"}
    stamp = str(int(time.time()))
    tampered = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": slack_signature(slack.secret, stamp, body)}
    return [
        httpx.post(url, content=body, headers={"Content-Type": "application/json"}),  # unsigned
        slack.send_event(event, secret="not-the-secret"),
        slack.send_event(event, timestamp=int(time.time()) - 6 * 60),  # stale: a replay
        slack.send_event(event, timestamp=int(time.time()) + 6 * 60),
        httpx.post(url, content=body.replace(b"Bonjour", b"Bonsoir"),
                   headers={"Content-Type": "application/json", **tampered}),
        slack.send_click(slack.click(user, fake_post, {"block_id": "buttons_0"}, button), secret="wrong"),
        httpx.post(url, content=body, headers={"Content-Type": "application/json",
                                               "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=00"}),
    ]


def test_forged_unsigned_and_replayed_requests_get_401_and_no_reply(slack: SlackUser,
                                                                  channel_fakes: ChannelFakes) -> None:
    """Every badly signed request is refused with 401 and leaves no trace; a good one after it is answered."""
    user, thread = new_user(), f"{time.time():.6f}"
    replies = forged(slack, user, thread)
    assert [r.status_code for r in replies] == [401] * len(replies)
    assert all(set(r.json()) == {"detail"} and "Bonjour" not in r.text for r in replies)
    key = slack_sender(TEAM, SLACK_CHANNEL, thread, user)
    good = slack.event(user, "Bonjour", thread, f"{time.time():.6f}")
    assert slack.send_event(good).status_code == 200
    wait_turn(slack.db, key, 0)
    assert user_turns(slack.db, key) == 1  # only the signed message reached the bot
    assert len(channel_fakes.slack.posts_in(SLACK_CHANNEL, thread)) == 1


def test_retried_event_is_answered_once(slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """Slack's retry of an event (same event_id, X-Slack-Retry-Num) is acknowledged but not answered again."""
    user, thread = new_user(), f"{time.time():.6f}"
    key = slack_sender(TEAM, SLACK_CHANNEL, thread, user)
    event = slack.event(user, "Bonjour", thread, f"{time.time():.6f}")
    assert slack.send_event(event).status_code == 200
    for n in (1, 2):
        retry = slack.send_event(event, headers={"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"})
        assert retry.status_code == 200 and retry.headers.get("X-Slack-No-Retry") == "1"
    wait_turn(slack.db, key, 0)
    answered = len(channel_fakes.slack.posts_in(SLACK_CHANNEL, thread))
    assert slack.send_event(slack.event(user, "Merci", thread, f"{time.time():.6f}")).status_code == 200
    wait_turn(slack.db, key, 1)
    assert user_turns(slack.db, key) == 2 and answered == 1


def test_bad_bodies_get_400_not_500(slack: SlackUser) -> None:
    """A signed body that is not a Slack payload gets a 400 JSON error."""
    for body, kind in ((b"{not json", "application/json"), (b"[1, 2]", "application/json"),
                       (b"payload=%7Bbroken", "application/x-www-form-urlencoded"), (b"hello", "text/plain")):
        r = slack.post(body, kind)
        assert r.status_code == 400 and set(r.json()) == {"detail"}


@pytest.mark.parametrize("name", CONVERSATIONS)
def test_conversation_through_slack(name: str, stack: Stack, slack: SlackUser, channel_fakes: ChannelFakes) -> None:
    """Each REST end-to-end conversation test passes unchanged through Slack (buttons clicked as Block Kit)."""
    getattr(rest, name)(ChannelStack(stack, slack))
    assert channel_fakes.slack.refused == []


@pytest.mark.parametrize("name", LAST_CONVERSATIONS)
def test_zz_conversation_through_slack(name: str, stack: Stack, slack: SlackUser) -> None:
    """The REST tests that stop parts of the stack, through Slack (they run last)."""
    getattr(rest, name)(ChannelStack(stack, slack))
