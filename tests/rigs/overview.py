"""Someone with a month of history (focus, plan, streak, contract, a peer review), for the
overview and the home page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine

from bot.storage.models import (
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    WeeklyPlan,
)
from tests.rigs.records import add_records

THURSDAY = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def seed(database: Engine, person_id: int, *, written_today: bool) -> None:
    days = [date(2026, 3, 10), date(2026, 3, 11)] + ([date(2026, 3, 12)] if written_today else [])
    add_records(
        database,
        *(DiaryEntry(person_id=person_id, local_date=day, learning="Les.") for day in days),
        DiaryEntry(person_id=person_id, local_date=date(2026, 3, 6), learning="Eerder."),
        # An older reflection for March, then a newer one that stopped before the focus.
        MonthlyReflection(person_id=person_id, month=date(2026, 2, 1),
                          focus_month=date(2026, 3, 1), focus=["feedback", "samenwerken"]),
        MonthlyReflection(person_id=person_id, month=date(2026, 2, 1),
                          focus_month=date(2026, 3, 1), focus=[], went_well="Half af."),
        MonthlyReflection(person_id=person_id, month=date(2026, 3, 1),
                          focus_month=date(2026, 4, 1), focus=["coachen"]),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 3, 2), competence_code="coachen"),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 3, 9), competence_code="feedback",
                   situation="In het teamoverleg", moment="maandag", practised=2),
        # The week's plan revised: the latest row is the plan, the practice adds up.
        WeeklyPlan(person_id=person_id, week_start=date(2026, 3, 9), competence_code="feedback",
                   situation="In het teamoverleg", moment="dinsdagochtend", practised=1),
        LearningContract(person_id=person_id, quarter="2026-Q1", version=1, goal="Eerste."),
        LearningContract(person_id=person_id, quarter="2026-Q1", version=2,
                         goal="Elke week feedback vragen."),
        LearningContract(person_id=person_id, quarter="2025-Q4", version=3, goal="Oud."),
    )
