"""Writing test records straight into the database: one row through Core, or ORM objects."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.orm import Session

from bot.storage.models import table_of


def insert_row(connection: Connection, model: Any, **values: Any) -> int:
    """One row of `model`'s table with `values`; its new id."""
    table = table_of(model)
    return int(connection.execute(insert(table).values(**values).returning(table.c.id))
               .scalar_one())


def add_records(database: Engine, *records: Any) -> list[int]:
    """ORM objects stored in one transaction; their new ids, in order."""
    with Session(database) as session, session.begin():
        session.add_all(records)
        session.flush()
        return [record.id for record in records]
