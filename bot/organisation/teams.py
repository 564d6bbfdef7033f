"""An organisation's teams as things of their own: made, renamed and removed on purpose, with
members added and taken out by hand (`leercoach team …` and the admin pages).

Before, a team only came into being as a side effect of a goal, a KPI or a work session;
those still make one when it is new, and this module is where everything else about a team
lives. Removing a team takes its goals, KPIs and work-session series with it (the database
cascades), which is why the pages ask to confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from bot.core.text_input import clean_text
from bot.storage.models import Person, Team, TeamMember, table_of

NAME_LIMIT = 200
_teams = table_of(Team)
_members = table_of(TeamMember)
_people = table_of(Person)


class TeamError(ValueError):
    """A team change that cannot be made as asked; `reason` names the polite text."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TeamRow:
    id: int
    name: str
    members: int


def clean_name(name: str) -> str:
    """A team's name with its spaces tidied; refused when empty or too long."""
    cleaned = " ".join(clean_text(name).split())
    if not cleaned:
        raise TeamError("name_empty", "a team needs a name")
    if len(cleaned) > NAME_LIMIT:
        raise TeamError("name_long", f"a team name is at most {NAME_LIMIT} characters")
    return cleaned


def list_teams(connection: Connection, organisation_id: int) -> list[TeamRow]:
    """The organisation's teams by name, each with how many people are in it."""
    count = (select(func.count()).select_from(_members)
             .where(_members.c.team_id == _teams.c.id).scalar_subquery())
    return [TeamRow(row.id, row.name, int(row.members)) for row in connection.execute(
        select(_teams.c.id, _teams.c.name, count.label("members"))
        .where(_teams.c.organisation_id == organisation_id)
        .order_by(_teams.c.name, _teams.c.id))]


def team_named(connection: Connection, organisation_id: int, name: str) -> int:
    """The id of the organisation's team with this name."""
    found = connection.execute(select(_teams.c.id).where(
        _teams.c.organisation_id == organisation_id,
        _teams.c.name == " ".join(name.split()))).scalar()
    if found is None:
        raise TeamError("unknown", f"there is no team {name!r}")
    return int(found)


def team_of_organisation(connection: Connection, organisation_id: int, team_id: int) -> str:
    """The team's name, when the team is the organisation's (an id from a form is checked)."""
    found = connection.execute(select(_teams.c.name).where(
        _teams.c.id == team_id, _teams.c.organisation_id == organisation_id)).scalar()
    if found is None:
        raise TeamError("unknown", f"there is no team #{team_id}")
    return str(found)


def _name_is_free(connection: Connection, organisation_id: int, name: str,
                  other_than: int | None = None) -> None:
    query = select(_teams.c.id).where(_teams.c.organisation_id == organisation_id,
                                      _teams.c.name == name)
    if other_than is not None:
        query = query.where(_teams.c.id != other_than)
    if connection.execute(query).first() is not None:
        raise TeamError("exists", f"there is a team {name!r} already")


def create_team(connection: Connection, organisation_id: int, name: str, now: datetime) -> int:
    """A new, empty team; its id."""
    cleaned = clean_name(name)
    _name_is_free(connection, organisation_id, cleaned)
    return int(connection.execute(_teams.insert().values(
        organisation_id=organisation_id, name=cleaned, kind="team", created_at=now
    ).returning(_teams.c.id)).scalar_one())


def rename_team(connection: Connection, organisation_id: int, team_id: int, name: str) -> str:
    """Give the team another name; the new name."""
    team_of_organisation(connection, organisation_id, team_id)
    cleaned = clean_name(name)
    _name_is_free(connection, organisation_id, cleaned, other_than=team_id)
    connection.execute(update(_teams).where(_teams.c.id == team_id).values(name=cleaned))
    return cleaned


def delete_team(connection: Connection, organisation_id: int, team_id: int) -> str:
    """Remove the team (its goals and work-session series go with it); its name."""
    name = team_of_organisation(connection, organisation_id, team_id)
    connection.execute(delete(_teams).where(_teams.c.id == team_id))
    return name


def members(connection: Connection, team_id: int) -> list[tuple[int, str]]:
    """The team's people (id, display name) by name."""
    return [(row.id, row.display_name or f"#{row.id}") for row in connection.execute(
        select(_people.c.id, _people.c.display_name)
        .join(_members, _members.c.person_id == _people.c.id)
        .where(_members.c.team_id == team_id, _people.c.status != "deleted")
        .order_by(_people.c.display_name, _people.c.id))]


def add_member(connection: Connection, team_id: int, person_id: int, now: datetime) -> bool:
    """Someone joins the team; False when they are in it already."""
    found = connection.execute(select(_members.c.person_id).where(
        _members.c.team_id == team_id, _members.c.person_id == person_id)).first()
    if found is not None:
        return False
    connection.execute(_members.insert().values(team_id=team_id, person_id=person_id,
                                                joined_at=now))
    return True


def remove_member(connection: Connection, team_id: int, person_id: int) -> bool:
    """Someone leaves the team; False when they were not in it."""
    changed = connection.execute(_members.delete().where(
        _members.c.team_id == team_id, _members.c.person_id == person_id))
    return changed.rowcount == 1
