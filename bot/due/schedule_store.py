"""Keeping each person's due instants in the `schedules` table current.

Called in the same transaction as whatever changed them: a new person, a new time zone,
workdays or diary time, a pause or opt-out. The rules are the same the sweep uses, so the
row always says when the person is next due.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache

from sqlalchemy import Connection, Integer, bindparam, select, text, update

from bot.due.organisation_calendar import CalendarCache, OrganisationCalendar
from bot.due.rhythms import DECLARED, RHYTHMS
from bot.due.rules import Due, Rules, next_due
from bot.due.weekdays import WEEKDAYS
from bot.storage.bulk import execute, insert_many, instant_writer
from bot.storage.models import Person, Schedule, table_of
from bot.storage.prepared import Prepared

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


def reachable_on(status: str, paused_until: date | None, day: date) -> bool:
    """May the person be messaged on local `day`: active, or paused with the pause over by
    then (the status turns active again only when they next write)."""
    if status == "active":
        return True
    return status == "paused" and paused_until is not None and paused_until < day


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


def due_column(rhythm: str) -> str:
    """The column of `schedules` holding the next instant of `rhythm`."""
    return f"{rhythm}_due_at"


# Rhythms due at the person's own time, and those due at the organisation's periodic time
# (which more people share, so fewer computations): a row holds the first, then the second.
_OWN_TIME = tuple(r.name for r in DECLARED if r.local_time == "diary_time")
_SHARED_TIME = tuple(r.name for r in DECLARED if r.local_time != "diary_time")
_DUE_COLUMNS = [due_column(rhythm) for rhythm in (*_OWN_TIME, *_SHARED_TIME)]
# Plain SQL valid on SQLite and PostgreSQL alike (see bot.storage.bulk).
_UPSERT_HEAD = (
    f"INSERT INTO schedules (person_id, {', '.join(_DUE_COLUMNS)}, missed, held, updated_at)"
)
_UPSERT_ROW = f"(?, {', '.join('?' for _ in _DUE_COLUMNS)}, 0, false, ?)"
_UPSERT_TAIL = (
    "ON CONFLICT (person_id) DO UPDATE SET "
    + ", ".join(f"{column} = excluded.{column}" for column in _DUE_COLUMNS)
    + ", missed = 0, held = false, updated_at = excluded.updated_at"
)
# Marks only people whose row is there: someone created meanwhile (on PostgreSQL, in
# another transaction) stays unregistered until the next sweep picks them up.
_MARK_SQL = (
    "UPDATE people SET schedule_registered = true WHERE id BETWEEN ? AND ? "
    "AND schedule_registered = false AND EXISTS (SELECT 1 FROM schedules "
    "WHERE schedules.person_id = people.id)"
)
CHUNK = 10_000  # people per statement, so memory stays flat however many there are


def register(
    connection: Connection,
    people: Iterable[PersonCalendar],
    calendars: CalendarCache,
    periodic_time: time,
    now: datetime,
) -> int:
    """(Re)compute every rhythm of `people` from `now` on; returns how many people.

    A changed setting also lifts a diary hold (the upsert resets `missed` and `held`).
    People with the same rules share one computation (the rhythms at the periodic time do
    not depend on the diary time, so even more share those), so registering everyone at
    once costs little more than writing their rows.
    """
    people = list(people)
    if not people:
        return 0
    found = calendars.get(connection, {person.organisation_id for person in people})
    instant = instant_writer(connection)
    stamp = instant(now)
    own_dues: dict[tuple[object, ...], tuple[object, ...]] = {}
    periodic_dues: dict[tuple[object, ...], tuple[object, ...]] = {}
    rows: list[tuple[object, ...]] = []
    ids: list[int] = []
    count = 0
    for person in people:
        calendar = found.get(person.organisation_id)
        if calendar is None:
            continue
        shared = (person.organisation_id, person.timezone, person.workdays, person.status,
                  person.paused_until)
        key = (*shared, person.diary_time)
        own = own_dues.get(key)
        periodic = periodic_dues.get(shared)
        if own is None or periodic is None:
            rules = rules_for(person, calendar, periodic_time)
            if own is None:
                own = own_dues[key] = tuple(
                    instant(_at(next_due(rhythm, rules, now))) for rhythm in _OWN_TIME
                )
            if periodic is None:
                periodic = periodic_dues[shared] = tuple(
                    instant(_at(next_due(rhythm, rules, now))) for rhythm in _SHARED_TIME
                )
        rows.append((person.id, *own, *periodic, stamp))
        ids.append(person.id)
        count += 1
        if len(rows) >= CHUNK:
            _write(connection, rows, ids)
    _write(connection, rows, ids)
    return count


def _at(due: Due | None) -> datetime | None:
    return due.at if due else None


def _write(connection: Connection, rows: list[tuple[object, ...]], ids: list[int]) -> None:
    if not rows:
        return
    insert_many(connection, _UPSERT_HEAD, _UPSERT_ROW, rows, _UPSERT_TAIL)
    execute(connection, _MARK_SQL, (min(ids), max(ids)))
    rows.clear()
    ids.clear()


_PERSON_COLUMNS = (
    _people.c.id, _people.c.organisation_id, _people.c.timezone, _people.c.workdays,
    _people.c.diary_time, _people.c.status, _people.c.paused_until,
)


_UNREGISTERED = Prepared(
    select(*_PERSON_COLUMNS)
    .where(text("schedule_registered = false"))
    .order_by(_people.c.id)
    .limit(bindparam("limit", type_=Integer))
)


def unregistered(connection: Connection, limit: int) -> list[PersonCalendar]:
    """People whose schedule is not registered yet: new since the last sweep, or from
    before the scheduler existed. A partial index makes this free when there are none."""
    return [PersonCalendar(*row) for row in _UNREGISTERED.all(connection, {"limit": limit})]


def organisation_people(connection: Connection, organisation_id: int) -> list[PersonCalendar]:
    query = select(*_PERSON_COLUMNS).where(_people.c.organisation_id == organisation_id)
    return [PersonCalendar(*row) for row in connection.execute(query)]


def person_calendar(connection: Connection, person_id: int) -> PersonCalendar | None:
    row = connection.execute(select(*_PERSON_COLUMNS).where(_people.c.id == person_id)).first()
    return PersonCalendar(*row) if row else None


# Built once: every diary entry runs it.
_DIARY_WRITTEN = Prepared(
    update(_schedules)
    .where(_schedules.c.person_id == bindparam("person_id"),
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
        .values({**{due_column(rhythm): None for rhythm in RHYTHMS}, "updated_at": now})
    )
