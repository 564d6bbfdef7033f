"""What the top of a person's own page (/me) shows besides the engine's overview: a year of
diary days as a calendar, and when the coach will next write to them.

Everything here is read for ONE person id, like `personal_page`; who that may be is the
caller's decision. Only dates and counts: no free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, select

from bot.core.messages import Address
from bot.due.rhythms import RHYTHMS
from bot.due.schedule_store import due_column
from bot.storage.models import DiaryEntry, Identity, Person, Schedule, table_of

CALENDAR_WEEKS = 53  # a year, whole weeks from Monday

_entries = table_of(DiaryEntry)
_schedules = table_of(Schedule)
_identities = table_of(Identity)
_people = table_of(Person)


def chat_address(connection: Connection, person_id: int) -> Address | None:
    """The person's most recently used chat account, to ask the engine for their overview
    (the same one Slack's App Home shows); None when they have none."""
    row = connection.execute(
        select(_identities.c.platform, _identities.c.tenant, _identities.c.external_id,
               _identities.c.conversation)
        .where(_identities.c.person_id == person_id)
        .order_by(_identities.c.last_seen_at.desc(), _identities.c.id.desc()).limit(1)).first()
    return Address(row.platform, row.tenant, row.external_id, row.conversation) if row else None


def timezone_of(connection: Connection, person_id: int) -> str:
    """The person's own time zone: their days turn at their midnight."""
    found = connection.execute(
        select(_people.c.timezone).where(_people.c.id == person_id)).scalar()
    return str(found) if found else "Europe/Amsterdam"


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    entries: int  # diary entries written that (local) day
    in_range: bool  # False: after today (the last week's remaining days)


@dataclass(frozen=True, slots=True)
class DiaryCalendar:
    """A year of diary days as weeks (columns) of seven days, Monday first."""

    first: date
    last: date
    weeks: tuple[tuple[CalendarDay, ...], ...]

    @property
    def written(self) -> int:
        """Days in the range with at least one entry."""
        return sum(1 for week in self.weeks for day in week if day.in_range and day.entries)

    @property
    def months(self) -> tuple[tuple[date, int], ...]:
        """(first of the month, days written) for each month in the range, oldest first:
        the calendar said in words."""
        found: dict[date, int] = {}
        for week in self.weeks:
            for day in week:
                if day.in_range and day.day >= self.first:
                    month = day.day.replace(day=1)
                    found[month] = found.get(month, 0) + (1 if day.entries else 0)
        return tuple(found.items())

    @property
    def month_starts(self) -> tuple[tuple[int, date], ...]:
        """(week index, first of the month) for each week a month begins in: the labels."""
        found = []
        for index, week in enumerate(self.weeks):
            first = next((day.day for day in week if day.day.day == 1 and day.in_range), None)
            if first is not None:
                found.append((index, first))
        return tuple(found)


def diary_calendar(connection: Connection, person_id: int, today: date) -> DiaryCalendar:
    """The 53 weeks up to and including `today`'s week, with the entries of each day."""
    last_monday = today - timedelta(days=today.weekday())
    first = last_monday - timedelta(weeks=CALENDAR_WEEKS - 1)
    counts = {
        row.local_date: int(row.entries)
        for row in connection.execute(
            select(_entries.c.local_date, func.count().label("entries"))
            .where(_entries.c.person_id == person_id, _entries.c.local_date >= first,
                   _entries.c.local_date <= today)
            .group_by(_entries.c.local_date))
    }
    weeks = tuple(
        tuple(
            CalendarDay(day, counts.get(day, 0), day <= today)
            for day in (first + timedelta(weeks=week, days=offset) for offset in range(7))
        )
        for week in range(CALENDAR_WEEKS)
    )
    return DiaryCalendar(first, today, weeks)


@dataclass(frozen=True, slots=True)
class NextNudge:
    rhythm: str  # diary, weekplan, month, contract, year (bot.due.rhythms)
    at: datetime  # UTC


def next_nudge(connection: Connection, person_id: int, now: datetime) -> NextNudge | None:
    """The first rhythm the scheduler will next nudge the person for, from their schedule
    row; None when nothing is planned (paused for good, opted out, not registered yet)."""
    row = connection.execute(
        select(*(_schedules.c[due_column(rhythm)] for rhythm in RHYTHMS))
        .where(_schedules.c.person_id == person_id)).first()
    if row is None:
        return None
    coming = [
        NextNudge(rhythm, _utc(at)) for rhythm, at in zip(RHYTHMS, row, strict=True)
        if at is not None and _utc(at) >= _utc(now)
    ]
    return min(coming, key=lambda nudge: nudge.at) if coming else None


def _utc(at: datetime) -> datetime:
    """Instants are stored in UTC, naive on SQLite: compare them as aware UTC."""
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
