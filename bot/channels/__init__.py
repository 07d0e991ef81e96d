"""Slack and Microsoft Teams channels for the Rasa server, configured from environment variables.

Listed in credentials.yml by module path (`channels.slack.SlackInput`, `channels.teams.TeamsInput`); each
reads its own settings so that a server without them still starts and answers 503 on that channel.
"""
