"""Settings read from the environment: the database URL under both of its names."""

from __future__ import annotations

import pytest

from api.settings import Settings

PG = "postgresql+psycopg://guichet@db.internal:5432/guichet"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "GUICHET_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_plain_database_url_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A platform that sets only DATABASE_URL gets the API on that database."""
    monkeypatch.setenv("DATABASE_URL", PG)
    assert Settings(_env_file=None).resolved_database_url() == PG


def test_prefixed_name_wins_over_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """When both are set, GUICHET_DATABASE_URL is the one used, as the project's own name."""
    monkeypatch.setenv("DATABASE_URL", PG)
    monkeypatch.setenv("GUICHET_DATABASE_URL", "sqlite:////tmp/guichet-settings-test.db")
    assert Settings(_env_file=None).database_url == "sqlite:////tmp/guichet-settings-test.db"


def test_keyword_and_default_still_work(tmp_path) -> None:
    """Code passing database_url= keeps working, and no URL at all means the SQLite file in the data dir."""
    assert Settings(_env_file=None, database_url=PG).database_url == PG
    assert Settings(_env_file=None, data_dir=tmp_path).resolved_database_url() == f"sqlite:///{tmp_path / 'guichet.db'}"
