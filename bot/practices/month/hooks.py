"""The monthly self-reflection (seed 004): an hour alone, looking back, choosing a focus.

Which month is reflected on, and which month the focus is for, follows from the person's
local date when the reflection starts (it is kept in the dialog's context, so finishing
after midnight changes nothing):

- until the last week of a month (the scheduler starts it on the first workday), the
  person looks back on the month just past and chooses the focus for the current month;
- in the last seven days of a month, they look back on the month that is ending and choose
  the focus for the next one (someone preparing ahead).

The digest of the reflected month (diary entries with their one-sentence lessons, the
weekly plans and what became of them) and the goal of the current learning contract are
computed when the flow starts and shown in its intro.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import Connection, func, insert, select

from bot.core.date_phrases import month_label
from bot.core.registry import Completion, PracticeHooks, Start, TurnApi
from bot.core.text_input import short
from bot.learning_record.contracts import latest_contract
from bot.learning_record.focus import focus_of
from bot.learning_record.periods import (
    contract_quarters,
    first_of_month,
    next_month,
    planned_quarter,
    previous_month,
    quarter_label,
    quarter_of,
)
from bot.learning_record.plans import weeks_between
from bot.organisation import community_sessions
from bot.organisation.competences import catalog, competence_names
from bot.people.directory import dm_address
from bot.storage.models import (
    CommunitySession,
    DiaryEntry,
    MonthlyReflection,
    WeeklyPlan,
    table_of,
)

hooks = PracticeHooks("month")

LOOK_AHEAD_DAYS = 7  # within this many days of a month's end, the focus is for the next month
MAX_LESSONS = 5
MAX_PLANS = 6


# -- the months reflected on ----------------------------------------------------------------


def reflection_months(local_date: date) -> tuple[date, date]:
    """(the month reflected on, the month the focus is for), both as their first day."""
    this_month = first_of_month(local_date)
    following = next_month(this_month)
    if (following - local_date).days <= LOOK_AHEAD_DAYS:
        return this_month, following
    return previous_month(this_month), this_month


def local_datetime(moment: datetime, timezone: str) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(timezone))
    except (KeyError, ValueError):
        return moment


# -- the digest of a month -------------------------------------------------------------------


def month_digest(
    connection: Connection, person_id: int, organisation_id: int, month: date, locale: str
) -> dict[str, Any]:
    """What happened in `month`: diary entries and lessons, weekly plans and their outcome.

    Only JSON values, as it goes into the dialog's context.
    """
    end = next_month(month)
    entries = table_of(DiaryEntry)
    in_month = (
        entries.c.person_id == person_id,
        entries.c.local_date >= month,
        entries.c.local_date < end,
    )
    diary_count = connection.execute(select(func.count()).where(*in_month)).scalar_one()
    lessons = [
        short(row.learning)
        for row in connection.execute(
            select(entries.c.learning)
            .where(*in_month, entries.c.learning.is_not(None), entries.c.learning != "")
            .order_by(entries.c.local_date.desc(), entries.c.id.desc())
            .limit(MAX_LESSONS)
        )
    ]
    lessons.reverse()  # oldest first, the way the month went
    return {
        "diary_count": int(diary_count),
        "lessons": lessons,
        "plans": _plans(connection, person_id, organisation_id, month, end, locale),
    }


def _plans(
    connection: Connection,
    person_id: int,
    organisation_id: int,
    month: date,
    end: date,
    locale: str,
) -> list[dict[str, Any]]:
    weeks = weeks_between(connection, person_id, month, end)[-MAX_PLANS:]
    plans = table_of(WeeklyPlan)
    ids = [plan_id for week in weeks for plan_id in week.ids]
    # What became of a plan is told by the plan that followed it (continue/adjust/done).
    outcomes: dict[int, Any] = {}
    if ids:
        for row in connection.execute(
            select(plans.c.previous_id, plans.c.week_start, plans.c.follows, plans.c.learned)
            .where(plans.c.previous_id.in_(ids))
            .order_by(plans.c.id)
        ):
            outcomes[row.previous_id] = row
    codes = list(dict.fromkeys(w.plan.competence_code for w in weeks if w.plan.competence_code))
    by_code = dict(
        zip(codes, competence_names(connection, organisation_id, codes, locale), strict=True)
    )
    digest = []
    for week in weeks:
        plan = week.plan
        followed = [
            outcomes[i] for i in week.ids
            if i in outcomes and outcomes[i].week_start > plan.week_start
        ]
        outcome = followed[-1] if followed else None
        digest.append(
            {
                "week": format_date(plan.week_start, "d MMMM", locale=locale),
                "competence": by_code.get(plan.competence_code or "", ""),
                "situation": short(plan.situation, 100),
                "practised": week.practised,
                "checked": week.checked,
                "follows": outcome.follows if outcome is not None else None,
                "learned": short(outcome.learned) if outcome is not None else "",
            }
        )
    return digest


def next_community_session(
    connection: Connection, organisation_id: int, now: datetime
) -> dict[str, Any] | None:
    sessions = table_of(CommunitySession)
    row = connection.execute(
        select(sessions.c.id, sessions.c.title, sessions.c.starts_at, sessions.c.location)
        .where(sessions.c.organisation_id == organisation_id, sessions.c.starts_at > now)
        .order_by(sessions.c.starts_at)
        .limit(1)
    ).first()
    if row is None:
        return None
    return {"id": row.id, "title": row.title, "starts_at": row.starts_at,
            "location": row.location or ""}


def offer_signup(turn: TurnApi, session_id: int) -> None:
    """The sign-up buttons after a text that points to a session (the monthly reflection),
    in the person's DM."""
    session = community_sessions.find(turn.connection, session_id, turn.person.organisation_id)
    if session is not None:
        question = community_sessions.session_question(turn, session, "community.offer")
        turn.post(dm_address(turn.person), question)


