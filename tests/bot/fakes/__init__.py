"""Local fakes of the servers outside this machine (Slack's Web API, Microsoft's Bot Framework), on loopback."""
