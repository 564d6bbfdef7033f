"""One person's own history, for their personal page (/me): what they wrote, in order.

The diary timeline, the weekly plans with what became of them, the monthly reflections and
focus competences, the learning contracts with the steady colleague's responses, the yearly
reviews and the open learning conversations they held. Everything is read for ONE person id;
who that may be is the caller's decision (the web's /me passes only the viewer's own id).

Free text is returned exactly as stored (the page escapes it); competence codes are turned
into names in the page's language, a code no longer in the catalog is shown as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from bot.learning_record.diary import FOLLOW_UP, FOLLOW_UP_QUESTION
from bot.learning_record.periods import quarter_label
from bot.learning_record.plans import CHECK_STEP
from bot.organisation.competences import catalog
from bot.practices.contract.hooks import first_name
from bot.practices.learning_conversation.hooks import plan_steps
from bot.storage.models import (
    ContractResponse,
    DiaryEntry,
    LearningCanvas,
    LearningContract,
    MonthlyReflection,
    Person,
    WeeklyPlan,
    YearlyReview,
    table_of,
)

DIARY_LIMIT = 120  # the newest entries shown; a year of workdays is about 230

_people = table_of(Person)
_entries = table_of(DiaryEntry)
_plans = table_of(WeeklyPlan)
_reflections = table_of(MonthlyReflection)
_contracts = table_of(LearningContract)
_responses = table_of(ContractResponse)
_reviews = table_of(YearlyReview)
_canvases = table_of(LearningCanvas)


@dataclass(frozen=True, slots=True)
class DiaryDay:
    """One diary entry; `competence` is the week's plan when the diary asked about it that
    day, `practised` the answer (None: not asked)."""

    local_date: date
    moments: str | None
    approach: str | None
    learning: str | None
    value: int | None  # how much was learned, 1..5
    competence: str
    practised: bool | None
    complete: bool
    follow_up: str | None = None  # the deepening question as it was asked, and the answer
    follow_up_answer: str | None = None


@dataclass(frozen=True, slots=True)
class PlanWeek:
    """A week's plan (its latest revision) and what the next plan said became of it."""

    week_start: date
    competence: str
    situation: str | None
    approach: str | None
    moment: str | None
    practised: int
    checked: int
    outcome: str | None  # continue / adjust / done, told by the plan that followed
    learned: str | None


@dataclass(frozen=True, slots=True)
class MonthEntry:
    """A monthly reflection: the month looked back on and the focus chosen for the next."""

    month: date
    focus_month: date
    focus: tuple[str, ...]
    went_well: str | None
    could_be_better: str | None
    concrete_next: str | None
    contract_progress: str | None


@dataclass(frozen=True, slots=True)
class MonthFocus:
    """The focus of one month, for the chart: the competences chosen for it and those the
    weekly plans of that month worked on (with how many weeks)."""

    month: date
    chosen: tuple[str, ...]
    planned: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Response:
    responder: str  # first name, "" when they are gone
    text: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class QuarterContract:
    """The newest version of a quarter's contract, with every response to a shared version."""

    quarter: str
    label: str
    version: int
    came_from: str | None
    now: str | None
    goal: str | None
    approach: str | None
    evidence: str | None
    why_business: str | None
    why_team: str | None
    why_personal: str | None
    competences: tuple[str, ...]
    shared_with: str  # first name, "" when not shared
    responses: tuple[Response, ...]


@dataclass(frozen=True, slots=True)
class YearEntry:
    year: int
    challenging: int | None
    inspiring: int | None
    rewarding: int | None
    next_step: str | None  # stay / within_job / within_organisation / elsewhere
    next_step_notes: str | None
    proud_of: str | None


@dataclass(frozen=True, slots=True)
class Canvas:
    """An open learning conversation the person held (seed 001)."""

    created_at: datetime
    summary: str
    confirmed: bool
    correction: str | None
    plan: tuple[str, ...]  # year 1..5, "" where none was written


@dataclass(frozen=True, slots=True)
class History:
    """Everything on the personal page; lists newest first, `focus` oldest first."""

    person_id: int
    name: str
    diary: tuple[DiaryDay, ...]
    diary_total: int
    plans: tuple[PlanWeek, ...]
    months: tuple[MonthEntry, ...]
    focus: tuple[MonthFocus, ...]
    contracts: tuple[QuarterContract, ...]
    reviews: tuple[YearEntry, ...]
    canvases: tuple[Canvas, ...]

    @property
    def empty(self) -> bool:
        return not (self.diary or self.plans or self.months or self.contracts or self.reviews
                    or self.canvases)


