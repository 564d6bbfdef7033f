"""The weekly PDCA plan (seed 004): Plan, Do, Check in the daily diary, Act next week.

Plan. `weekplan` / `plan` (or the scheduler, or the weekly peer review) starts the flow
`weekplan`: which competence this week (from the organisation's catalog, this month's focus
on top), in which situation, how will I develop it, and when will I try it. The plan is
stored as a `WeeklyPlan` for the Monday of the person's local week.

SMART feedback. The answers to "how" and "when" get one short question back when they lack
something, at most once per plan (the engine shows a review once per step and accepts the
next answer, or keeps the first on "ok"; the "when" review stays silent when the "how" one
already spoke). The heuristics are deliberately simple and read Dutch and English alike:

- observable: the "how" names a count (a digit, a number word such as *drie* / *three*,
  *keer* / *times*, *minstens* / *at least*, *elke* / *every*) or a verb of doing whose
  result someone can see or hear (*vragen stellen*, *noteren*, *samenvatten*, *benoemen*,
  *feedback geven*, *ask*, *write down*, *summarise*, *share* …). "Beter luisteren" or
  "be more aware" has neither, and gets "how will you see that it worked?".
- a moment: the "when" (or the "how") names a weekday, a date or time of day, a relative
  day (*morgen*, *vandaag*, *vanmiddag*, *tomorrow*, *tonight*), a part of the day, a
  recurring moment (*elke ochtend*, *every day*), a meeting or conversation (*overleg*,
  *klantgesprek*, *stand-up*, *1-op-1*, *meeting*, *call*) or a trigger (*volgende keer*,
  *zodra*, *next time*, *as soon as*). "Deze week" alone is no moment and gets "when will
  you try it?".

Act. When the person had a plan in an earlier week (the latest one within
`LOOKBACK_WEEKS`; a plan that nothing followed up yet), the flow starts from it: the intro
shows it with the diary's count of days practised, asks what was learned, then continue /
adjust / done. *Continue* keeps competence, situation and approach and only asks for this
week's moment; *adjust* asks all four again, and *zelfde* / *same* keeps an answer as it was;
*done* starts a fresh plan. The new plan stores `follows`, `learned` and `previous_id`.

One plan per week. Starting the flow again in a week that has a plan offers to revise it;
the revision is stored as a new row for the same week (the latest row is the week's plan),
carrying over what it followed, so the earlier version stays. The diary's check counts stay
on the row they were made for.

Check. When the person has a plan this week, the diary asks (once a day) whether they got
to practise it (`when = { context = "weekly_plan" }` in `diary.toml`); the answer is kept in
the diary entry and counted on the plan (`checked`, `practised`), see
bot/learning_record/plans.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from bot.core import smart
from bot.core.registry import Completion, PracticeHooks, Review, Start
from bot.due.weekdays import WEEKDAYS
from bot.learning_record.focus import focus_competences
from bot.learning_record.plans import CHECK_STEP
from bot.organisation.competences import FIRST_KEY, competence_name, competence_names
from bot.storage.models import DiaryEntry, WeeklyPlan, table_of

hooks = PracticeHooks("weekly_plan")

FLOW_ID = "weekplan"
LOOKBACK_WEEKS = 6
PLAN_TEXT_LIMIT = 90
PLAN_STEPS = ("competence", "situation", "approach", "moment")

_plans = table_of(WeeklyPlan)
_entries = table_of(DiaryEntry)

# -- SMART (bot.core.smart reads the plan; the words are in prompts/) -------------------------

KEEP_WORDS = frozenset(
    {"zelfde", "hetzelfde", "het zelfde", "idem", "ongewijzigd", "zoals het was", "houden",
     "same", "the same", "same as before", "unchanged", "as before", "keep", "keep it"}
)


def is_keep_word(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower().rstrip("!.") in KEEP_WORDS


# -- weeks and plans -------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of the week `day` is in."""
    return day - timedelta(days=day.weekday())


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",.;:") + "…"


# Built once: every diary start asks for this week's plan.
_PLAN_OF_WEEK = (
    select(_plans)
    .where(_plans.c.person_id == bindparam("person_id"), _plans.c.week_start == bindparam("monday"))
    .order_by(_plans.c.id.desc())
    .limit(1)
)


def plan_of_week(connection: Connection, person_id: int, monday: date) -> Any | None:
    """The week's plan: its latest row (a revision adds a row, the earlier one stays)."""
    return connection.execute(_PLAN_OF_WEEK, {"person_id": person_id, "monday": monday}).first()


