"""`overzicht` / `overview`: where someone stands in the rhythm, in one message, and the
same as a page (`Coach.home`: the Slack App Home, a Teams tab, the web's /me).

The focus competences of this month (from the monthly reflection), this week's plan, the
diary streak, the goal of this quarter's learning contract and the next peer review. Every
part has an empty state that tells someone new what to type (or press) to begin. Both views
read the same `Standing`, so the chat and the page never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from bot.core.date_phrases import long_date, month_label
from bot.core.messages import Choice, Home, HomeSection, Message, Text
from bot.core.prompts import PromptError
from bot.core.registry import ActionCall, PracticeHooks, TurnApi
from bot.core.text_input import short
from bot.learning_record import diary
from bot.learning_record.contracts import current_contract
from bot.learning_record.focus import focus_of
from bot.learning_record.periods import first_of_month, next_month, planned_quarter, quarter_label
from bot.learning_record.plans import Week, weeks_between
from bot.organisation.cohorts import latest_partners
from bot.organisation.competences import competence_names
from bot.people.pausing import OPTED_OUT, is_paused
from bot.storage.models import (
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    Person,
    WeeklyPlan,
    table_of,
)

hooks = PracticeHooks("overview")


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


@dataclass(frozen=True, slots=True)
class PeerRound:
    """The person's current pairing round: whom to meet, and the round's last day."""

    partners: tuple[str, ...]
    ends_on: date


@dataclass(frozen=True, slots=True)
class Standing:
    """Where someone stands in the rhythm today: what the overview and the home page show,
    gathered once (one set of queries) for both."""

    today: date
    focus: list[str]
    coming_focus: list[str]
    plan: dict[str, Any] | None
    streak: int
    written_today: bool
    quarter: str  # 'Q1 2026'
    contract_goal: str | None  # None: no current contract (`contract_quarters`)
    colleague: str  # the steady colleague's first name, or ""
    peer_round: PeerRound | None  # a round that has not ended yet
    is_new: bool


def standing(turn: TurnApi) -> Standing:
    """Gather what the overview and the home page show, in the person's language."""
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
    # The current contract (in a quarter's last month the coming quarter's, once written);
    # without one, the quarter a contract typed now would plan.
    contract = current_contract(connection, person.id, today)
    quarter = contract[0] if contract else planned_quarter(today)
    paired = latest_partners(connection, person.id)
    return Standing(
        today=today,
        focus=focus,
        coming_focus=coming,
        plan=plan_view,
        streak=streak,
        written_today=not today_open,
        quarter=quarter_label(quarter),
        contract_goal=short(contract[1], 300) if contract else None,
        colleague=_colleague(connection, person.steady_colleague_id),
        peer_round=PeerRound(*paired) if paired and paired[1] >= today else None,
        is_new=not has_history(connection, person.id),
    )


@hooks.action("overview")
def _overview(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if call.arguments:
        return None
    facts = standing(turn)
    # The chat names the steady colleague only; the current round shows on the page.
    text = turn.text(
        "overview.text",
        focus=facts.focus,
        coming_focus=facts.coming_focus,
        plan=facts.plan,
        streak=facts.streak,
        today_open=not facts.written_today,
        quarter=facts.quarter,
        contract_goal=facts.contract_goal or "",
        has_contract=facts.contract_goal is not None,
        colleague=facts.colleague,
        is_new=facts.is_new,
        open_flow=_open_flow(turn, call),
    )
    return [Text(text)]


# The home page's buttons: command names (prompts/commands), pressed as InboundEvent.command.
HOME_ACTIONS = ("diary", "weekplan", "month", "contract", "year", "settings")


@hooks.home_page
def _home(turn: TurnApi) -> Home:
    """The overview as a page: a section per practice, and a button to start each."""
    person = turn.person
    facts = standing(turn)
    paused = is_paused(person, facts.today)
    stopped = person.status == OPTED_OUT
    peer = facts.peer_round
    sections = (
        HomeSection(
            turn.text("home.diary.heading"),
            turn.text("home.diary.text", written_today=facts.written_today, streak=facts.streak,
                      is_new=facts.is_new),
        ),
        HomeSection(
            turn.text("home.focus.heading", month=month_label(facts.today, turn.locale)),
            turn.text("home.focus.text", focus=facts.focus, coming_focus=facts.coming_focus),
        ),
        HomeSection(turn.text("home.week.heading"), turn.text("home.week.text", plan=facts.plan)),
        HomeSection(
            turn.text("home.peer.heading"),
            turn.text(
                "home.peer.text",
                partners=list(peer.partners) if peer else [],
                ends_on=long_date(peer.ends_on, turn.locale, facts.today) if peer else "",
                colleague=facts.colleague,
            ),
        ),
        HomeSection(
            turn.text("home.contract.heading", quarter=facts.quarter),
            turn.text("home.contract.text", has_contract=facts.contract_goal is not None,
                      goal=facts.contract_goal or ""),
        ),
    )
    names = (*HOME_ACTIONS, "resume" if paused or stopped else "pause")
    actions = tuple(Choice(name, turn.text(f"home.action.{name}")) for name in names)
    until = person.paused_until
    title = turn.text(
        "home.title",
        paused=paused,
        paused_until=long_date(until, turn.locale, facts.today) if paused and until else "",
        opted_out=stopped,
    )
    return Home(title, sections, actions)