class _Names:
    """Competence codes to names in one language, from the person's organisation."""

    def __init__(self, connection: Connection, organisation_id: int, locale: str) -> None:
        self._names = {entry.code: entry.name(locale)
                       for entry in catalog(connection, organisation_id)}

    def __call__(self, code: Any) -> str:
        if not isinstance(code, str) or not code:
            return ""
        return self._names.get(code, code)

    def all(self, codes: Any) -> tuple[str, ...]:
        if not isinstance(codes, list):
            return ()
        return tuple(dict.fromkeys(name for name in map(self, codes) if name))


def history(connection: Connection, person_id: int, locale: str,
            diary_limit: int = DIARY_LIMIT) -> History | None:
    """The person's own history, or None when there is no such (living) person."""
    person = connection.execute(
        select(_people.c.display_name, _people.c.organisation_id, _people.c.status)
        .where(_people.c.id == person_id)
    ).first()
    if person is None or person.status == "deleted":
        return None
    names = _Names(connection, person.organisation_id, locale)
    weeks = _weeks(connection, person_id, names)
    by_week = {week.week_start: week for week in weeks}
    diary, total = _diary(connection, person_id, by_week, diary_limit)
    months = _months(connection, person_id, names)
    return History(
        person_id=person_id,
        name=person.display_name,
        diary=diary,
        diary_total=total,
        plans=tuple(reversed(weeks)),
        months=months,
        focus=_focus(months, weeks),
        contracts=_contracts_of(connection, person_id, names),
        reviews=_yearly(connection, person_id),
        canvases=_canvases_of(connection, person_id),
    )


