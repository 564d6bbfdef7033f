"""Who may do what on the admin pages: an admin runs everything in their organisation, a
facilitator runs a programme (cohorts, goals and KPIs, the competence catalog) and sees who
takes part, but leaves roles, pauses, login links, teams and the calendar to an admin.

One table, read by the pages and their tests, so a right is never granted in one place and
refused in another.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection

from bot.people.roles import role_of
from bot.people.web_access import Viewer

Right = Literal["people.view", "people.manage", "teams.view", "teams.manage", "cohorts",
                "calendar", "goals", "competences"]
Level = Literal["admin", "facilitator"]

RIGHTS: dict[Level, frozenset[Right]] = {
    "admin": frozenset({"people.view", "people.manage", "teams.view", "teams.manage",
                        "cohorts", "calendar", "goals", "competences"}),
    "facilitator": frozenset({"people.view", "teams.view", "cohorts", "goals",
                              "competences"}),
}


def level_of(connection: Connection, viewer: Viewer) -> Level | None:
    """The viewer's level on the admin pages: the embedded default's admin and anyone with
    the role admin are admins; facilitators are facilitators; anyone else has none."""
    if viewer.person_id is None:
        return "admin" if viewer.is_admin else None
    role = role_of(connection, viewer.person_id)
    if role == "admin":
        return "admin"
    return "facilitator" if role == "facilitator" else None


def rights_of(level: Level | None) -> frozenset[Right]:
    return RIGHTS[level] if level is not None else frozenset()
