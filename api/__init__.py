"""Guichet application: the domain core (catalogue, router, answerer), the CLI and the HTTP API."""