# -- hooks -----------------------------------------------------------------------------------


@hooks.on_start("month")
def _digest(start: Start) -> dict[str, Any]:
    person = start.person
    locale = start.turn.locale
    month, focus_month = reflection_months(start.local_date)
    digest = month_digest(start.connection, person.id, person.organisation_id, month, locale)
    month_focus = focus_of(start.connection, person.id, month)
    # The contract the person works on now (or the coming quarter's, once written); early
    # in a quarter, before a new one is made, the one of the quarter just reflected on.
    contract = latest_contract(
        start.connection, person.id, [*contract_quarters(start.local_date), quarter_of(month)]
    )
    return {
        "month": month.isoformat(),
        "focus_month": focus_month.isoformat(),
        "month_name": month_label(month, locale),
        "focus_month_name": month_label(focus_month, locale),
        **digest,
        "has_contract": contract is not None,
        "contract_quarter": contract[0] if contract else "",
        "contract_goal": short(contract[1], 300) if contract else "",
        # the quarter a contract written now would plan (the coming one in a quarter's last month)
        "plan_quarter_label": quarter_label(planned_quarter(start.local_date)),
        "has_catalog": bool(catalog(start.connection, person.organisation_id)),
        "month_focus": competence_names(
            start.connection, person.organisation_id, month_focus, locale
        ),
        # What the person worked on last month comes first in the list, to continue with.
        "competences_first": _worked_on(start.connection, person.id, month, month_focus),
    }


def _worked_on(connection: Connection, person_id: int, month: date, focus: list[str]) -> list[str]:
    """`focus` (chosen for `month`), then the competences of that month's weekly plans."""
    plans = [
        week.plan.competence_code
        for week in reversed(weeks_between(connection, person_id, month, next_month(month)))
        if week.plan.competence_code
    ]
    return list(dict.fromkeys([*focus, *plans]))


def _text(answers: dict[str, Any], key: str) -> str | None:
    value = answers.get(key)
    return value if isinstance(value, str) and value else None


@hooks.on_complete("monthly_reflection")
def _store(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    answers = dict(dialog.answers)
    context = dialog.context
    fallback = reflection_months(dialog.local_date)
    month = _iso_date(context.get("month")) or fallback[0]
    focus_month = _iso_date(context.get("focus_month")) or fallback[1]
    focus_answer = answers.get("focus")
    focus = [str(code) for code in focus_answer][:2] if isinstance(focus_answer, list) else []
    done.connection.execute(
        insert(table_of(MonthlyReflection)).values(
            person_id=done.person.id,
            dialog_id=dialog.id,
            month=month,
            went_well=_text(answers, "went_well"),
            could_be_better=_text(answers, "could_be_better"),
            concrete_next=_text(answers, "concrete_next"),
            contract_progress=_text(answers, "contract_progress"),
            focus=focus,
            focus_month=focus_month,
            created_at=done.now,
        )
    )
    if done.partial:
        return {}
    locale = done.turn.locale
    person = done.person
    session = next_community_session(done.connection, person.organisation_id, done.now)
    variables: dict[str, Any] = {
        "focus": competence_names(done.connection, person.organisation_id, focus, locale),
        "focus_month_name": month_label(focus_month, locale),
        "concrete_next": _text(answers, "concrete_next") or "",
        "session": None,
    }
    if session is not None:
        starts = local_datetime(session["starts_at"], person.timezone)
        variables["session"] = {
            "title": session["title"],
            "date": starts.date(),
            "time": starts.strftime("%H:%M"),
            "location": session["location"],
        }
        offer_signup(done.turn, session["id"])  # "Ik doe mee" under the pointer
    return variables


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
