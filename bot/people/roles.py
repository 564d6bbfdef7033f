"""Who may do what in the channel practices: start and steer an intervision case, launch an
exercise, see its results.

A person's role is `participant` (everyone), `facilitator`, `admin` or `manager`
(`leercoach role`). With LEERCOACH_FACILITATORS=anyone every participant may facilitate;
the default keeps it to facilitators and admins. A refusal is explained in the chat, never
silent.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from bot.config import Settings
from bot.storage.models import Person, table_of

ROLES = ("participant", "facilitator", "admin", "manager")
FACILITATING = frozenset({"facilitator", "admin"})
_people = table_of(Person)


def role_of(connection: Connection, person_id: int) -> str:
    found = connection.execute(
        select(_people.c.role).where(_people.c.id == person_id)).scalar_one_or_none()
    return str(found or "participant")


def may_facilitate(connection: Connection, settings: Settings, person_id: int) -> bool:
    return settings.facilitators == "anyone" or role_of(connection, person_id) in FACILITATING


def set_role(connection: Connection, person_id: int, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"a role is one of {', '.join(ROLES)}")
    connection.execute(update(_people).where(_people.c.id == person_id).values(role=role))
