"""Retention: free text older than LEERCOACH_RETENTION_MONTHS is blanked by the scheduler,
the facts around it (dates, scores, choices, competence codes) stay, so counts stay right.
On SQLite always and on PostgreSQL when LEERCOACH_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from bot.config import ConfigError, Settings
from bot.privacy.retention import PURGED, cutoff, purge_free_text
from bot.runtime import Runtime, open_runtime
from bot.storage import encryption
from bot.storage.database import create_db_engine
from bot.storage.models import (
    AgendaItem,
    Base,
    CaseContribution,
    ContractResponse,
    Dialog,
    DiaryEntry,
    Experiment,
    ExperimentLog,
    IntervisionCase,
    LearningCanvas,
    LearningContract,
    MonthlyReflection,
    Organisation,
    Person,
    Team,
    WeeklyPlan,
    WorkOutcome,
    WorkSession,
    WorkSessionSeries,
    WorkshopResponse,
    WorkshopRun,
    YearlyReview,
)
from scheduler.ticks import Ticks

NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)  # 24 months back: 11 March 2024
OLD = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)  # the last day past the period
NEW = datetime(2024, 3, 11, 0, 0, tzinfo=UTC)  # the first day kept
WORDS = "Wat ik leerde"


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


def person(session: Session) -> tuple[int, int]:
    organisation = Organisation(slug="acme", name="Acme")
    session.add(organisation)
    session.flush()
    someone = Person(organisation_id=organisation.id, locale="nl", timezone="Europe/Amsterdam",
                     workdays="mon,tue,wed,thu,fri", diary_time=datetime(2026, 1, 1, 16).time())
    session.add(someone)
    session.flush()
    return organisation.id, someone.id


def records(session: Session, organisation: int, who: int, when: datetime) -> None:
    """One row of every kind holding free text, written at `when`, with its facts."""
    day = when.date()
    session.add_all([
        DiaryEntry(person_id=who, local_date=day, moments=WORDS, approach=WORDS,
                   learning=WORDS, value=4, extra={"plan_check": True, "note": WORDS},
                   created_at=when),
        WeeklyPlan(person_id=who, week_start=day, competence_code="listening",
                   situation=WORDS, approach=WORDS, moment=WORDS, learned=WORDS, practised=3,
                   created_at=when),
        MonthlyReflection(person_id=who, month=day.replace(day=1), went_well=WORDS,
                          could_be_better=WORDS, concrete_next=WORDS, contract_progress=WORDS,
                          focus=["listening"], focus_month=day.replace(day=1), created_at=when),
        YearlyReview(person_id=who, year=day.year, challenging=4, inspiring=3, rewarding=5,
                     next_step="stay", next_step_notes=WORDS, proud_of=WORDS, created_at=when),
        LearningCanvas(person_id=who, organisation_id=organisation, answers={"why": WORDS},
                       summary=WORDS, confirmed=True, correction=WORDS, plan={"y1": WORDS},
                       created_at=when),
        Dialog(person_id=who, flow_id="diary", status="completed", answers={"moments": WORDS},
               context={"weekly_plan": WORDS}, address={}, local_date=day, started_at=when,
               updated_at=when, expires_at=when, ended_at=when),
    ])
    contract = LearningContract(person_id=who, quarter="2024-Q1", version=when.day,
                                came_from=WORDS, now=WORDS, goal=WORDS, approach=WORDS,
                                evidence=WORDS, why_business=WORDS, why_team=WORDS,
                                why_personal=WORDS,
                                competences=["listening"], created_at=when)
    case = IntervisionCase(organisation_id=organisation, owner_id=who, platform="test",
                           tenant="acme", conversation="C1", story=WORDS, stuck=WORDS,
                           unsure=WORDS, question=WORDS, core_problem=WORDS,
                           commitment=WORDS, phase="closed", created_at=when)
    run = WorkshopRun(organisation_id=organisation, exercise="awareness", kind="statements",
                      item_count=2, platform="test", tenant="acme", conversation="C1",
                      locale="nl", created_at=when)
    experiment = Experiment(organisation_id=organisation, owner_id=who, title=WORDS,
                            state="ended", tried=WORDS, learned=WORDS, next_time=WORDS,
                            started_at=when)
    team = Team(organisation_id=organisation, name=f"Team {when.isoformat()}")
    session.add_all([contract, case, run, experiment, team])
    session.flush()
    series = WorkSessionSeries(organisation_id=organisation, team_id=team.id, platform="test",
                               tenant="acme", conversation="C1", weekday=1,
                               local_time=datetime(2026, 1, 1, 10).time())
    session.add(series)
    session.flush()
    work = WorkSession(series_id=series.id, starts_at=when)
    session.add(work)
    session.flush()
    session.add_all([
        ContractResponse(contract_id=contract.id, responder_id=who, response=WORDS,
                         created_at=when),
        CaseContribution(case_id=case.id, person_id=who, phase="questions", kind="question",
                         text=WORDS, created_at=when),
        WorkshopResponse(run_id=run.id, item=1, person_id=who, kind="answer", text=WORDS,
                         created_at=when),
        WorkshopResponse(run_id=run.id, item=2, person_id=who, kind="vote", value="agree",
                         created_at=when),
        ExperimentLog(experiment_id=experiment.id, person_id=who, text=WORDS, created_at=when),
        AgendaItem(session_id=work.id, proposer_id=who, kind="experiment", text=WORDS,
                   created_at=when),
        WorkOutcome(session_id=work.id, kind="decision", text=WORDS, owner_id=who,
                    status="done", note=WORDS, created_at=when),
    ])


def seeded(database: Engine) -> None:
    with Session(database) as session:
        organisation, who = person(session)
        records(session, organisation, who, OLD)
        records(session, organisation, who, NEW)
        session.commit()


def texts(database: Engine, older: bool) -> dict[str, list[Any]]:
    """Per table, every free-text value of the old (or the kept) rows, as the ORM reads it."""
    found: dict[str, list[Any]] = {}
    tables = Base.metadata.tables
    with database.connect() as connection:
        for table_name, date_name, columns in PURGED:
            table = tables[table_name]
            judged = table.c[date_name]
            edge: Any = NEW.date() if table_name == "diary_entries" else NEW
            rows = connection.execute(
                select(*(table.c[c] for c in columns))
                .where(judged < edge if older else judged >= edge)
            ).all()
            found[table_name] = [value for row in rows for value in row]
    return found


def blank(value: Any) -> bool:
    return value in (None, "", {})


# -- the cutoff -----------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "months", "first_kept"), [
    (date(2026, 3, 11), 24, date(2024, 3, 11)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2026, 1, 15), 13, date(2024, 12, 15)),
])
def test_cutoff_counts_whole_months(today: date, months: int, first_kept: date):
    assert cutoff(today, months) == first_kept


# -- the purge -----------------------------------------------------------------------------


def test_old_text_is_blanked_and_the_facts_stay(database: Engine):
    seeded(database)
    with database.begin() as connection:
        purged = purge_free_text(connection, NOW, 24)
    assert purged == len(PURGED)  # one old row of each kind (a vote holds no text)
    old, kept = texts(database, older=True), texts(database, older=False)
    assert all(blank(value) for values in old.values() for value in values), old
    assert all(values and not any(blank(v) for v in values)
               for name, values in kept.items() if name != "workshop_responses"), kept
    with Session(database) as session:
        diary = session.scalars(select(DiaryEntry).order_by(DiaryEntry.local_date)).all()
        assert [(d.local_date, d.value, d.complete) for d in diary] == [
            (OLD.date(), 4, True), (NEW.date(), 4, True)]
        assert diary[0].extra == {} and diary[1].extra["note"] == WORDS
        plan = session.scalars(select(WeeklyPlan).order_by(WeeklyPlan.id)).first()
        assert plan is not None and (plan.competence_code, plan.practised) == ("listening", 3)
        month = session.scalars(select(MonthlyReflection).order_by(MonthlyReflection.id)).first()
        assert month is not None and month.focus == ["listening"]
        year = session.scalars(select(YearlyReview).order_by(YearlyReview.id)).first()
        assert year is not None
        assert (year.challenging, year.inspiring, year.rewarding, year.next_step) == (
            4, 3, 5, "stay")
        contract = session.scalars(select(LearningContract).order_by(LearningContract.id)).first()
        assert contract is not None and contract.competences == ["listening"]
        votes = session.scalars(select(WorkshopResponse.value)
                                .where(WorkshopResponse.kind == "vote")).all()
        assert votes == ["agree", "agree"]
        outcome = session.scalars(select(WorkOutcome).order_by(WorkOutcome.id)).first()
        assert outcome is not None and (outcome.kind, outcome.status) == ("decision", "done")
        assert session.scalar(select(func.count()).select_from(DiaryEntry)) == 2


def test_a_second_purge_finds_nothing_left(database: Engine):
    seeded(database)
    with database.begin() as connection:
        assert purge_free_text(connection, NOW, 24) > 0
    with database.begin() as connection:
        assert purge_free_text(connection, NOW, 24) == 0
        # a day later, what turned 24 months old that day goes too
        assert purge_free_text(connection, NOW + timedelta(days=1), 24) == len(PURGED)


def test_zero_months_keeps_everything(database: Engine):
    seeded(database)
    before = texts(database, older=True)
    with database.begin() as connection:
        assert purge_free_text(connection, NOW, 0) == 0
    assert texts(database, older=True) == before


def test_an_open_conversation_is_never_purged(database: Engine):
    with Session(database) as session:
        _, who = person(session)
        session.add(Dialog(person_id=who, flow_id="diary", answers={"moments": WORDS},
                           address={}, local_date=OLD.date(), started_at=OLD,
                           updated_at=OLD, expires_at=NOW + timedelta(hours=1)))
        session.commit()
    with database.begin() as connection:
        assert purge_free_text(connection, NOW, 24) == 0


def test_encrypted_text_is_blanked_once(database: Engine):
    ring = encryption.KeyRing([Fernet.generate_key().decode()])
    with encryption.using(ring):
        seeded(database)
        with database.begin() as connection:
            assert purge_free_text(connection, NOW, 24) > 0
        with database.begin() as connection:
            assert purge_free_text(connection, NOW, 24) == 0
        old, kept = texts(database, older=True), texts(database, older=False)
    assert all(blank(value) for values in old.values() for value in values), old
    assert WORDS in kept["diary_entries"]


# -- the scheduler and the setting ----------------------------------------------------------


@pytest.fixture
def runtime(database: Engine, database_url: str) -> Iterator[Runtime]:
    opened = open_runtime(Settings(database_url=database_url))
    yield opened
    opened.close()


def test_the_sweep_purges_once_a_day(runtime: Runtime, database: Engine):
    seeded(database)
    ticks = Ticks(runtime, {})
    report = asyncio.run(ticks.tick(NOW))
    assert report.purged > 0
    with Session(database) as session:
        organisation = session.scalars(select(Organisation.id)).first()
        assert organisation is not None
        session.add(ExperimentLog(experiment_id=session.scalars(select(Experiment.id)).first(),
                                  person_id=session.scalars(select(Person.id)).first(),
                                  text=WORDS, created_at=OLD))
        session.commit()
    assert ticks.purge_now(NOW + timedelta(minutes=1)) == 0  # done for today
    assert ticks.purge_now(NOW + timedelta(days=1)) == len(PURGED) + 1


def test_retention_zero_turns_the_purge_off(runtime: Runtime, database: Engine):
    seeded(database)
    runtime.settings = replace(runtime.settings, retention_months=0)
    assert asyncio.run(Ticks(runtime, {}).tick(NOW)).purged == 0


def test_the_setting():
    assert Settings.from_env({}).retention_months == 24
    assert Settings.from_env({"LEERCOACH_RETENTION_MONTHS": "0"}).retention_months == 0
    assert Settings.from_env({"LEERCOACH_RETENTION_MONTHS": "36"}).retention_months == 36
    for wrong in ("-1", "twee jaar"):
        with pytest.raises(ConfigError, match="LEERCOACH_RETENTION_MONTHS"):
            Settings.from_env({"LEERCOACH_RETENTION_MONTHS": wrong})
