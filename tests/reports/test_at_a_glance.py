"""bot.reports.at_a_glance: headline figures read from the dashboard's own tables, so a
hidden number stays hidden and a change is only given between two shown numbers."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.people.directory import default_organisation
from bot.reports.at_a_glance import Headline, headlines, periods, too_small
from bot.reports.dashboard import SUPPRESSED, Column, Table, Term
from bot.storage.models import Person, Team, TeamMember
from tests.rigs.records import add_records

S = SUPPRESSED
ORGANISATION = Term("organisation")


def diary(*rows: tuple[object, ...]) -> Table:
    return Table("diary_response", (
        Column("week", "label"), Column("team", "label"), Column("expected", "count"),
        Column("responded", "count"), Column("rate", "rate")), rows)  # type: ignore[arg-type]


def test_this_week_against_last_week_for_the_whole_organisation() -> None:
    table = diary(
        ("2026-W10", "Sales", 6, 3, 0.5), ("2026-W10", ORGANISATION, 20, 10, 0.5),
        ("2026-W11", "Sales", 6, 6, 1.0), ("2026-W11", ORGANISATION, 20, 15, 0.75),
    )
    rate, writers = headlines((table,), team_id=None)
    assert rate == Headline("diary_rate", "rate", "week", "2026-W11", 0.75, 0.5)
    assert rate.change == 25.0  # percentage points
    assert writers.value == 15 and writers.change == 5


def test_a_hidden_figure_stays_hidden_and_has_no_change() -> None:
    table = diary(("2026-W10", "Directie", 4, 2, S), ("2026-W11", "Directie", S, S, S))
    rate, writers = headlines((table,), team_id=7)  # one team: its rows are the figures
    assert rate.hidden and rate.value is S and rate.change is None
    assert writers.hidden and writers.change is None
    # Shown now, hidden before: still no change, which would give the hidden one away
    table = diary(("2026-W10", "Sales", S, S, S), ("2026-W11", "Sales", 6, 6, 1.0))
    rate, _ = headlines((table,), team_id=7)
    assert not rate.hidden and rate.value == 1.0 and rate.change is None


def test_practice_adds_cases_and_sessions_but_a_hidden_part_hides_the_sum() -> None:
    practice = Table("practice", (Column("month", "label"), Column("cases_closed", "number"),
                                  Column("sessions_held", "number")),
                     (("2026-02", 2, 3), ("2026-03", 1, S)))
    [figure] = headlines((practice,), team_id=None)
    assert figure.key == "practice" and figure.versus == "month"
    assert figure.hidden and figure.previous == 5 and figure.change is None
    practice = Table("practice", practice.columns, (("2026-02", 2, 3), ("2026-03", 1, 1)))
    [figure] = headlines((practice,), team_id=None)
    assert figure.value == 2 and figure.change == -3


def test_the_periods_the_tables_cover() -> None:
    contracts = Table("contracts", (Column("quarter", "label"),), (("2025-Q2",), ("2026-Q1",)))
    found = periods((contracts,), date(2026, 3, 11))
    assert found.diary_from == date(2026, 1, 19)  # the Monday eight weeks back
    assert found.quarters == ("2025-Q2", "2026-Q1") and found.months == ("", "")


def test_a_scope_under_five_people_is_too_small(database: Engine, settings: Settings) -> None:
    with Session(database) as session, session.begin():
        organisation = default_organisation(session, settings).id
    people = add_records(database, *(
        Person(organisation_id=organisation, display_name=f"P{i}", locale="nl",
               timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri",
               diary_time=time(16, 30),
               status="deleted" if i == 5 else "active")
        for i in range(6)))
    [small, big] = add_records(database, Team(organisation_id=organisation, name="Klein"),
                               Team(organisation_id=organisation, name="Groot"))
    with Session(database) as session, session.begin():
        session.add_all([*(TeamMember(team_id=small, person_id=p) for p in people[:4]),
                         *(TeamMember(team_id=big, person_id=p) for p in people[:6])])
    with database.connect() as connection:
        assert too_small(connection, organisation, small) == 4
        assert too_small(connection, organisation, big) is None
        assert too_small(connection, organisation, None) is None  # five living people