def plan_before(connection: Connection, person_id: int, monday: date) -> Any | None:
    """The latest plan of an earlier week (within LOOKBACK_WEEKS): the one to act on."""
    return connection.execute(
        select(_plans)
        .where(
            _plans.c.person_id == person_id,
            _plans.c.week_start < monday,
            _plans.c.week_start >= monday - timedelta(weeks=LOOKBACK_WEEKS),
        )
        .order_by(_plans.c.week_start.desc(), _plans.c.id.desc())
        .limit(1)
    ).first()


def _week_counts(connection: Connection, person_id: int, monday: date) -> tuple[int, int]:
    """(practised, checked) over every row of a week, revisions included."""
    row = connection.execute(
        select(
            func.coalesce(func.sum(_plans.c.practised), 0),
            func.coalesce(func.sum(_plans.c.checked), 0),
        ).where(_plans.c.person_id == person_id, _plans.c.week_start == monday)
    ).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _plan_context(
    connection: Connection, row: Any, organisation_id: int, locale: str, monday: date
) -> dict[str, Any]:
    """A plan as the dialog's context keeps it (JSON only) and the intro shows it."""
    practised, checked = _week_counts(connection, row.person_id, row.week_start)
    return {
        "id": row.id,
        "week_start": row.week_start.isoformat(),
        "weeks_ago": (monday - row.week_start).days // 7,
        "competence": row.competence_code,
        "competence_name": competence_name(
            connection, organisation_id, row.competence_code, locale
        ),
        "situation": row.situation,
        "approach": row.approach,
        "moment": row.moment,
        "previous_id": row.previous_id,
        "follows": row.follows,
        "learned": row.learned,
        "practised": practised,
        "checked": checked,
    }


# -- Plan and Act: the flow `weekplan` -------------------------------------------------------


@hooks.on_start(FLOW_ID)
def _start_plan(start: Start) -> dict[str, Any]:
    person = start.person
    locale = start.turn.locale
    ahead = plans_ahead(start.local_date, person.workdays)
    monday = week_start(start.local_date) + timedelta(weeks=1 if ahead else 0)
    context: dict[str, Any] = {"week_start": monday.isoformat(), "next_week": ahead}
    current = plan_of_week(start.connection, person.id, monday)
    if current is not None:
        context["this_week"] = _plan_context(
            start.connection, current, person.organisation_id, locale, monday
        )
    else:
        earlier = plan_before(start.connection, person.id, monday)
        if earlier is not None:
            context["previous"] = _plan_context(
                start.connection, earlier, person.organisation_id, locale, monday
            )
    focus = focus_competences(start.connection, person.id, start.local_date)
    # This month's focus on top, then the competence of the plan this one builds on.
    built_on = context.get("this_week") or context.get("previous") or {}
    context[FIRST_KEY] = [*focus, *[code for code in [built_on.get("competence")] if code]]
    context["focus_names"] = competence_names(
        start.connection, person.organisation_id, focus, locale
    )
    return context


def plans_ahead(day: date, workdays: str) -> bool:
    """Whether a plan made on `day` is for next week: on the person's last workday of the
    week (a peer review on Friday leads to next week's plan) there is no week left to
    practise in. A plan made in the weekend still belongs to its own week, as before."""
    working = [WEEKDAYS.index(d) for d in workdays.split(",") if d in WEEKDAYS]
    return bool(working) and day.weekday() == max(working)


def _planned_week(context: Mapping[str, Any], day: date) -> date:
    """The Monday of the week the plan is for, as decided when the flow started."""
    planned = context.get("week_start")
    try:
        return date.fromisoformat(planned) if isinstance(planned, str) else week_start(day)
    except ValueError:
        return week_start(day)


