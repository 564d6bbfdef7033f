"""The organisation's goals on seed 000's three levels, and its community (SOL) sessions.

Facilitators keep them with `leercoach goals …` and `leercoach community …`; people link their
learning contract to an active goal of their organisation (or of one of their teams), and the
monthly reflection points to the next community session.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, or_, select
from sqlalchemy.orm import Session

from bot.core.text_input import clean_text
from bot.storage.models import CommunitySession, Goal, Organisation, Team, TeamMember, table_of

LEVELS: tuple[str, ...] = ("business", "team", "personal")  # seed 000's three levels
_PERIOD = re.compile(r"^\d{4}(?:-Q[1-4])?$")
TITLE_LIMIT = 300
LOCATION_LIMIT = 500


class GoalError(ValueError):
    """A goal or session that cannot be stored as given; the message says why."""


# -- goals -----------------------------------------------------------------------------------


def normalise_period(period: str | None) -> str:
    """'2026-q4' → '2026-Q4'; '' stays ''. Periods are a year or a quarter of one."""
    value = (period or "").strip().upper()
    if value and not _PERIOD.match(value):
        raise GoalError(f"period must look like 2026 or 2026-Q4, got {period!r}")
    return value


def find_team(session: Session, organisation: Organisation, name: str) -> Team | None:
    return session.scalar(
        select(Team).where(Team.organisation_id == organisation.id, Team.name == name.strip())
    )


def add_goal(
    session: Session,
    organisation: Organisation,
    *,
    level: str,
    title: str,
    description: str = "",
    team: str | None = None,
    period: str | None = None,
) -> tuple[Goal, bool]:
    """A new active goal; with `team`, that team's (created when it does not exist yet).

    Returns the goal and whether a team was created for it.
    """
    if level not in LEVELS:
        raise GoalError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    title = " ".join(clean_text(title).split())
    if not title:
        raise GoalError("a goal needs a title")
    if len(title) > TITLE_LIMIT:
        raise GoalError(f"the title is {len(title)} characters; at most {TITLE_LIMIT}")
    created = False
    team_row: Team | None = None
    if team is not None and team.strip():
        team_row = find_team(session, organisation, team)
        if team_row is None:
            team_name = " ".join(team.split())
            if len(team_name) > 200:
                raise GoalError("a team name is at most 200 characters")
            team_row = Team(organisation_id=organisation.id, name=team_name)
            session.add(team_row)
            session.flush()
            created = True
    goal = Goal(
        organisation_id=organisation.id,
        team_id=team_row.id if team_row else None,
        level=level,
        title=title,
        description=clean_text(description),
        period=normalise_period(period),
        active=True,
    )
    session.add(goal)
    session.flush()
    return goal, created


@dataclass(frozen=True, slots=True)
class GoalRow:
    goal: Goal
    team: str | None


def list_goals(
    session: Session,
    organisation: Organisation,
    *,
    include_archived: bool = False,
    team: str | None = None,
) -> list[GoalRow]:
    statement = (
        select(Goal, Team.name)
        .outerjoin(Team, Team.id == Goal.team_id)
        .where(Goal.organisation_id == organisation.id)
        .order_by(Goal.active.desc(), Goal.id)
    )
    if not include_archived:
        statement = statement.where(Goal.active.is_(True))
    if team is not None:
        team_row = find_team(session, organisation, team)
        if team_row is None:
            raise GoalError(f"organisation {organisation.slug!r} has no team {team!r}")
        statement = statement.where(Goal.team_id == team_row.id)
    return [GoalRow(goal, name) for goal, name in session.execute(statement).all()]


@dataclass(frozen=True, slots=True)
class KpiSet:
    goal: Goal
    created: bool  # a new goal, rather than a target or value set on an existing one
    team_created: bool


def set_kpi(
    session: Session,
    organisation: Organisation,
    *,
    name: str,
    team: str | None = None,
    target: float | None = None,
    value: float | None = None,
    period: str | None = None,
) -> KpiSet:
    """Set a KPI's target and/or current value: the active goal of that team (or of the
    organisation), title and period; made when there is none, so a KPI is a goal people
    can link their contract to. A value left out keeps what was set before."""
    if target is None and value is None:
        raise GoalError("give --target, --value or both")
    for number in (target, value):
        if number is not None and not math.isfinite(number):
            raise GoalError("a target or value must be a number")
    title = " ".join(clean_text(name).split())
    period_text = normalise_period(period)
    named = (team or "").strip()
    team_row = find_team(session, organisation, named) if named else None
    found = None
    if team_row is not None or not named:  # a team that is not there has no KPIs yet
        found = session.scalar(
            select(Goal)
            .where(
                Goal.organisation_id == organisation.id,
                Goal.team_id == team_row.id if team_row else Goal.team_id.is_(None),
                Goal.title == title,
                Goal.period == period_text,
                Goal.active.is_(True),
            )
            .order_by(Goal.id)
            .limit(1)
        )
    team_created, created = False, found is None
    if found is None:
        found, team_created = add_goal(
            session, organisation, level="team" if named else "business", title=title,
            team=named or None, period=period_text,
        )
    if target is not None:
        found.target = target
    if value is not None:
        found.value = value
    session.flush()
    return KpiSet(found, created=created, team_created=team_created)


def archive_goal(session: Session, organisation: Organisation, goal_id: int) -> Goal:
    """Make a goal inactive: it is no longer offered, and contracts keep their link to it."""
    goal = session.get(Goal, goal_id) if 0 < goal_id < 2**31 else None  # ids are 32-bit
    if goal is None or goal.organisation_id != organisation.id:
        raise GoalError(f"organisation {organisation.slug!r} has no goal {goal_id}")
    goal.active = False
    return goal


def team_ids_of(connection: Connection, person_id: int) -> list[int]:
    members = table_of(TeamMember)
    return sorted(
        connection.execute(
            select(members.c.team_id).where(members.c.person_id == person_id)
        ).scalars()
    )


@dataclass(frozen=True, slots=True)
class GoalChoice:
    id: int
    level: str
    title: str
    team: str | None
    period: str


def active_goals(
    connection: Connection, organisation_id: int, team_ids: Sequence[int]
) -> list[GoalChoice]:
    """The goals someone can link to: the organisation's own and those of their teams."""
    goals, teams = table_of(Goal), table_of(Team)
    rows = connection.execute(
        select(goals.c.id, goals.c.level, goals.c.title, goals.c.period, teams.c.name)
        .select_from(goals.outerjoin(teams, teams.c.id == goals.c.team_id))
        .where(
            goals.c.organisation_id == organisation_id,
            goals.c.active.is_(True),
            or_(goals.c.team_id.is_(None), goals.c.team_id.in_(list(team_ids))),
        )
        .order_by(goals.c.level, goals.c.id)
    ).all()
    order = {level: index for index, level in enumerate(LEVELS)}
    choices = [GoalChoice(r.id, r.level, r.title, r.name, r.period or "") for r in rows]
    return sorted(choices, key=lambda goal: (order.get(goal.level, len(LEVELS)), goal.id))


