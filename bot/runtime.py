"""The composition root: the database, the practices' registry and the Coach wired together once,
the same way for every command and adapter.

It lives outside bot/core because it is where the core meets the practices: the Registry is
composed here from bot.practices, then handed to the Coach inside one Services object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.conversation.services import Services
from bot.core.prompts import PromptLibrary
from bot.core.registry import Registry
from bot.practices import build_registry
from bot.storage import encryption, key_rotation, migrate
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


def build_coach(
    database: Engine,
    settings: Settings,
    *,
    clock: Callable[[], datetime] | None = None,
    prompts: PromptLibrary | None = None,
    registry: Registry | None = None,
) -> Coach:
    """A Coach on `database` with the services it shares with its turns; the registry of
    every practice is built here unless one is given (tests reuse theirs)."""
    services = Services(settings, registry or build_registry(), clock=clock, prompts=prompts)
    return Coach(database, services)


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
        key_rotation.verify_readable(database)
    except encryption.UnreadableSecret:
        database.dispose()
        raise
    sessions = make_session_factory(database)
    return Runtime(settings, database, sessions, build_coach(database, settings, clock=clock))
