"""`overzicht` / `overview`: where someone stands in the rhythm, in one message.

The focus competences of this month (from the monthly reflection), this week's plan, the
diary streak, the goal of this quarter's learning contract and the next peer review. Every
part has an empty state that tells someone new what to type to begin.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from bot import diary
from bot.hooks import ActionCall, TurnApi, action
from bot.messages import Message, Text
from bot.prompts import PromptError
from bot.rhythm.competences import competence_names
from bot.rhythm.monthly import (
    Week,
    first_of_month,
    focus_of,
    latest_contract,
    next_month,
    quarter_of,
    short,
    weeks_between,
)
from bot.storage.models import (
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    Person,
    WeeklyPlan,
    table_of,
)


def week_plan(connection: Connection, person_id: int, today: date) -> Week | None:
    """The plan of the week `today` is in (weeks start on Monday, as weekly plans do)."""
    monday = today - timedelta(days=today.weekday())
    weeks = weeks_between(connection, person_id, monday, monday + timedelta(days=7))
    return weeks[-1] if weeks else None


def diary_streak(turn: TurnApi, today: date) -> tuple[int, bool]:
    """(workdays in a row with a diary entry, whether today's entry is still to come).

    Before today's diary is written, the streak up to yesterday still counts."""
    person = turn.person
    if diary.entries_on(turn.connection, person.id, today):
        return diary.streak(turn.connection, person.id, person.workdays, today), False
    yesterday = today - timedelta(days=1)
    return diary.streak(turn.connection, person.id, person.workdays, yesterday), True


def has_history(connection: Connection, person_id: int) -> bool:
    """Whether the person has kept anything of the rhythm yet (someone new has not)."""
    for model in (DiaryEntry, WeeklyPlan, MonthlyReflection, LearningContract):
        table = table_of(model)
        found = connection.execute(
            select(table.c.id).where(table.c.person_id == person_id).limit(1)
        ).first()
        if found is not None:
            return True
    return False


def _colleague(connection: Connection, colleague_id: int | None) -> str:
    if colleague_id is None:
        return ""
    people = table_of(Person)
    row = connection.execute(
        select(people.c.display_name).where(people.c.id == colleague_id)
    ).first()
    return row.display_name.split(" ")[0] if row and row.display_name else ""


def _open_flow(turn: TurnApi, call: ActionCall) -> str:
    dialog = call.dialog
    if dialog is None or dialog.status != "active":
        return ""
    try:
        title = turn.prompts.flow(dialog.flow_id).title
    except PromptError:
        return ""
    return turn.text(title) if title else ""


@action("overview")
def _overview(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if call.arguments:
        return None
    person = turn.person
    connection = turn.connection
    locale = turn.locale
    today = turn.local_today()
    month = first_of_month(today)

    focus = competence_names(
        connection, person.organisation_id, focus_of(connection, person.id, month), locale
    )
    coming = competence_names(
        connection,
        person.organisation_id,
        focus_of(connection, person.id, next_month(month)),
        locale,
    )
    week = week_plan(connection, person.id, today)
    plan_view: dict[str, Any] | None = None
    if week is not None:
        plan = week.plan
        names = competence_names(
            connection, person.organisation_id, [plan.competence_code or ""], locale
        )
        plan_view = {
            "competence": names[0] if names else "",
            "situation": short(plan.situation, 120),
            "approach": short(plan.approach, 120),
            "moment": short(plan.moment, 80),
            "practised": week.practised,
        }
    streak, today_open = diary_streak(turn, today)
    contract = latest_contract(connection, person.id, [quarter_of(today)])
    quarter = quarter_of(today)
    text = turn.text(
        "overview.text",
        focus=focus,
        coming_focus=coming,
        plan=plan_view,
        streak=streak,
        today_open=today_open,
        quarter=f"{quarter[5:]} {quarter[:4]}",
        contract_goal=short(contract[1], 300) if contract else "",
        has_contract=contract is not None,
        colleague=_colleague(connection, person.steady_colleague_id),
        is_new=not has_history(connection, person.id),
        open_flow=_open_flow(turn, call),
    )
    return [Text(text)]
