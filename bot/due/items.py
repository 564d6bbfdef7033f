"""Due items: what the scheduler opens, one by one, when its own next moment has come.

Per-person rhythms are rows of `schedules`, swept in bulk (bot.due.sweep). A cohort's
pairing round and a team's work session are items of their own, each with a next moment.
Every such kind declares one `DueItems` next to its records: how to find the items due at a
moment, and how to open one. The scheduler's tick runs each declared kind the same way:
read the candidates, then per item, in its own transaction, check (and on PostgreSQL lock)
that one item again, so a replica that got there first is skipped, and open it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from sqlalchemy import Connection

from bot.config import Settings

T = TypeVar("T")


class FindDue(Protocol):
    def __call__(self, connection: Connection, now: datetime, only: int | None = None
                 ) -> list[int]:
        """The ids due at `now` (locked, others' locked rows skipped); `only` checks and
        locks that one id."""
        ...


@dataclass(frozen=True, slots=True)
class DueItems(Generic[T]):
    name: str  # in logs: "pairing rounds", "work sessions"
    due: FindDue
    open: Callable[[Connection, int, datetime, Settings], T | None]  # None: nothing opened
    describe: Callable[[T], str] | None = None  # a log line per opened item
