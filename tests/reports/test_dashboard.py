"""The dashboard's tables on hand-made data: exact numbers, suppression of small groups and
small counts, no free text anywhere, CSV, and who may see it (SQLite always, PostgreSQL
when configured)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Connection, Engine, insert
from sqlalchemy.orm import Session

from bot.organisation import goals
from bot.organisation.catalog import load_catalog
from bot.practices.contract.hooks import smart_check
from bot.reports import dashboard
from bot.reports.dashboard import MIN_GROUP, SUPPRESSED, Suppressed, Term
from bot.storage.models import (
    AgendaItem,
    CaseContribution,
    Cohort,
    Competence,
    DiaryEntry,
    Goal,
    IntervisionCase,
    LearningContract,
    MonthlyReflection,
    Organisation,
    PairingRound,
    PairMember,
    Person,
    Team,
    TeamMember,
    WeeklyPlan,
    WorkOutcome,
    WorkSession,
    WorkSessionSeries,
    table_of,
)
from tests.rigs.records import insert_row

TODAY = date(2026, 3, 11)  # a Wednesday in ISO week 11
W10, W11 = date(2026, 3, 2), date(2026, 3, 9)
JOINED = datetime(2026, 1, 1, 9, tzinfo=UTC)
SECRET = "GEHEIM"  # in every text a person or facilitator wrote that is no title
S = SUPPRESSED
NAMES = {entry["code"]: entry["name_nl"] for entry in load_catalog()}


# -- building data ---------------------------------------------------------------------------


def organisation(connection: Connection, slug: str = "acme") -> int:
    org = insert_row(connection, Organisation, slug=slug, name=slug, created_at=JOINED)
    for entry in load_catalog():
        insert_row(connection, Competence, organisation_id=org, code=entry["code"],
            discipline_nl=entry["discipline_nl"], discipline_en=entry["discipline_en"],
            name_nl=entry["name_nl"], name_en=entry["name_en"])
    return org


def people(connection: Connection, org: int, count: int, *, team: int | None = None,
           status: str = "active", workdays: str = "mon,tue,wed,thu,fri",
           created: datetime = JOINED) -> list[int]:
    found = []
    for _ in range(count):
        person = insert_row(connection, Person, organisation_id=org, display_name=f"{SECRET} naam",
                     locale="nl", timezone="Europe/Amsterdam", workdays=workdays,
                     diary_time=time(16, 30), status=status, role="participant",
                     schedule_registered=True, created_at=created)
        if team is not None:
            join(connection, team, person)
        found.append(person)
    return found


def team(connection: Connection, org: int, name: str) -> int:
    return insert_row(connection, Team, organisation_id=org, name=name, created_at=JOINED)


def join(connection: Connection, team_id: int, person: int) -> None:
    connection.execute(insert(table_of(TeamMember)).values(
        team_id=team_id, person_id=person, joined_at=JOINED))


def write(connection: Connection, person: int, *days: date) -> None:
    for day in days:
        insert_row(connection, DiaryEntry, person_id=person, local_date=day,
            moments=f"{SECRET} moment", approach=f"{SECRET} aanpak", learning=f"{SECRET} les",
            value=4, extra={"note": SECRET}, complete=True, created_at=JOINED)


def reflect(connection: Connection, person: int, focus: list[str],
            month: date = date(2026, 3, 1)) -> None:
    insert_row(connection, MonthlyReflection, person_id=person, month=date(2026, 2, 1),
        went_well=f"{SECRET} goed", could_be_better=f"{SECRET} beter",
        concrete_next=f"{SECRET} volgende", focus=focus, focus_month=month, created_at=JOINED)


def contract(connection: Connection, person: int, quarter: str, evidence: str,
             version: int = 1, goal_id: int | None = None) -> None:
    insert_row(connection, LearningContract, person_id=person, quarter=quarter, version=version,
        goal=f"{SECRET} doel", approach=f"{SECRET} aanpak", evidence=evidence,
        why_business=f"{SECRET} waarom", competences=["feedback"], goal_id=goal_id,
        share_consent=False, created_at=JOINED)


MEASURABLE = f"{SECRET}: eind maart heb ik 5 keer feedback gevraagd."
VAGUE = f"{SECRET}: als het goed voelt."


def test_the_evidence_used_here_is_judged_as_the_contract_flow_does() -> None:
    assert smart_check(MEASURABLE)["measurable"]
    assert not smart_check(VAGUE)["measurable"]


def strings(table: dashboard.Table) -> list[str]:
    return [cell for row in table.rows for cell in row if isinstance(cell, str)]


# -- privacy helpers -------------------------------------------------------------------------


def test_parts_hide_small_counts_until_what_is_hidden_adds_up_to_the_minimum() -> None:
    assert dashboard._parts([7, 4, 1]) == [7, S, S]  # 4 + 1 = 5: enough
    assert dashboard._parts([20, 12, 3]) == [20, S, S]  # 3 alone: the next smallest too
    assert dashboard._parts([6, 1, 0, 0]) == [S, S, S, S]  # 1 + 0 + 0 < 5: on to the 6
    assert dashboard._parts([5, 0, 9]) == [5, 0, 9]  # 0 counts no one
    assert dashboard._parts([2, 2]) == [S, S]


# -- diary response --------------------------------------------------------------------------


def test_diary_response_per_week_and_team_with_exact_numbers(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        other = organisation(c, "other")
        a, cteam = team(c, org, "Alfa"), team(c, org, "Charlie")
        alfa = people(c, org, 6, team=a)
        [gone] = people(c, org, 1, team=a, status="opted_out")
        charlie = people(c, org, 5, team=cteam)
        people(c, org, 1, team=cteam, created=datetime(2026, 3, 10, 8, tzinfo=UTC))  # new
        for person in [*alfa[:5], gone, *charlie]:
            write(c, person, W10 + timedelta(days=1))
        for person in alfa:
            write(c, person, W11, W11 + timedelta(days=1))
        [stranger] = people(c, other, 1)
        write(c, stranger, W10, W11)  # another organisation's diary counts nowhere here
    with db.connect() as c:
        table = dashboard.diary_response(c, org, today=TODAY, weeks=2)
        alfa_only = dashboard.diary_response(c, org, today=TODAY, team_id=a, weeks=2)
    assert [column.key for column in table.columns] == [
        "week", "team", "expected", "responded", "rate"]
    assert table.rows == (
        ("2026-W10", "Alfa", 7, 6, 0.8571),  # the one who left wrote that week: expected
        ("2026-W10", "Charlie", 5, 5, 1.0),  # the newcomer came the week after
        ("2026-W10", Term("organisation"), 12, 11, 0.9167),
        ("2026-W11", "Alfa", 6, 6, 1.0),
        ("2026-W11", "Charlie", 6, 0, 0.0),  # nobody wrote: 0 tells nothing about anyone
        ("2026-W11", Term("organisation"), 12, 6, 0.5),
    )
    assert alfa_only.rows == (("2026-W10", "Alfa", 7, 6, 0.8571),
                              ("2026-W11", "Alfa", 6, 6, 1.0))


def test_diary_response_suppresses_a_group_of_four_and_a_count_of_four(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        small, big = team(c, org, "Klein"), team(c, org, "Groot")
        middle, wide = team(c, org, "Midden"), team(c, org, "Wijd")
        four = people(c, org, 4, team=small)
        eight = people(c, org, 8, team=big)
        six = people(c, org, 6, team=middle)
        twelve = people(c, org, 12, team=wide)
        for person in [*four, *eight[:4], *six, *twelve]:  # four of the eight wrote
            write(c, person, W11)
    with db.connect() as c:
        rows = dashboard.diary_response(c, org, today=TODAY, weeks=1).rows
        alone = dashboard.diary_response(c, org, today=TODAY, team_id=small, weeks=1).rows
    assert rows == (
        ("2026-W11", "Groot", 8, S, S),  # 4 of 8 wrote: the count (and its rate) hidden
        ("2026-W11", "Klein", S, S, S),  # a group of four: nothing of it shows
        # The organisation minus the teams shown would be the team of four: the smallest
        # team shown goes too.
        ("2026-W11", "Midden", S, S, S),
        ("2026-W11", "Wijd", 12, 12, 1.0),
        ("2026-W11", Term("organisation"), 30, 26, 0.8667),
    )
    assert alone == (("2026-W11", "Klein", S, S, S),)


def test_a_small_team_inside_a_larger_one_hides_nothing_else(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        leads, big = team(c, org, "Leiding"), team(c, org, "Groot")
        members = people(c, org, 10, team=big)
        for person in members[:4]:
            join(c, leads, person)
        for person in members[:7]:
            write(c, person, W11)
    with db.connect() as c:
        rows = dashboard.diary_response(c, org, today=TODAY, weeks=1).rows
    assert rows == (("2026-W11", "Groot", 10, 7, 0.7), ("2026-W11", "Leiding", S, S, S),
                    ("2026-W11", Term("organisation"), 10, 7, 0.7))


# -- streaks ---------------------------------------------------------------------------------


def workdays_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)
            if (first + timedelta(days=i)).weekday() < 5]


def test_streak_distribution(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        everyone = people(c, org, 17)
        people(c, org, 2, status="opted_out")  # not counted
        for person in everyone[5:11]:  # six with 1-4: up to yesterday counts while today
            write(c, person, date(2026, 3, 9), date(2026, 3, 10))  # is not written yet
        for person in everyone[11:16]:  # five with 20 or more
            write(c, person, *workdays_between(date(2026, 2, 9), TODAY))  # 23 workdays
        # One with 5-9, who works on Mondays and Wednesdays only: 6 of their workdays.
        [part_time] = people(c, org, 1, workdays="mon,wed")
        write(c, part_time, *(d for d in workdays_between(date(2026, 2, 23), TODAY)
                              if d.weekday() in (0, 2)))
        write(c, everyone[16], date(2026, 3, 9))  # a gap on the 10th: 0
    with db.connect() as c:
        table = dashboard.streak_distribution(c, org, today=TODAY)
    assert [column.key for column in table.columns] == ["streak", "people", "share"]
    # 0: 6, 1-4: 6, 5-9: 1, 10-19: 0, 20+: 5 of 18. The 1 is hidden, with it the 0 of
    # 10-19 (together still 1), then the 5 of 20+ (together 6).
    assert table.rows == (
        ("0", 6, 0.3333),
        ("1–4", 6, 0.3333),
        ("5–9", S, S),
        ("10–19", S, S),
        ("20+", S, S),
        (Term("total"), 18, None),
    )


def test_streaks_of_a_team_of_four_show_nothing(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        small = team(c, org, "Klein")
        for person in people(c, org, 4, team=small):
            write(c, person, TODAY)
    with db.connect() as c:
        table = dashboard.streak_distribution(c, org, today=TODAY, team_id=small)
    assert all(cell is S for row in table.rows for cell in row[1:])


# -- peer reviews ----------------------------------------------------------------------------


def test_peer_reviews_per_round(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        small = team(c, org, "Klein")
        group = people(c, org, 12)
        for person in group[:4]:
            join(c, small, person)
        cohort = insert_row(c, Cohort, organisation_id=org, name="Servicedesk", mode="steady",
                     cadence_weeks=1, weekday=0, repair_quarterly=False, created_at=JOINED)

        def round_(number: int, starts: date, answers: list[tuple[int, int, bool | None]]
                   ) -> None:
            round_id = insert_row(c, PairingRound, cohort_id=cohort, number=number,
                                  starts_on=starts, ends_on=starts + timedelta(days=6),
                                  created_at=JOINED)
            for group_number, person, met in answers:
                c.execute(insert(table_of(PairMember)).values(
                    round_id=round_id, group_number=group_number, person_id=person, met=met))

        everyone_met = [(i // 2 + 1, p, True) for i, p in enumerate(group)]
        round_(1, date(2026, 1, 5), everyone_met)  # before the eight weeks
        # Round 2: 7 met, 4 did not, 1 did not answer (4 + 1 = 5 hidden together).
        round_(2, W10, [(i // 2 + 1, p, True if i < 7 else False if i < 11 else None)
                        for i, p in enumerate(group)])
        # Round 3: a mentor in two groups, met in one of them: met.
        round_(3, W11, [(1, group[0], True), (7, group[0], False)]
               + [(i // 2 + 1, p, i < 6) for i, p in enumerate(group) if i])
        round_(4, date(2026, 3, 16), everyone_met)  # not started yet
    with db.connect() as c:
        table = dashboard.peer_reviews(c, org, today=TODAY)
        alone = dashboard.peer_reviews(c, org, today=TODAY, team_id=small)
    assert [column.key for column in table.columns] == [
        "cohort", "round", "starts_on", "paired", "met", "not_met", "unanswered", "met_rate"]
    assert table.rows == (
        ("Servicedesk", 2, "2026-03-02", 12, 7, S, S, 0.5833),
        ("Servicedesk", 3, "2026-03-09", 12, 6, 6, 0, 0.5),
    )
    assert alone.rows == (("Servicedesk", 2, "2026-03-02", S, S, S, S, S),
                          ("Servicedesk", 3, "2026-03-09", S, S, S, S, S))


# -- focus -----------------------------------------------------------------------------------


def test_focus_distribution_this_month(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        other = organisation(c, "other")
        chose = people(c, org, 15)
        for person in chose[:5]:
            reflect(c, person, ["coachen"])  # changed their mind later: the latest counts
            reflect(c, person, ["feedback"])
        reflect(c, chose[5], ["feedback", "samenwerken"])  # two: counts for both
        for person in chose[6:10]:
            reflect(c, person, ["samenwerken"])
            reflect(c, person, ["vakmanschap"], month=date(2026, 4, 1))  # next month's
        for person in chose[10:14]:
            reflect(c, person, ["communiceren"])
        reflect(c, chose[14], ["coachen"])
        reflect(c, chose[14], [])  # stopped before choosing: the earlier choice stays
        for person in people(c, other, 6):
            reflect(c, person, ["communiceren"])
    with db.connect() as c:
        table = dashboard.focus_distribution(c, org, month=TODAY)
        english = dashboard.focus_distribution(c, org, month=TODAY, locale="en")
    assert table.rows == (
        (NAMES["feedback"], 6, 0.4),
        (NAMES["samenwerken"], 5, 0.3333),
        (NAMES["communiceren"], S, S),  # 4 people
        (NAMES["coachen"], S, S),  # 1 person
        (Term("total"), 15, None),
    )
    assert english.rows[0][0] == "Giving and receiving feedback"


def test_focus_of_fewer_than_five_shows_not_even_which_competences(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        for person in people(c, org, 4):
            reflect(c, person, ["feedback"])
    with db.connect() as c:
        table = dashboard.focus_distribution(c, org, month=TODAY)
    assert table.rows == ((Term("total"), S, S),)


# -- contracts -------------------------------------------------------------------------------


def test_contracts_per_quarter_with_a_measurable_criterion(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        signed = people(c, org, 6)
        contract(c, signed[0], "2026-Q1", VAGUE)
        contract(c, signed[0], "2026-Q1", MEASURABLE, version=2)  # the newest version
        for person in signed[1:5]:
            contract(c, person, "2026-Q1", MEASURABLE)
        contract(c, signed[5], "2026-Q1", MEASURABLE)
        contract(c, signed[5], "2026-Q1", VAGUE, version=2)
        for person in signed[:3]:
            contract(c, person, "2025-Q4", MEASURABLE)
    with db.connect() as c:
        table = dashboard.contracts_per_quarter(c, org, today=TODAY, quarters=3)
    assert [column.key for column in table.columns] == [
        "quarter", "contracts", "measurable", "measurable_share"]
    assert table.rows == (
        ("2025-Q3", 0, 0, None),
        ("2025-Q4", S, S, S),  # three contracts
        ("2026-Q1", 6, 5, 0.8333),
    )


# -- intervision and work sessions -----------------------------------------------------------


def case(c: Connection, org: int, owner: int, phase: str, closed: datetime | None,
         contributors: list[int]) -> None:
    case_id = insert_row(c, IntervisionCase, organisation_id=org, owner_id=owner, platform="test",
                  tenant="acme", conversation="C1", phase=phase, story=f"{SECRET} verhaal",
                  stuck=f"{SECRET} vast", unsure=f"{SECRET} twijfel",
                  question=f"{SECRET} vraag", core_problem=f"{SECRET} kern",
                  commitment=f"{SECRET} voornemen", in_library=True, created_at=JOINED,
                  closed_at=closed)
    for person in contributors:
        insert_row(c, CaseContribution, case_id=case_id, person_id=person, phase="questions",
            kind="question", text=f"{SECRET} bijdrage?", created_at=JOINED)


def series(c: Connection, org: int, team_id: int, *starts: datetime) -> None:
    series_id = insert_row(c, WorkSessionSeries, organisation_id=org, team_id=team_id,
                    platform="test", tenant="acme", conversation=f"C{team_id}",
                    cadence_weeks=2, weekday=3, local_time=time(14), active=False,
                    created_at=JOINED)
    for moment in starts:
        session = insert_row(c, WorkSession, series_id=series_id, starts_at=moment,
                             created_at=JOINED)
        insert_row(c, AgendaItem, session_id=session, kind="topic", text=f"{SECRET} agendapunt",
            created_at=JOINED)
        insert_row(c, WorkOutcome, session_id=session, kind="learning", text=f"{SECRET} geleerd",
            status="open", note=f"{SECRET} notitie", created_at=JOINED)


def test_practice_counts_per_month(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        a, b = team(c, org, "Alfa"), team(c, org, "Bravo")
        alfa, bravo = people(c, org, 6, team=a), people(c, org, 3, team=b)
        case(c, org, alfa[0], "closed", datetime(2026, 2, 20, 15, tzinfo=UTC), alfa[1:])
        case(c, org, bravo[0], "closed", datetime(2026, 3, 5, 15, tzinfo=UTC), bravo[1:])
        case(c, org, alfa[0], "advice", None, alfa[1:])  # still running
        case(c, org, alfa[0], "cancelled", datetime(2026, 3, 6, tzinfo=UTC), alfa[1:])
        series(c, org, a, datetime(2026, 2, 12, 13, tzinfo=UTC),
               datetime(2026, 2, 26, 13, tzinfo=UTC),
               datetime(2026, 3, 12, 13, tzinfo=UTC))  # tomorrow: not held yet
        series(c, org, b, datetime(2026, 3, 5, 13, tzinfo=UTC))
    with db.connect() as c:
        table = dashboard.practice_counts(c, org, today=TODAY, months=3)
        alfa_only = dashboard.practice_counts(c, org, today=TODAY, months=2, team_id=a)
    assert [column.key for column in table.columns] == [
        "month", "cases_closed", "sessions_held"]
    assert table.rows == (
        ("2026-01", 0, 0),
        ("2026-02", 1, 2),  # six people in the case, a team of six in the sessions
        ("2026-03", S, S),  # three took part in the case, a team of three met
    )
    assert alfa_only.rows == (("2026-02", 1, 2), ("2026-03", 0, 0))


# -- goals and KPIs --------------------------------------------------------------------------


def test_team_goals_with_targets_values_and_linked_contracts(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        a, b = team(c, org, "Alfa"), team(c, org, "Bravo")
        alfa, bravo = people(c, org, 6, team=a), people(c, org, 5, team=b)
        revenue = insert_row(c, Goal, organisation_id=org, level="business", title="Omzet",
                      description=f"{SECRET} uitleg", period="2026", active=True,
                      target=100.0, value=80.5, created_at=JOINED)
        nps = insert_row(c, Goal, organisation_id=org, team_id=a, level="team", title="NPS",
                  description="", period="2026-Q1", active=True, target=40.0, value=35.0,
                  created_at=JOINED)
        insert_row(c, Goal, organisation_id=org, team_id=b, level="team", title="Bravo-doel",
            description="", period="", active=True, created_at=JOINED)
        insert_row(c, Goal, organisation_id=org, team_id=a, level="team", title="Oud",
                   description="", period="2025", active=False, created_at=JOINED)
        for person in alfa[:5]:
            contract(c, person, "2026-Q1", MEASURABLE, goal_id=nps)
        for person in bravo[:2]:
            contract(c, person, "2026-Q1", MEASURABLE, goal_id=revenue)
        contract(c, bravo[2], "2025-Q4", MEASURABLE, goal_id=revenue)  # another quarter
    with db.connect() as c:
        table = dashboard.team_goals(c, org, today=TODAY)
        alfa_only = dashboard.team_goals(c, org, today=TODAY, team_id=a)
    assert [column.key for column in table.columns] == [
        "team", "level", "goal", "period", "target", "value", "linked_contracts"]
    assert table.rows == (
        (Term("organisation"), Term("level.business"), "Omzet", "2026", 100.0, 80.5, S),
        ("Alfa", Term("level.team"), "NPS", "2026-Q1", 40.0, 35.0, 5),
        ("Bravo", Term("level.team"), "Bravo-doel", None, None, None, 0),
    )
    assert alfa_only.rows == (
        (Term("organisation"), Term("level.business"), "Omzet", "2026", 100.0, 80.5, 0),
        ("Alfa", Term("level.team"), "NPS", "2026-Q1", 40.0, 35.0, 5),
    )


def test_in_a_quarters_last_month_a_goal_counts_each_persons_current_contract(db: Engine) -> None:
    # 11 March: the contracts written for the second quarter are the current ones; who has
    # not written theirs yet still counts with their first-quarter contract, nobody twice.
    with db.begin() as c:
        org = organisation(c)
        a = team(c, org, "Alfa")
        alfa = people(c, org, 7, team=a)
        old, new = (insert_row(c, Goal, organisation_id=org, team_id=a, level="team",
                               title=title, description="", period="2026", active=True,
                               created_at=JOINED) for title in ("Oud doel", "Nieuw doel"))
        for person in alfa:
            contract(c, person, "2026-Q1", MEASURABLE, goal_id=old)
        for person in alfa[:5]:
            contract(c, person, "2026-Q2", MEASURABLE, goal_id=new)
    with db.connect() as c:
        table = dashboard.team_goals(c, org, today=TODAY)
        april = dashboard.team_goals(c, org, today=date(2026, 4, 2))
    linked = {row[2]: row[-1] for row in table.rows}
    assert linked == {"Oud doel": S, "Nieuw doel": 5}  # 2 of 7 on the old one: too few to show
    assert {row[2]: row[-1] for row in april.rows} == {"Oud doel": 0, "Nieuw doel": 5}


def test_kpi_set_makes_a_goal_with_a_number_and_updates_it(db: Engine) -> None:
    with Session(db) as session, session.begin():
        org = session.get(Organisation, organisation(session.connection()))
        assert org is not None
        first = goals.set_kpi(session, org, name="NPS", team="Alfa", target=40, period="2026-q1")
        assert (first.created, first.team_created) == (True, True)
        again = goals.set_kpi(session, org, name=" NPS ", team="Alfa", value=35,
                              period="2026-Q1")
        assert (again.created, again.goal.id) == (False, first.goal.id)
        assert (again.goal.target, again.goal.value, again.goal.level) == (40, 35, "team")
        whole = goals.set_kpi(session, org, name="Omzet", value=1.5)
        assert (whole.goal.team_id, whole.goal.level) == (None, "business")
        with pytest.raises(goals.GoalError):
            goals.set_kpi(session, org, name="Leeg")
        with pytest.raises(goals.GoalError):
            goals.set_kpi(session, org, name="Raar", value=float("nan"))


# -- no free text, CSV, access ---------------------------------------------------------------


def test_no_free_text_in_any_table_or_csv(db: Engine) -> None:
    """Every text a person wrote holds SECRET; no table cell and no CSV line may."""
    with db.begin() as c:
        org = organisation(c)
        a = team(c, org, "Alfa")
        group = people(c, org, 8, team=a)
        for person in group:
            write(c, person, W10, W11, TODAY)
            reflect(c, person, ["feedback"])
            contract(c, person, "2026-Q1", MEASURABLE)
            insert_row(c, WeeklyPlan, person_id=person, week_start=W11, competence_code="feedback",
                situation=f"{SECRET} situatie", approach=f"{SECRET} aanpak",
                moment=f"{SECRET} moment", learned=f"{SECRET} geleerd", created_at=JOINED)
        case(c, org, group[0], "closed", datetime(2026, 3, 2, tzinfo=UTC), group[1:])
        series(c, org, a, datetime(2026, 3, 5, 13, tzinfo=UTC))
        cohort = insert_row(c, Cohort, organisation_id=org, name="Alle", mode="steady",
                     cadence_weeks=1, weekday=0, repair_quarterly=False, created_at=JOINED)
        round_id = insert_row(c, PairingRound, cohort_id=cohort, number=1, starts_on=W11,
                       ends_on=W11 + timedelta(days=6), created_at=JOINED)
        for index, person in enumerate(group):
            c.execute(insert(table_of(PairMember)).values(
                round_id=round_id, group_number=index // 2 + 1, person_id=person, met=True))
        insert_row(c, Goal, organisation_id=org, team_id=a, level="team", title="NPS",
            description=f"{SECRET} uitleg", period="2026-Q1", active=True, target=40.0,
            created_at=JOINED)
    with db.connect() as c:
        tables = [*dashboard.all_tables(c, org, today=TODAY),
                  *dashboard.all_tables(c, org, today=TODAY, team_id=a, locale="en")]
    assert all(table.rows for table in tables)
    for table in tables:
        assert not [text for text in strings(table) if SECRET in text], table.key
        for locale in ("nl", "en"):
            assert SECRET not in dashboard.to_csv(table, locale)
            assert all(SECRET not in "".join(row)
                       for row in dashboard.localize(table, locale).rows)


def test_csv_leaves_suppressed_cells_empty_and_says_why(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c)
        signed = people(c, org, 6)
        for person in signed[:5]:
            contract(c, person, "2026-Q1", MEASURABLE)
        contract(c, signed[5], "2026-Q1", VAGUE)
        for person in signed[:3]:
            contract(c, person, "2025-Q4", MEASURABLE)
        insert_row(c, Goal, organisation_id=org, level="business", title="=HYPERLINK(\"x\")",
            description="", period="", active=True, target=0.5, created_at=JOINED)
    with db.connect() as c:
        contracts = dashboard.contracts_per_quarter(c, org, today=TODAY, quarters=2)
        goal_table = dashboard.team_goals(c, org, today=TODAY)
    assert dashboard.to_csv(contracts) == (
        "Kwartaal,Leercontracten,Met meetbaar criterium,Meetbaar (aandeel) (%),Opmerking\r\n"
        "2025-Q4,,,,te weinig deelnemers\r\n"
        "2026-Q1,6,5,83.3,\r\n"
    )
    english = list(csv.reader(io.StringIO(dashboard.to_csv(contracts, "en", delimiter=";")),
                              delimiter=";"))
    assert english[0] == ["Quarter", "Learning contracts", "With a measurable criterion",
                          "Measurable (share) (%)", "Note"]
    assert english[1] == ["2025-Q4", "", "", "", "too few participants"]
    rows = list(csv.reader(io.StringIO(dashboard.to_csv(goal_table, "en"))))
    assert rows[1] == ["Whole organisation", "Business result", "'=HYPERLINK(\"x\")", "",
                       "0.5", "", "0", ""]  # a title is never a spreadsheet formula
    shown = dashboard.localize(contracts, "nl")
    assert shown.title == "Leercontracten per kwartaal"
    assert shown.rows == (("2025-Q4", "te weinig deelnemers", "te weinig deelnemers",
                           "te weinig deelnemers"), ("2026-Q1", "6", "5", "83%"))


def test_unknown_team_is_refused(db: Engine) -> None:
    with db.begin() as c:
        org, other = organisation(c), organisation(c, "other")
        theirs = team(c, other, "Hunnie")
    with db.connect() as c, pytest.raises(dashboard.DashboardError):
        dashboard.diary_response(c, org, today=TODAY, team_id=theirs)


@pytest.mark.parametrize(("role", "allowed"), [
    ("participant", False), ("manager", False), ("facilitator", True), ("admin", True)])
def test_only_facilitators_and_admins_see_the_dashboard(db: Engine, role: str,
                                                        allowed: bool) -> None:
    with db.begin() as c:
        [person] = people(c, organisation(c), 1)
        c.execute(table_of(Person).update().values(role=role))
    with db.connect() as c:
        assert dashboard.may_see_dashboard(c, person) is allowed


def test_suppressed_is_one_marker_and_the_minimum_is_five() -> None:
    assert MIN_GROUP == 5
    assert isinstance(SUPPRESSED, Suppressed) and Suppressed() == SUPPRESSED
