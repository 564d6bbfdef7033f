"""bot.reports.my_overview: a year of one person's diary days, and their next nudge."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import Engine, insert
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.people.directory import default_organisation
from bot.reports.my_overview import CALENDAR_WEEKS, diary_calendar, next_nudge
from bot.storage.models import DiaryEntry, Person, Schedule, table_of
from tests.rigs.records import add_records

TODAY = date(2026, 3, 11)  # a Wednesday


def two_people(database: Engine, settings: Settings) -> list[int]:
    with Session(database) as session, session.begin():
        organisation = default_organisation(session, settings).id
    return add_records(database, *(
        Person(organisation_id=organisation, display_name=name, locale="nl",
               timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri",
               diary_time=time(16, 30)) for name in ("Anna", "Bob")))


def test_a_year_of_diary_days_of_one_person(database: Engine, settings: Settings) -> None:
    anna, bob = two_people(database, settings)
    add_records(
        database,
        DiaryEntry(person_id=anna, local_date=TODAY, learning="a"),
        DiaryEntry(person_id=anna, local_date=TODAY, learning="b"),  # twice the same day
        DiaryEntry(person_id=anna, local_date=date(2026, 3, 2), learning="c"),
        DiaryEntry(person_id=anna, local_date=date(2025, 3, 9), learning="too old"),
        DiaryEntry(person_id=bob, local_date=date(2026, 3, 10), learning="Bob's"),
    )
    with database.connect() as connection:
        calendar = diary_calendar(connection, anna, TODAY)
    assert len(calendar.weeks) == CALENDAR_WEEKS and all(len(w) == 7 for w in calendar.weeks)
    assert calendar.first == date(2025, 3, 10) and calendar.first.weekday() == 0
    days = {day.day: day for week in calendar.weeks for day in week}
    assert days[TODAY].entries == 2 and days[date(2026, 3, 2)].entries == 1
    assert days[date(2026, 3, 10)].entries == 0  # Bob's day is not Anna's
    assert not days[date(2026, 3, 12)].in_range  # the rest of this week is still to come
    assert calendar.written == 2
    assert dict(calendar.months)[date(2026, 3, 1)] == 2
    assert dict(calendar.months)[date(2025, 3, 1)] == 0
    assert (52, date(2026, 3, 1)) not in calendar.month_starts  # March began in week 51
    assert any(first == date(2026, 3, 1) for _, first in calendar.month_starts)


def test_the_next_nudge_is_the_first_rhythm_still_to_come(
        database: Engine, settings: Settings) -> None:
    anna, bob = two_people(database, settings)
    now = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)
    with database.begin() as connection:
        assert next_nudge(connection, anna, now) is None  # no schedule row yet
        connection.execute(insert(table_of(Schedule)).values(
            person_id=anna, diary_due_at=datetime(2026, 3, 11, 14, 0, tzinfo=UTC),  # past
            weekplan_due_at=datetime(2026, 3, 16, 8, 30, tzinfo=UTC),
            month_due_at=datetime(2026, 3, 12, 8, 30, tzinfo=UTC),
            contract_due_at=None, year_due_at=None, updated_at=now))
        found = next_nudge(connection, anna, now)
        assert next_nudge(connection, bob, now) is None
    assert found is not None and found.rhythm == "month"
    assert found.at == datetime(2026, 3, 12, 8, 30, tzinfo=UTC)
