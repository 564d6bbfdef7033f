"""Who is in an organisation, as the people who run it look at them: name, platform, team,
role, status and when they were last seen, with a search (`leercoach people list` and the
admin page `/admin/people`), and the changes made from there: a role, a pause, a resume.

Only names and settings leave here, never anything a person wrote to the coach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, or_, select, update

from bot.people.pausing import ACTIVE, PAUSED
from bot.people.roles import set_role
from bot.storage.models import Identity, Person, Team, TeamMember, table_of

SEARCH_LIMIT = 100
_people = table_of(Person)
_identities = table_of(Identity)
_teams = table_of(Team)
_members = table_of(TeamMember)


class RosterError(ValueError):
    """A change that cannot be made as asked; `reason` names the polite text."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PersonRow:
    id: int
    name: str
    accounts: tuple[tuple[str, str], ...]  # (platform, platform user id)
    teams: tuple[str, ...]
    role: str
    status: str
    paused_until: date | None
    last_seen: datetime | None

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(platform for platform, _ in self.accounts))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def people(connection: Connection, organisation_id: int, search: str = "") -> list[PersonRow]:
    """The organisation's people by name; `search` matches a name, a platform user id, a
    team or `#<id>` (case does not matter). Someone erased is not listed."""
    query = (select(_people.c.id, _people.c.display_name, _people.c.role, _people.c.status,
                    _people.c.paused_until)
             .where(_people.c.organisation_id == organisation_id,
                    _people.c.status != "deleted")
             .order_by(func.lower(_people.c.display_name), _people.c.id))
    wanted = " ".join(search.split())[:SEARCH_LIMIT]
    if wanted.startswith("#") and wanted[1:].isdigit() and len(wanted) < 11:
        query = query.where(_people.c.id == int(wanted[1:]))
    elif wanted:
        pattern = _like(wanted)
        by_identity = select(_identities.c.person_id).where(
            func.lower(_identities.c.external_id).like(pattern, escape="\\"))
        by_team = (select(_members.c.person_id)
                   .join(_teams, _teams.c.id == _members.c.team_id)
                   .where(func.lower(_teams.c.name).like(pattern, escape="\\")))
        query = query.where(or_(func.lower(_people.c.display_name).like(pattern, escape="\\"),
                                _people.c.id.in_(by_identity), _people.c.id.in_(by_team)))
    rows = connection.execute(query).all()
    ids = [row.id for row in rows]
    accounts: dict[int, list[tuple[str, str, datetime]]] = {}
    for found in connection.execute(
            select(_identities.c.person_id, _identities.c.platform, _identities.c.external_id,
                   _identities.c.last_seen_at)
            .where(_identities.c.person_id.in_(ids)).order_by(_identities.c.id)):
        accounts.setdefault(found.person_id, []).append(
            (found.platform, found.external_id, found.last_seen_at))
    team_names: dict[int, list[str]] = {}
    for membership in connection.execute(
            select(_members.c.person_id, _teams.c.name)
            .join(_teams, _teams.c.id == _members.c.team_id)
            .where(_members.c.person_id.in_(ids)).order_by(_teams.c.name)):
        team_names.setdefault(membership.person_id, []).append(membership.name)
    listed = []
    for row in rows:
        mine = accounts.get(row.id, [])
        listed.append(PersonRow(
            row.id, row.display_name or f"#{row.id}",
            tuple((platform, external) for platform, external, _ in mine),
            tuple(team_names.get(row.id, ())), row.role, row.status, row.paused_until,
            max((seen for _, _, seen in mine), default=None)))
    return listed


def person_in(connection: Connection, organisation_id: int, person_id: int) -> str:
    """The person's name, when they are the organisation's (an id from a form is checked)."""
    found = connection.execute(select(_people.c.display_name).where(
        _people.c.id == person_id, _people.c.organisation_id == organisation_id,
        _people.c.status != "deleted")).first()
    if found is None:
        raise RosterError("unknown", f"there is no person #{person_id}")
    return str(found.display_name or f"#{person_id}")


def change_role(connection: Connection, organisation_id: int, person_id: int, role: str,
                *, changed_by: int | None = None) -> None:
    """Give the person a role; nobody takes their own role away from themself here, so an
    organisation never loses its last way in by a slip."""
    person_in(connection, organisation_id, person_id)
    if changed_by == person_id:
        raise RosterError("own_role", "you cannot change your own role")
    try:
        set_role(connection, person_id, role)
    except ValueError as exc:
        raise RosterError("role", str(exc)) from None


def pause(connection: Connection, organisation_id: int, person_id: int) -> None:
    """Pause someone until they (or an admin) resume: no nudges, nothing else lost."""
    person_in(connection, organisation_id, person_id)
    connection.execute(update(_people).where(_people.c.id == person_id)
                       .values(status=PAUSED, paused_until=None))


def resume(connection: Connection, organisation_id: int, person_id: int) -> None:
    """End a pause (or an opt-out: the admin says they asked to come back)."""
    person_in(connection, organisation_id, person_id)
    connection.execute(update(_people).where(_people.c.id == person_id)
                       .values(status=ACTIVE, paused_until=None))
