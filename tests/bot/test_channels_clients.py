"""Slack and Teams as Rasa builds them (bot/channels/platform.py): one HTTP client per channel, shared by every
reply (Rasa's connectors and this code before made one per reply), closed when the server stops."""

from __future__ import annotations

from tests.bot.conftest import rasa_side_report


def test_each_platform_channel_has_one_http_client_for_all_its_replies() -> None:
    """Five Slack replies use one Web API client over one aiohttp session, closed at stop; five Teams replies use
    the channel's one httpx client and one app token, and the signing keys and the token are fetched with it."""
    report = rasa_side_report("channels_check.py")
    assert report["configured"] == [True, True]
    assert report["slack_clients"] == 1 and report["slack_session_closed"]
    assert report["teams_clients"] == 1 and report["teams_tokens"] == 1 and report["teams_auth_uses_the_channel_client"]
