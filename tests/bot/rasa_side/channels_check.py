"""Run in .venv-rasa (tests/bot/test_channels_clients.py): the Slack and Teams channels as Rasa builds them from
the environment, their outputs for several replies, and what HTTP clients those use. Prints one JSON line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bot"))

from channels.slack import SlackInput  # noqa: E402
from channels.teams import TeamsInput, TeamsOutput  # noqa: E402


async def main() -> dict:
    os.environ.update({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TEAMS_APP_ID": "a",
                       "TEAMS_APP_PASSWORD": "p", "GUICHET_CHAT_SESSION_SECRET": "k" * 40})
    slack, teams = SlackInput.from_credentials(None), TeamsInput.from_credentials(None)
    slack_clients = {id(slack.get_output_channel("C1", str(n)).client) for n in range(5)}
    session = slack.get_output_channel("C1", None).client.session
    teams_outputs = [TeamsOutput(teams.http.get(), teams.token, {"id": f"c{n}"}, {}, "https://x/") for n in range(5)]
    keys_client = teams.keys.http() is teams_outputs[0].http and teams.token.http() is teams_outputs[0].http
    for client in slack.http_clients + teams.http_clients:
        await client.close()
    return {
        "slack_clients": len(slack_clients), "slack_session_closed": bool(session and session.closed),
        "teams_clients": len({id(o.http) for o in teams_outputs}),
        "teams_tokens": len({id(o.token) for o in teams_outputs}),
        "teams_auth_uses_the_channel_client": keys_client,
        "configured": [slack.settings.configured, teams.settings.configured],
    }


print("REPORT " + json.dumps(asyncio.run(main())), flush=True)
