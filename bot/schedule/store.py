"""Keeping each person's due instants in the `schedules` table current.

Called in the same transaction as whatever changed them: a new person, a new time zone,
workdays or diary time, a pause or opt-out. The rules are the same the sweep uses, so the
row always says when the person is next due.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.schedule.due import DIARY, RHYTHMS, Rules, next_due
from bot.schedule.organisation import CalendarCache, OrganisationCalendar
from bot.storage.models import Person, Schedule, table_of
from bot.storage.prepared import Prepared
from bot.weekdays import WEEKDAYS

ACTIVE_STATUSES = frozenset({"active", "paused"})
_schedules = table_of(Schedule)
_people = table_of(Person)


@dataclass(frozen=True, slots=True)
class PersonCalendar:
    """The fields of a person that decide when they are due."""

    id: int
    organisation_id: int
    timezone: str
    workdays: str
    diary_time: time
    status: str
    paused_until: date | None


@lru_cache(maxsize=512)
def workday_numbers(workdays: str) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(day) for day in workdays.split(",") if day in WEEKDAYS)


def rules_for(person: PersonCalendar, calendar: OrganisationCalendar, periodic_time: time
              ) -> Rules:
    paused = person.status == "paused"
    reachable = person.status in ACTIVE_STATUSES and not (paused and person.paused_until is None)
    return _rules(person.timezone, person.workdays, person.diary_time, periodic_time,
                  calendar, person.paused_until if paused else None, reachable)


@lru_cache(maxsize=65536)
def _rules(timezone: str, workdays: str, diary_time: time, periodic_time: time,
           calendar: OrganisationCalendar, paused_until: date | None, reachable: bool) -> Rules:
    return Rules(timezone, workday_numbers(workdays), diary_time, periodic_time,
                 calendar.days_off, calendar.quiet, paused_until, reachable)


def _upsert(connection: Connection, rows: Sequence[dict[str, object]]) -> None:
    """Insert or replace schedule rows; a changed setting also lifts a diary hold."""
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_schedules)
    statement = statement.on_conflict_do_update(
        index_elements=["person_id", "rhythm"],
        set_={
            "due_at": statement.excluded.due_at,
            "missed": 0,
            "held": False,
            "updated_at": statement.excluded.updated_at,
        },
    )
    connection.execute(statement, list(rows))


def register(
    connection: Connection,
    people: Iterable[PersonCalendar],
    calendars: CalendarCache,
    periodic_time: time,
    now: datetime,
) -> int:
    """(Re)compute every rhythm of `people` from `now` on; returns how many people."""
    people = list(people)
    if not people:
        return 0
    found = calendars.get(connection, {person.organisation_id for person in people})
    rows: list[dict[str, object]] = []
    for person in people:
        calendar = found.get(person.organisation_id)
        if calendar is None:
            continue
        rules = rules_for(person, calendar, periodic_time)
        for rhythm in RHYTHMS:
            due = next_due(rhythm, rules, now)
            rows.append({"person_id": person.id, "rhythm": rhythm,
                         "due_at": due.at if due else None, "missed": 0, "held": False,
                         "updated_at": now})
    if rows:
        _upsert(connection, rows)
    return len(people)


_PERSON_COLUMNS = (
    _people.c.id, _people.c.organisation_id, _people.c.timezone, _people.c.workdays,
    _people.c.diary_time, _people.c.status, _people.c.paused_until,
)


def unregistered(connection: Connection, limit: int) -> list[PersonCalendar]:
    """People without schedule rows: created before the scheduler, or by other means."""
    missing = select(*_PERSON_COLUMNS).where(
        ~select(_schedules.c.person_id)
        .where(and_(_schedules.c.person_id == _people.c.id, _schedules.c.rhythm == DIARY))
        .exists()
    ).limit(limit)
    return [PersonCalendar(*row) for row in connection.execute(missing)]


def organisation_people(connection: Connection, organisation_id: int) -> list[PersonCalendar]:
    query = select(*_PERSON_COLUMNS).where(_people.c.organisation_id == organisation_id)
    return [PersonCalendar(*row) for row in connection.execute(query)]


def person_calendar(connection: Connection, person_id: int) -> PersonCalendar | None:
    row = connection.execute(select(*_PERSON_COLUMNS).where(_people.c.id == person_id)).first()
    return PersonCalendar(*row) if row else None


# Built once: every diary entry runs it.
_DIARY_WRITTEN = Prepared(
    update(_schedules)
    .where(_schedules.c.person_id == bindparam("person_id"), _schedules.c.rhythm == DIARY,
           (_schedules.c.missed > 0) | _schedules.c.held)
    .values(missed=0, held=False)
)


def diary_written(connection: Connection, person_id: int) -> None:
    """An entry came in: the missed-day count starts again and a hold is lifted."""
    _DIARY_WRITTEN.run(connection, {"person_id": person_id})


def clear(connection: Connection, person_id: int, now: datetime) -> None:
    """Nothing due any more (the person cannot be reached); a later change re-registers."""
    connection.execute(
        update(_schedules).where(_schedules.c.person_id == person_id)
        .values(due_at=None, updated_at=now)
    )
