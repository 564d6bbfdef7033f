"""A small organisation to run from the admin pages: an admin, a facilitator, a participant
and a few colleagues (with a platform account each), plus another organisation whose
admin must never see in. Shared by the HTTP and browser tests of /admin and the CLI tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert

from bot.runtime import Runtime
from bot.storage.models import Identity, Organisation, Person, table_of

COLLEAGUES = ("Anna de Wit", "Bram Smit", "Cees Bos", "Dewi Mol", "Eva Kok")


@dataclass(frozen=True)
class AdminWorld:
    organisation_id: int
    admin: int
    facilitator: int
    participant: int
    colleagues: tuple[int, ...]
    other_organisation: int
    outsider: int  # the other organisation's admin


def person(connection: Any, organisation_id: int, name: str, role: str = "participant",
           user: str | None = None, seen: datetime | None = None) -> int:
    """A person (with a Slack account `user` when given) in the organisation."""
    made = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    person_id = int(connection.execute(insert(table_of(Person)).values(
        organisation_id=organisation_id, display_name=name, locale="nl",
        timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri", diary_time=time(16, 30),
        status="active", role=role, created_at=made,
    ).returning(table_of(Person).c.id)).scalar_one())
    if user is not None:
        connection.execute(insert(table_of(Identity)).values(
            person_id=person_id, platform="slack", tenant="T1", external_id=user,
            conversation=f"D{user}", created_at=made, last_seen_at=seen or made))
    return person_id


def organisation(connection: Any, slug: str, name: str) -> int:
    return int(connection.execute(insert(table_of(Organisation)).values(
        slug=slug, name=name, created_at=datetime(2026, 1, 1, tzinfo=UTC),
    ).returning(table_of(Organisation).c.id)).scalar_one())


def build_admin_world(runtime: Runtime) -> AdminWorld:
    now = runtime.engine.clock()
    with runtime.database.begin() as connection:
        organisation_id = organisation(connection, "bakkerij", "Bakkerij Brood")
        admin = person(connection, organisation_id, "Ada Beheer", "admin", "UADMIN", now)
        facilitator = person(connection, organisation_id, "Fleur Begeleider", "facilitator",
                             "UFAC", now - timedelta(days=1))
        participant = person(connection, organisation_id, "Piet Deelnemer", "participant",
                             "UPIET", now - timedelta(days=2))
        colleagues = tuple(person(connection, organisation_id, name, "participant",
                                  f"U{index}", now - timedelta(hours=index))
                           for index, name in enumerate(COLLEAGUES))
        other = organisation(connection, "elders", "Elders BV")
        outsider = person(connection, other, "Olga Buiten", "admin", "UOLGA", now)
    return AdminWorld(organisation_id, admin, facilitator, participant, colleagues, other,
                      outsider)
