"""Writing many rows in one go, straight through the driver's `executemany`.

The scheduler registers and moves tens of thousands of schedule rows per statement. Going
through SQLAlchemy's per-value type processing costs more than the database work itself,
so these statements are plain SQL (written once, valid on SQLite and PostgreSQL alike) fed
with tuples whose values are already in the driver's own form: instants as naive UTC (on
SQLite the exact text SQLAlchemy's DateTime stores), dates as ISO text on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


def executemany(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    """Run `sql` (with `?` placeholders) once per row; returns the rows changed."""
    if not rows:
        return 0
    return _on_cursor(connection, sql, lambda cursor, text: cursor.executemany(text, rows))


def execute(connection: Connection, sql: str, parameters: Sequence[Any]) -> int:
    """Run `sql` (with `?` placeholders) once; returns the rows changed."""
    return _on_cursor(connection, sql, lambda cursor, text: cursor.execute(text, parameters))


def _on_cursor(connection: Connection, sql: str, run: Callable[[Any, str], Any]) -> int:
    """Run on the driver's cursor in the driver's placeholder style; driver errors come
    out as SQLAlchemy's own (IntegrityError, OperationalError …), parameters hidden."""
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        run(cursor, sql)
        return int(cursor.rowcount)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, None, exc, connection.dialect.loaded_dbapi.Error,
            hide_parameters=True, dialect=connection.dialect,
        ) from exc
    finally:
        cursor.close()


MAX_PARAMETERS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535 per statement
MAX_ROWS_PER_STATEMENT = 2_000


def insert_many(
    connection: Connection, head: str, row: str, rows: Sequence[Sequence[Any]], tail: str = ""
) -> None:
    """`head VALUES row, row, … tail` with many rows per statement (fewer round trips
    through the driver than executemany: about half the time for big batches)."""
    if not rows:
        return
    width = len(rows[0])
    per = max(1, min(MAX_ROWS_PER_STATEMENT, MAX_PARAMETERS // width))
    full_sql = f"{head} VALUES {', '.join([row] * per)} {tail}"
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        sql = full_sql if len(chunk) == per else (
            f"{head} VALUES {', '.join([row] * len(chunk))} {tail}")
        execute(connection, sql, [value for values in chunk for value in values])


@lru_cache(maxsize=8192)
def _sqlite_instant(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def instant_writer(connection: Connection) -> Callable[[datetime | None], Any]:
    """How an aware instant is handed to this connection's driver (see UTCDateTime)."""
    convert = _sqlite_instant if connection.dialect.name == "sqlite" else _naive_utc

    def write(value: datetime | None) -> Any:
        return None if value is None else convert(value)

    return write


def day_writer(connection: Connection) -> Callable[[date], Any]:
    if connection.dialect.name == "sqlite":
        return date.isoformat
    return lambda value: value