def _base(answers: Mapping[str, Any], context: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The earlier plan this one builds on: the week's plan when revising it, last week's
    when continuing or adjusting it; None for a fresh plan."""
    if answers.get("revise") == "yes":
        base = context.get("this_week")
    elif answers.get("follow") in ("continue", "adjust"):
        base = context.get("previous")
    else:
        base = None
    return base if isinstance(base, Mapping) else None


def _resolved(name: str, answers: Mapping[str, Any], context: Mapping[str, Any]) -> Any:
    """An answer of the plan, or what the earlier plan said where it was kept (not asked,
    or answered with *zelfde* / *same*)."""
    value = answers.get(name)
    base = _base(answers, context)
    if base is not None and (value is None or is_keep_word(value)):
        return base.get(name) if base.get(name) is not None else value
    return value


def _texts(*values: Any) -> list[str]:
    return [value for value in values if isinstance(value, str) and value]


@hooks.reviewer("weekplan_observable")
def _review_approach(
    answer: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> Review | None:
    """Specific and measurable, each on its own, read from the situation and the approach;
    the vague words that hid them ("meer", "beter", "ergens") are quoted back."""
    approach = _resolved("approach", {**answers, "approach": answer}, context)
    situation = _resolved("situation", answers, context)
    lists = smart.any_locale()
    found = smart.Smart(
        specific=smart.specific(_texts(situation, approach), lists),
        measurable=smart.measurable(_texts(approach), lists),
        timed=smart.Criterion(True),  # asked at the next step, "when"
    )
    return None if found.complete else Review("smart.plan_feedback", found.variables())


@hooks.reviewer("weekplan_moment")
def _review_moment(
    answer: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> Review | None:
    """Time-bound, read from the "when" and the "how": a day, a meeting or a time, and no
    hedge such as "als het lukt" or "ooit" that leaves it open."""
    if "approach" in context.get("drafts", {}):
        return None  # one round of feedback per plan: the "how" already had its question
    moment = _resolved("moment", {**answers, "moment": answer}, context)
    approach = _resolved("approach", answers, context)
    timed = smart.timed(_texts(moment, approach), smart.any_locale())
    if timed.met:
        return None
    return Review("smart.moment_feedback", {"timed_vague": timed.vague})


@hooks.on_complete("weekly_plan")
def _store_plan(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    answers, context = dialog.answers, dialog.context
    if done.partial:
        return {}
    next_week = bool(context.get("next_week"))
    if answers.get("revise") == "no":
        return {"kept": True, "next_week": next_week}
    values = {name: _resolved(name, answers, context) for name in PLAN_STEPS}
    this_week = context.get("this_week")
    previous = context.get("previous")
    if answers.get("revise") == "yes" and isinstance(this_week, Mapping):
        # A revision is the week's plan from now on; what it followed stays the same.
        previous_id = this_week.get("previous_id")
        follows = this_week.get("follows")
        learned = this_week.get("learned")
    elif isinstance(previous, Mapping):
        previous_id = previous.get("id")
        follows = answers.get("follow")
        learned = answers.get("learned")
    else:
        previous_id = follows = learned = None
    drafts = context.get("drafts", {})
    feedback_given = bool({"approach", "moment"} & set(drafts))
    done.connection.execute(
        insert(_plans).values(
            person_id=done.person.id,
            dialog_id=dialog.id,
            week_start=_planned_week(dialog.context, dialog.local_date),
            competence_code=values["competence"],
            situation=values["situation"],
            approach=values["approach"],
            moment=values["moment"],
            previous_id=previous_id,
            follows=follows,
            learned=learned,
            feedback_given=feedback_given,
            practised=0,
            checked=0,
            created_at=done.now,
        )
    )
    return {
        "revised": answers.get("revise") == "yes",
        "follows": follows if answers.get("revise") != "yes" else None,
        "competence": competence_name(
            done.connection, done.person.organisation_id, values["competence"],
            done.person.locale,
        ),
        "situation": values["situation"] or "",
        "approach": values["approach"] or "",
        "moment": values["moment"] or "",
        "next_week": next_week,
    }


# -- Check: the daily diary asks about the week's plan ---------------------------------------


def _checked_today(connection: Connection, person_id: int, local_date: date) -> bool:
    """Whether a diary entry of `local_date` already answered the plan check."""
    rows = connection.execute(
        select(_entries.c.extra).where(
            _entries.c.person_id == person_id, _entries.c.local_date == local_date
        )
    ).all()
    return any(isinstance(row.extra, dict) and CHECK_STEP in row.extra for row in rows)


@hooks.on_start("diary")
def _plan_for_diary(start: Start) -> dict[str, Any]:
    if start.is_new:
        return {}  # created this very turn: no plan to ask about, no query needed
    person = start.person
    plan = plan_of_week(start.connection, person.id, week_start(start.local_date))
    if plan is None:
        return {}
    if _checked_today(start.connection, person.id, start.local_date):
        return {}  # asked once a day
    name = competence_name(
        start.connection, person.organisation_id, plan.competence_code, start.turn.locale
    )
    approach = _short(plan.approach, PLAN_TEXT_LIMIT)
    text = f"{name} — {approach}" if name and approach else (name or approach)
    return {"weekly_plan": int(plan.id), "plan_text": text}


