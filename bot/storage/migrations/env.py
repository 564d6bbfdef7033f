"""Alembic environment: runs migrations on the connection Leercoach hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bot.storage.migrate import include_name
from bot.storage.models import Base

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `leercoach db upgrade`, which passes a connection")
run_migrations(connection)
