"""A person's learning contracts: the goal of the latest version of a quarter's contract,
and which contract is the current one on a day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, select

from bot.learning_record.periods import contract_quarters
from bot.storage.models import LearningContract, table_of


def latest_contract(
    connection: Connection, person_id: int, quarters: Sequence[str]
) -> tuple[str, str] | None:
    """(quarter, goal) of the latest version of the first of `quarters` with a contract."""
    table = table_of(LearningContract)
    for quarter in quarters:
        row = connection.execute(
            select(table.c.goal)
            .where(table.c.person_id == person_id, table.c.quarter == quarter)
            .order_by(table.c.version.desc(), table.c.id.desc())
            .limit(1)
        ).first()
        if row is not None:
            return quarter, row.goal or ""
    return None


def current_contract(connection: Connection, person_id: int, day: date) -> tuple[str, str] | None:
    """(quarter, goal) of a person's current contract on `day` (see `contract_quarters`)."""
    return latest_contract(connection, person_id, contract_quarters(day))