def _monday(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


def _diary(connection: Connection, person_id: int, by_week: dict[date, PlanWeek],
           limit: int) -> tuple[tuple[DiaryDay, ...], int]:
    total = connection.execute(
        select(func.count()).where(_entries.c.person_id == person_id)).scalar_one()
    rows = connection.execute(
        select(_entries)
        .where(_entries.c.person_id == person_id)
        .order_by(_entries.c.local_date.desc(), _entries.c.id.desc())
        .limit(max(limit, 0))
    ).all()
    days = []
    for row in rows:
        extra = row.extra if isinstance(row.extra, dict) else {}
        check = extra.get(CHECK_STEP)
        practised = check if isinstance(check, bool) else None
        plan = by_week.get(_monday(row.local_date)) if practised is not None else None
        days.append(DiaryDay(
            local_date=row.local_date, moments=row.moments, approach=row.approach,
            learning=row.learning, value=row.value, competence=plan.competence if plan else "",
            practised=practised, complete=bool(row.complete),
            follow_up=_text_or_none(extra.get(FOLLOW_UP_QUESTION)),
            follow_up_answer=_text_or_none(extra.get(FOLLOW_UP))))
    return tuple(days), int(total)


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _weeks(connection: Connection, person_id: int, names: _Names) -> list[PlanWeek]:
    """One plan per week, oldest first: the week's latest revision, the check counts of all
    its revisions, and the outcome told by the first later week's plan that followed it."""
    rows = connection.execute(
        select(_plans).where(_plans.c.person_id == person_id)
        .order_by(_plans.c.week_start, _plans.c.id)
    ).all()
    grouped: dict[date, list[Any]] = {}
    for row in rows:
        grouped.setdefault(row.week_start, []).append(row)
    week_of = {row.id: row.week_start for row in rows}
    outcomes: dict[date, Any] = {}
    for row in rows:  # oldest first: the latest follower wins, as the monthly digest reads it
        followed = week_of.get(row.previous_id) if row.previous_id is not None else None
        if followed is not None and row.week_start > followed:
            outcomes[followed] = row
    weeks = []
    for start, revisions in grouped.items():
        plan = revisions[-1]
        outcome = outcomes.get(start)
        weeks.append(PlanWeek(
            week_start=start, competence=names(plan.competence_code),
            situation=plan.situation, approach=plan.approach, moment=plan.moment,
            practised=sum(int(r.practised or 0) for r in revisions),
            checked=sum(int(r.checked or 0) for r in revisions),
            outcome=outcome.follows if outcome is not None else None,
            learned=outcome.learned if outcome is not None else None))
    return weeks


def _months(connection: Connection, person_id: int, names: _Names) -> tuple[MonthEntry, ...]:
    rows = connection.execute(
        select(_reflections).where(_reflections.c.person_id == person_id)
        .order_by(_reflections.c.month.desc(), _reflections.c.id.desc())
    ).all()
    return tuple(
        MonthEntry(month=row.month, focus_month=row.focus_month, focus=names.all(row.focus),
                   went_well=row.went_well, could_be_better=row.could_be_better,
                   concrete_next=row.concrete_next, contract_progress=row.contract_progress)
        for row in rows
    )


def _focus(months: Sequence[MonthEntry], weeks: Sequence[PlanWeek]) -> tuple[MonthFocus, ...]:
    """Per month, oldest first: the focus chosen for it (the latest reflection that chose
    any, as `bot.learning_record.focus.focus_of` reads it) and the weeks planned per competence."""
    chosen: dict[date, tuple[str, ...]] = {}
    for entry in reversed(months):  # oldest first, so a later choice wins
        if entry.focus:
            chosen[entry.focus_month] = entry.focus
    planned: dict[date, dict[str, int]] = {}
    for week in weeks:
        if week.competence:
            counts = planned.setdefault(week.week_start.replace(day=1), {})
            counts[week.competence] = counts.get(week.competence, 0) + 1
    return tuple(
        MonthFocus(month=month, chosen=chosen.get(month, ()),
                   planned=tuple(planned.get(month, {}).items()))
        for month in sorted(set(chosen) | set(planned))
    )


def _contracts_of(connection: Connection, person_id: int,
                  names: _Names) -> tuple[QuarterContract, ...]:
    rows = connection.execute(
        select(_contracts).where(_contracts.c.person_id == person_id)
        .order_by(_contracts.c.quarter.desc(), _contracts.c.version.desc(),
                  _contracts.c.id.desc())
    ).all()
    # The author is told every response to a contract they shared, so they may read them.
    responses: dict[str, list[Response]] = {}
    quarter_of = {row.id: row.quarter for row in rows if row.share_consent}
    if quarter_of:
        for answer in connection.execute(
            select(_responses.c.contract_id, _responses.c.response, _responses.c.created_at,
                   _people.c.display_name)
            .outerjoin(_people, _people.c.id == _responses.c.responder_id)
            .where(_responses.c.contract_id.in_(quarter_of))
            .order_by(_responses.c.created_at, _responses.c.id)
        ):
            responses.setdefault(quarter_of[answer.contract_id], []).append(Response(
                responder=first_name(answer.display_name), text=answer.response,
                created_at=answer.created_at))
    shared_names = _first_names(connection, {row.shared_with_id for row in rows
                                             if row.share_consent and row.shared_with_id})
    contracts = []
    seen: set[str] = set()
    for row in rows:
        if row.quarter in seen:
            continue  # an earlier version of a quarter already shown
        seen.add(row.quarter)
        shared = shared_names.get(row.shared_with_id, "") if row.share_consent else ""
        contracts.append(QuarterContract(
            quarter=row.quarter, label=quarter_label(row.quarter), version=int(row.version),
            came_from=row.came_from, now=row.now, goal=row.goal, approach=row.approach,
            evidence=row.evidence, why_business=row.why_business, why_team=row.why_team,
            why_personal=row.why_personal, competences=names.all(row.competences),
            shared_with=shared, responses=tuple(responses.get(row.quarter, ()))))
    return tuple(contracts)


def _first_names(connection: Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = connection.execute(
        select(_people.c.id, _people.c.display_name).where(_people.c.id.in_(ids))).all()
    return {row.id: first_name(row.display_name) for row in rows}


def _yearly(connection: Connection, person_id: int) -> tuple[YearEntry, ...]:
    rows = connection.execute(
        select(_reviews).where(_reviews.c.person_id == person_id)
        .order_by(_reviews.c.year.desc(), _reviews.c.id.desc())
    ).all()
    return tuple(
        YearEntry(year=row.year, challenging=row.challenging, inspiring=row.inspiring,
                  rewarding=row.rewarding, next_step=row.next_step,
                  next_step_notes=row.next_step_notes, proud_of=row.proud_of)
        for row in rows
    )


def _canvases_of(connection: Connection, person_id: int) -> tuple[Canvas, ...]:
    rows = connection.execute(
        select(_canvases).where(_canvases.c.person_id == person_id)
        .order_by(_canvases.c.created_at.desc(), _canvases.c.id.desc())
    ).all()
    return tuple(
        Canvas(created_at=row.created_at, summary=row.summary or "",
               confirmed=bool(row.confirmed), correction=row.correction,
               plan=tuple(plan_steps(row.plan or {})))
        for row in rows
    )
