"""Changing an organisation's calendar: its holiday country, quiet hours and extra days off,
and moving everyone's next nudge to fit (`leercoach calendar …` and `/admin/calendar`).

A change is checked whole before it is stored (an unknown country or a window like "9-5"
is refused with the reason), and the people's schedules are recomputed in the same
transaction, so nobody is nudged on a day that has just been made a day off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Connection, delete, select, update

from bot.core.text_input import clean_text
from bot.due import schedule_store
from bot.due.calendar import CalendarError, check_country, parse_quiet_hours
from bot.due.organisation_calendar import CalendarCache
from bot.storage.models import DayOff, Organisation, table_of

DAY_NAME_LIMIT = 200
NONE_WORDS = ("", "none", "geen")
_organisations = table_of(Organisation)
_days_off = table_of(DayOff)


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    holiday_country: str | None
    quiet_hours: str
    days_off: tuple[tuple[date, str], ...]


def calendar_of(connection: Connection, organisation_id: int) -> CalendarSettings:
    row = connection.execute(
        select(_organisations.c.holiday_country, _organisations.c.quiet_hours)
        .where(_organisations.c.id == organisation_id)).one()
    days = tuple((found.day, found.name) for found in connection.execute(
        select(_days_off.c.day, _days_off.c.name)
        .where(_days_off.c.organisation_id == organisation_id).order_by(_days_off.c.day)))
    return CalendarSettings(row.holiday_country, row.quiet_hours, days)


def set_calendar(connection: Connection, organisation_id: int, *,
                 holidays: str | None = None, quiet_hours: str | None = None) -> None:
    """The holiday country ("none": no public holidays) and/or the quiet hours ("none":
    nudges at any hour); both are checked before either is stored."""
    values: dict[str, str | None] = {}
    if holidays is not None:
        values["holiday_country"] = (None if holidays.strip().lower() in NONE_WORDS
                                     else check_country(holidays))
    if quiet_hours is not None:
        values["quiet_hours"] = str(parse_quiet_hours(quiet_hours))
    if values:
        connection.execute(update(_organisations)
                           .where(_organisations.c.id == organisation_id).values(**values))


def add_day_off(connection: Connection, organisation_id: int, day: date,
                name: str = "") -> None:
    """An extra day without nudges (its name updated when it is one already)."""
    cleaned = " ".join(clean_text(name).split())
    if len(cleaned) > DAY_NAME_LIMIT:
        raise CalendarError(f"a day's name is at most {DAY_NAME_LIMIT} characters")
    found = connection.execute(select(_days_off.c.name).where(
        _days_off.c.organisation_id == organisation_id, _days_off.c.day == day)).first()
    if found is None:
        connection.execute(_days_off.insert().values(organisation_id=organisation_id,
                                                     day=day, name=cleaned))
    elif cleaned:
        connection.execute(update(_days_off).where(
            _days_off.c.organisation_id == organisation_id, _days_off.c.day == day
        ).values(name=cleaned))


def remove_day_off(connection: Connection, organisation_id: int, day: date) -> bool:
    changed = connection.execute(delete(_days_off).where(
        _days_off.c.organisation_id == organisation_id, _days_off.c.day == day))
    return changed.rowcount == 1


def reschedule(connection: Connection, organisation_id: int, calendars: CalendarCache,
               periodic_time: time, now: datetime) -> int:
    """Everyone's next nudge recomputed on the calendar as it is now (this process forgets
    the calendar it had cached; other replicas pick it up within a minute)."""
    calendars.forget()
    people = schedule_store.organisation_people(connection, organisation_id)
    return schedule_store.register(connection, people, calendars, periodic_time, now)
