"""Retention: free text older than LEERCOACH_RETENTION_MONTHS (default 24) is blanked.

The free-text columns are those made with `free_text()` in bot.storage.models, judged by the
date of their table's `purge_by` mark. What people wrote is the most personal thing the
coach keeps and the least needed after a while; the facts around it are what the rhythm,
streaks and the dashboard count. So the purge empties the text columns (NULL, or '' / {}
where a column must hold something) and keeps every row with its dates, scale scores,
choices and competence codes: counts stay right, nobody's history gets holes.

One UPDATE per table, on an indexed date (`RETENTION_INDEXES` in bot.storage.models), only
touching rows that still hold text. The cutoff moves a day at a time, so the scheduler runs
it once a day per process (scheduler/ticks.py). Values are written as SQL literals, not
parameters, so an encrypted column (bot.storage.encryption) gets a plain empty value that
the filter recognises next time.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import JSON, Column, Connection, Date, Text, cast, literal_column, or_, update
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import Base
from bot.storage.privacy_marks import marked_columns, table_mark

# (table, the date it is judged by, its free-text columns): the tables marked `purge_by` and
# their free_text() columns (bot.storage.models), in the order they are declared. The answers
# and context of finished conversations hold the same words verbatim, so dialogs are among
# them (marked `purge_finished_only`: an active one keeps its text).
PURGED: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (table.name, mark.purge_by,
     tuple(column.name for column in marked_columns(table, "free_text")))
    for table in Base.metadata.tables.values()
    if (mark := table_mark(table)) is not None and mark.purge_by is not None
)
_FINISHED_ONLY = frozenset(
    table.name for table in Base.metadata.tables.values()
    if (mark := table_mark(table)) is not None and mark.purge_finished_only
)

_EMPTY_TEXT: ColumnElement[Any] = literal_column("''")
_EMPTY_JSON: ColumnElement[Any] = literal_column("'{}'")


def cutoff(today: date, months: int) -> date:
    """The first day that is kept: `months` before today (the 31st becomes the month's
    last day when the earlier month is shorter)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(today.day, monthrange(year, month + 1)[1]))


def _is_json(column: Column[Any]) -> bool:
    kind = column.type
    return isinstance(kind, JSON) or isinstance(getattr(kind, "impl", None), JSON)


def _blank(column: Column[Any]) -> ColumnElement[Any]:
    """What a column holds once purged."""
    if column.nullable:
        return literal_column("NULL")
    return _EMPTY_JSON if _is_json(column) else _EMPTY_TEXT


def _holds_text(column: Column[Any]) -> ColumnElement[bool]:
    """True while the column still holds something to purge."""
    if column.nullable:
        return column.is_not(None)
    if _is_json(column):
        return cast(column, Text) != _EMPTY_JSON
    return column != _EMPTY_TEXT


def purge_free_text(connection: Connection, now: datetime, months: int) -> int:
    """Blank the free text older than `months` months (0: keep forever); the number of rows
    whose text was blanked."""
    if months <= 0:
        return 0
    first_kept = cutoff(now.astimezone(UTC).date(), months)
    since = datetime.combine(first_kept, time(0), tzinfo=UTC)
    tables = Base.metadata.tables
    purged = 0
    for table_name, date_name, text_names in PURGED:
        table = tables[table_name]
        judged_by = table.c[date_name]
        columns = [table.c[name] for name in text_names]
        old = judged_by < (first_kept if isinstance(judged_by.type, Date) else since)
        condition = [old, or_(*(_holds_text(column) for column in columns))]
        if table_name in _FINISHED_ONLY:
            condition.append(table.c.status != "active")
        result = connection.execute(
            update(table).where(*condition).values(
                {column.name: _blank(column) for column in columns})
        )
        purged += result.rowcount or 0
    return purged
