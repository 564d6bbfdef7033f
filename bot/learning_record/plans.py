"""Weekly plans as others read them: the plans of a span of weeks (the monthly reflection,
the yearly review, the overview) and the diary's daily check counted on the week's plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, update

from bot.storage.models import WeeklyPlan, table_of
from bot.storage.turn_store import DialogState

_plans = table_of(WeeklyPlan)


@dataclass(frozen=True, slots=True)
class Week:
    """One week's plan: its latest row (a revision adds a row), and the diary's check
    counts over every row of that week."""

    plan: Any
    ids: tuple[int, ...]
    practised: int
    checked: int


def weeks_between(connection: Connection, person_id: int, since: date, until: date) -> list[Week]:
    """The weekly plans with `since <= week_start < until`, one per week, oldest first."""
    plans = table_of(WeeklyPlan)
    rows = connection.execute(
        select(plans)
        .where(
            plans.c.person_id == person_id,
            plans.c.week_start >= since,
            plans.c.week_start < until,
        )
        .order_by(plans.c.week_start, plans.c.id)
    ).all()
    by_week: dict[date, list[Any]] = {}
    for row in rows:
        by_week.setdefault(row.week_start, []).append(row)
    return [
        Week(
            plan=week[-1],
            ids=tuple(row.id for row in week),
            practised=sum(int(row.practised or 0) for row in week),
            checked=sum(int(row.checked or 0) for row in week),
        )
        for week in by_week.values()
    ]


CHECK_STEP = "plan_check"


def record_check(connection: Connection, person_id: int, dialog: DialogState) -> bool:
    """Count the diary's answer on the plan it asked about; True when there was one."""
    answer = dialog.answers.get(CHECK_STEP)
    plan_id = dialog.context.get("weekly_plan")
    if not isinstance(answer, bool) or not isinstance(plan_id, int):
        return False
    result = connection.execute(
        update(_plans)
        .where(_plans.c.id == plan_id, _plans.c.person_id == person_id)
        .values(
            checked=_plans.c.checked + 1,
            practised=_plans.c.practised + (1 if answer else 0),
        )
    )
    return bool(result.rowcount)
