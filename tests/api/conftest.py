"""The store fixtures of the API tests: each store-related test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.backends import BACKENDS, Backend


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """SQLite files, or PostgreSQL databases made fresh for the module and dropped after it (skips if down)."""
    made = Backend(request.param)
    try:
        yield made
    finally:
        made.close()
