"""Tick heartbeats: one row per scheduler job with the last time any replica ran it.

Written by the scheduler (at most every BEAT_SECONDS per job and process, so a two-second
dispatch tick does not take SQLite's write lock each time), read at scrape time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.storage.models import TickHeartbeat, table_of

BEAT_SECONDS = 10.0
_table = table_of(TickHeartbeat)


def beat(connection: Connection, job: str, now: datetime) -> None:
    """Record that `job` ran at `now` (a later beat of another replica is kept)."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(_table).values(job=job, ran_at=now)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[_table.c.job], set_={"ran_at": now},
        where=_table.c.ran_at < now))


def last_runs(connection: Connection) -> dict[str, datetime]:
    return {row.job: row.ran_at for row in connection.execute(select(_table))}
