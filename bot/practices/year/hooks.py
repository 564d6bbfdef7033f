"""The yearly review (seed 004): the basic choices a professional makes once a year.

Is my job still challenging, inspiring, rewarding? Is it time for a next step, within my
job, within the organisation, or elsewhere? The review starts with a summary of the
person's year, and the first review of a year in an organisation prompts its facilitators
to organise a learning-organisation day.

The year reviewed is the calendar year of the person's local date, except in January, when
it is the year just past (a review in the first days of a new year looks back, not ahead).

Only a completed review is stored as a YearlyReview (the answers of an unfinished one stay
in its dialog): that is what lets "no earlier review of this year in the organisation"
mean "the facilitators have not been asked yet", without a table of its own.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import Connection, func, insert, select

from bot.core.registry import Completion, PracticeHooks, Start
from bot.core.text_input import short
from bot.learning_record.plans import weeks_between
from bot.organisation.competences import competence_names
from bot.storage.models import (
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    Person,
    YearlyReview,
    table_of,
)

hooks = PracticeHooks("year")

NEXT_STEPS = ("stay", "within_job", "within_organisation", "elsewhere")
FACILITATOR_ROLES = ("facilitator", "admin")
MAX_FOCUS = 6


def review_year(local_date: date) -> int:
    return local_date.year - 1 if local_date.month == 1 else local_date.year


def year_summary(
    connection: Connection, person_id: int, organisation_id: int, year: int, locale: str
) -> dict[str, Any]:
    """The person's year in numbers and names, as JSON values for the dialog's context."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    entries = table_of(DiaryEntry)
    diary_count = connection.execute(
        select(func.count()).where(
            entries.c.person_id == person_id,
            entries.c.local_date >= start,
            entries.c.local_date < end,
        )
    ).scalar_one()

    reflections = table_of(MonthlyReflection)
    rows = connection.execute(
        select(reflections.c.month, reflections.c.focus_month, reflections.c.focus).where(
            reflections.c.person_id == person_id,
            reflections.c.focus_month >= start,
            reflections.c.month < end,
        )
    ).all()
    reflected = {row.month for row in rows if start <= row.month < end}
    focused: Counter[str] = Counter()
    for row in rows:
        if start <= row.focus_month < end:
            focused.update(code for code in (row.focus or []) if isinstance(code, str))

    weeks = [week.plan for week in weeks_between(connection, person_id, start, end)]
    focused.update(plan.competence_code for plan in weeks if plan.competence_code)
    codes = [code for code, _ in focused.most_common(MAX_FOCUS)]

    contracts = table_of(LearningContract)
    contract_rows = connection.execute(
        select(contracts.c.quarter, contracts.c.goal)
        .where(contracts.c.person_id == person_id, contracts.c.quarter.like(f"{year}-Q%"))
        .order_by(contracts.c.quarter, contracts.c.version)
    ).all()
    quarters = list(dict.fromkeys(row.quarter[5:] for row in contract_rows))
    return {
        "year": year,
        "diary_count": int(diary_count),
        "reflection_count": len(reflected),  # months reflected on
        "focus": competence_names(connection, organisation_id, codes, locale),
        "plan_count": len(weeks),
        # A plan marked done is told by the plan of the week after it.
        "plans_done": sum(1 for plan in weeks if plan.follows == "done"),
        "contract_quarters": quarters,
        "last_goal": short(contract_rows[-1].goal, 200) if contract_rows else "",
    }


@hooks.on_start("year")
def _summary(start: Start) -> dict[str, Any]:
    person = start.person
    year = review_year(start.local_date)
    return year_summary(
        start.connection, person.id, person.organisation_id, year, start.turn.locale
    )


def _score(answers: dict[str, Any], key: str) -> int | None:
    value = answers.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(answers: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = answers.get(key)
        if isinstance(value, str) and value:
            return value
    return None


@hooks.on_complete("yearly_review")
def _store(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    answers = dict(dialog.answers)
    person = done.person
    context_year = dialog.context.get("year")
    year = context_year if isinstance(context_year, int) else review_year(dialog.local_date)
    next_step = answers.get("next_step")
    scores = {key: _score(answers, key) for key in ("challenging", "inspiring", "rewarding")}
    reviews = table_of(YearlyReview)
    review_id = done.connection.execute(
        insert(reviews)
        .values(
            person_id=person.id,
            dialog_id=dialog.id,
            year=year,
            **scores,
            next_step=next_step if next_step in NEXT_STEPS else None,
            next_step_notes=_text(answers, "step_notes", "stay_notes"),
            proud_of=_text(answers, "proud_of"),
            created_at=done.now,
        )
        .returning(reviews.c.id)
    ).scalar_one()
    organise_day = False
    if _first_of_year(done.connection, person.organisation_id, year, review_id):
        organise_day = _prompt_facilitators(done, year)
    return {
        "year": year,
        "next_step": next_step,
        "low": sum(1 for score in scores.values() if score is not None and score <= 2),
        "organise_day": organise_day,
    }


def _first_of_year(connection: Connection, organisation_id: int, year: int, review_id: int) -> bool:
    """Whether no one else in the organisation completed a review of `year` before this one."""
    reviews, people = table_of(YearlyReview), table_of(Person)
    earlier = connection.execute(
        select(reviews.c.id)
        .join(people, people.c.id == reviews.c.person_id)
        .where(
            people.c.organisation_id == organisation_id,
            reviews.c.year == year,
            reviews.c.id != review_id,
        )
        .limit(1)
    ).first()
    return earlier is None


def _prompt_facilitators(done: Completion, year: int) -> bool:
    """Ask the organisation's facilitators to organise a learning-organisation day; returns
    whether the person themselves is one (they are then asked in their own outro).

    The message names no one: who reviewed their year, and how, is theirs alone."""
    people = table_of(Person)
    today = done.turn.local_today()
    rows = done.connection.execute(
        select(people.c.id, people.c.paused_until).where(
            people.c.organisation_id == done.person.organisation_id,
            people.c.role.in_(FACILITATOR_ROLES),
            people.c.status.in_(("active", "paused")),  # not who opted out
        )
    ).all()
    own = False
    for row in rows:
        if row.id == done.person.id:
            own = True
        elif row.paused_until is None or row.paused_until <= today:  # no nudges in a pause
            done.turn.tell(row.id, "year.facilitator_prompt", year=year)
    return own