def goal_title(connection: Connection, goal_id: int | None) -> str:
    if goal_id is None:
        return ""
    goals = table_of(Goal)
    title = connection.execute(select(goals.c.title).where(goals.c.id == goal_id)).scalar()
    return str(title or "")


# -- community sessions ----------------------------------------------------------------------


def parse_starts(text: str, timezone: str) -> datetime:
    """'2026-12-10T15:00' (or '2026-12-10 15:00') in the organisation's time zone, as UTC;
    a time with its own offset ('…+01:00', '…Z') is taken as it is."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise GoalError(
            f"--starts must be a date and time like 2026-12-10T15:00, got {text!r}"
        ) from None
    if len(raw) <= 10:  # a date alone says nothing about when people should come
        raise GoalError(f"--starts needs a time as well, like 2026-12-10T15:00, got {text!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    try:  # both must exist: it is stored in UTC and shown in the organisation's time
        moment.astimezone(ZoneInfo(timezone))
        return moment.astimezone(UTC)
    except OverflowError:
        raise GoalError(f"--starts is too far from now, got {text!r}") from None


def add_session(
    session: Session,
    organisation: Organisation,
    *,
    title: str,
    starts_at: datetime,
    location: str = "",
) -> CommunitySession:
    title = " ".join(clean_text(title).split())
    if not title:
        raise GoalError("a session needs a title")
    if len(title) > TITLE_LIMIT:
        raise GoalError(f"the title is {len(title)} characters; at most {TITLE_LIMIT}")
    location = clean_text(location)
    if len(location) > LOCATION_LIMIT:
        raise GoalError(f"the location is at most {LOCATION_LIMIT} characters")
    row = CommunitySession(
        organisation_id=organisation.id, title=title, starts_at=starts_at, location=location
    )
    session.add(row)
    session.flush()
    return row


def list_sessions(
    session: Session, organisation: Organisation, *, now: datetime, include_past: bool = False
) -> list[CommunitySession]:
    statement = (
        select(CommunitySession)
        .where(CommunitySession.organisation_id == organisation.id)
        .order_by(CommunitySession.starts_at, CommunitySession.id)
    )
    if not include_past:
        statement = statement.where(CommunitySession.starts_at > now)
    return list(session.scalars(statement))
