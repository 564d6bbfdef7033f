"""Wiring the engine to its database once, the same way for every command and adapter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.core.coach import Coach
from bot.storage import encryption, migrate
from bot.storage.database import create_db_engine, make_session_factory


class SchemaOutOfDate(RuntimeError):
    """The database needs `leercoach db upgrade` before Leercoach can use it."""


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database: Engine
    sessions: sessionmaker[Session]
    engine: Coach

    def close(self) -> None:
        self.engine.close()
        self.database.dispose()


def is_embedded(settings: Settings) -> bool:
    return make_url(settings.database_url).get_backend_name() == "sqlite"


def open_runtime(
    settings: Settings,
    *,
    migrate_embedded: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Runtime:
    """Connect, make sure the schema is current, and build the engine.

    The embedded SQLite default migrates itself; a shared PostgreSQL is migrated
    deliberately with `leercoach db upgrade`, so replicas never race to change its schema.
    The encryption keys are set for the process and tried on the stored answers, so a
    missing or wrong key stops the start instead of a conversation.
    """
    encryption.configure(encryption.KeyRing.from_setting(settings.encryption_key))
    database = create_db_engine(settings.database_url)
    if migrate_embedded and is_embedded(settings):
        migrate.upgrade(database)
    elif not migrate.is_up_to_date(database):
        database.dispose()
        raise SchemaOutOfDate("the database schema is not current: run `leercoach db upgrade`")
    try:
        encryption.verify_readable(database)
    except encryption.UnreadableSecret:
        database.dispose()
        raise
    sessions = make_session_factory(database)
    return Runtime(settings, database, sessions, Coach(database, settings, clock=clock))
