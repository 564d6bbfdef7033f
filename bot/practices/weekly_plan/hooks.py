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

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select

from bot.core.registry import Completion, PracticeHooks, Review, Start
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

# -- the SMART heuristics --------------------------------------------------------------------

_MOMENT = re.compile(
    r"""
    \b(?:maan|dins|woens|donder|vrij|zater|zon)dag\w*
  | \b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b
  | \b(?:over)?morgen\b | \bvandaag\b | \bstraks\b
  | \b(?:tomorrow|today|tonight)\b
  | \w*(?:ochtend|middag|avond)\w* | \b(?:morning|afternoon|evening|noon|lunch\w*)\b
  | \b\d{1,2}[:.]\d{2}\b | \b\d{1,2}\s*(?:uur|u|h|am|pm)\b | \b(?:om|at)\s+\d{1,2}\b
  | \b\d{1,2}[-/]\d{1,2}\b
  | \b\d{1,2}\s+(?:jan|feb|mrt|maart|march|apr|mei|may|jun|jul|aug|sep|okt|oct|nov|dec)\w*
  | overleg\w* | vergader\w* | \bmeetings?\b | stand-?ups?\b | \bdaily\b | \bretro\w*
  | \bsprint\w* | \bcalls?\b | gesprek\w* | \bintervisie\w* | \bafspraak\w* | \bappointments?\b
  | \bpresentati\w* | \bsessie\w* | \bsessions?\b | \bworkshops?\b | \btrainings?\b
  | \bdemo\b | \bdienst\w* | \bshifts?\b
  | \b(?:1|een|één)[-\s]op[-\s](?:1|een|één)\b | \b1[:-]1\b | \b(?:one|1)[-\s]on[-\s](?:one|1)\b
  | \b(?:elke|iedere)\s+(?:dag|keer|ochtend|middag|avond)\b | \bdagelijks\b
  | \b(?:every|each)\s+(?:day|time|morning|afternoon|evening)\b
  | \bvolgende\s+keer\b | \beerstvolgende\b | \bzodra\b
  | \bnext\s+(?:time|meeting|call)\b | \bas\s+soon\s+as\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

_COUNT = re.compile(
    r"""
    \d
  | \b(?:twee|drie|vier|vijf|zes|zeven|acht|negen|tien|twaalf|één|eén)\b
  | \b(?:two|three|four|five|six|seven|eight|nine|ten|twelve|once|twice)\b
  | \b(?:keer|maal|times|minstens|tenminste|ten\s+minste|at\s+least)\b
  | \b(?:elke|elk|iedere|ieder|every|each)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

_DOING = re.compile(
    r"""
    \b(?:stel|stelt|stellen|vraag|vraagt|vragen|schrijf|schrijft|schrijven|noteer|noteert
  | noteren|benoem|benoemt|benoemen|vat|vatten|samenvatten|samenvatting|presenteer
  | presenteert|presenteren|deel|deelt|delen|bespreek|bespreekt|bespreken|geef|geeft|geven
  | bel|belt|bellen|mail|mailt|mailen|stuur|stuurt|sturen|vertel|vertelt|vertellen|toon|toont
  | tonen|voorstellen|check|checken|controleer|controleren|turf|turven)\b
  | \b(?:ask|asks|asking|write|writes|writing|note|notes|noting|name|names|summari[sz]e\w*
  | present|presents|presenting|share|shares|sharing|discuss\w*|give|gives|giving|call|calls
  | calling|e?mail|e?mails|e?mailing|send|sends|sending|tell|tells|telling|show|shows|showing
  | list|record\w*|propose\w*|count|counting|track|tracking)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)

KEEP_WORDS = frozenset(
    {"zelfde", "hetzelfde", "het zelfde", "idem", "ongewijzigd", "zoals het was", "houden",
     "same", "the same", "same as before", "unchanged", "as before", "keep", "keep it"}
)


def has_moment(text: str | None) -> bool:
    """Whether `text` says when: a weekday, date, time, relative day, meeting, trigger …"""
    return bool(text and _MOMENT.search(text))


def is_observable(text: str | None) -> bool:
    """Whether `text` describes something one can see or count: a number, or a verb of
    doing with a visible result."""
    return bool(text and (_COUNT.search(text) or _DOING.search(text)))


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
    monday = week_start(start.local_date)
    context: dict[str, Any] = {"week_start": monday.isoformat()}
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


@hooks.reviewer("weekplan_observable")
def _review_approach(
    answer: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> Review | None:
    approach = _resolved("approach", {**answers, "approach": answer}, context)
    if is_observable(approach if isinstance(approach, str) else None):
        return None
    return Review("weekplan.review_observable")


@hooks.reviewer("weekplan_moment")
def _review_moment(
    answer: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> Review | None:
    if "approach" in context.get("drafts", {}):
        return None  # one round of feedback per plan: the "how" already had its question
    moment = _resolved("moment", {**answers, "moment": answer}, context)
    approach = _resolved("approach", answers, context)
    if has_moment(moment if isinstance(moment, str) else None) or has_moment(
        approach if isinstance(approach, str) else None
    ):
        return None
    return Review("weekplan.review_moment")


@hooks.on_complete("weekly_plan")
def _store_plan(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    answers, context = dialog.answers, dialog.context
    if done.partial:
        return {}
    if answers.get("revise") == "no":
        return {"kept": True}
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
            week_start=week_start(dialog.local_date),
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


