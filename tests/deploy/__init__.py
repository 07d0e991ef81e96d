"""Checks of the production deployment files."""
