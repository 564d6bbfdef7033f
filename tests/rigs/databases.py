"""Migrated, empty databases for tests. On SQLite the Alembic migrations run once per
session into a template file and each test gets a copy: migrating costs most of a second per
test, a copy a millisecond. On PostgreSQL each test gets a fresh schema, migrated: a copy
of a template database (CREATE DATABASE … TEMPLATE, then DROP DATABASE) was measured no
faster, as both wait for the server's checkpoints."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.storage import migrate
from bot.storage.database import create_db_engine

PG_URL = os.environ.get("LEERCOACH_TEST_DATABASE_URL", "").strip()


def migrated_sqlite_file(path: Path) -> Path:
    """A SQLite file at `path` with the whole schema, checkpointed so the file alone holds
    it (the WAL is folded in and gone), ready to be copied."""
    database = create_db_engine(f"sqlite:///{path}")
    migrate.upgrade(database)
    database.dispose()
    with closing(sqlite3.connect(path)) as connection:  # outside the engine's BEGIN IMMEDIATE
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def sqlite_copy(template: Path, folder: Path, name: str = "leercoach.db") -> str:
    """The URL of a fresh copy of the migrated `template` in `folder`."""
    target = folder / name
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def postgres_schema_url(base: str) -> tuple[str, str]:
    """A URL whose connections use a fresh schema, so tests never see each other's rows."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def drop_schema(base: str, schema: str) -> None:
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def migrated_postgres_schema(base: str) -> tuple[str, str]:
    """A URL of a fresh schema on `base` with the whole schema in it, and the schema's name."""
    url, schema = postgres_schema_url(base)
    database = create_db_engine(url)
    try:
        migrate.upgrade(database)
    finally:
        database.dispose()
    return url, schema
