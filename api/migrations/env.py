"""Alembic environment: runs on the connection the application passes in (api.db.migrate)."""

from __future__ import annotations

from alembic import context

from api import models  # noqa: F401  (registers the tables)
from api.db import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through api.db.migrate(engine)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
