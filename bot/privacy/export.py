"""Everything stored about one person, as plain JSON-ready data (the right of access).

Answers are exported verbatim, exactly as stored; nothing is summarised or left out.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from bot.storage.models import (
    Base,
    Checklist,
    ChecklistItem,
    Dialog,
    Identity,
    Person,
    Team,
    TeamMember,
)
from bot.storage.privacy_marks import references

_MODELS = {mapper.local_table: mapper.class_ for mapper in Base.registry.mappers}

# Every record a person writes, by its key in the export, and the column naming its author:
# the owner() and mention() columns marked with an export key (bot.storage.models), in the
# order the tables are declared.
PERSONAL_RECORDS: tuple[tuple[str, type[Base], str], ...] = tuple(
    (mark.export, _MODELS[table], column.name)
    for table, column, mark in references(Base.metadata)
    if mark.export is not None
)

EXPORT_FORMAT = 1


class UnknownPerson(LookupError):
    """No person matches, or several do and the caller must say which."""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(obj: Base) -> dict[str, Any]:
    mapper = inspect(type(obj))
    return {column.key: _plain(getattr(obj, column.key)) for column in mapper.column_attrs}


def find_person(
    session: Session, user: str, platform: str | None = None, tenant: str | None = None
) -> Person:
    """The person with platform account `user` (or `#<id>` for the internal id)."""
    if user.startswith("#") and user[1:].isdigit():
        number = int(user[1:])  # ids are 32-bit integers in PostgreSQL: none beyond
        person = session.get(Person, number) if number < 2**31 else None
        if person is None:
            raise UnknownPerson(f"no person with id {user[1:]}")
        return person
    try:
        user.encode()
    except UnicodeEncodeError:  # a lone surrogate (a non-UTF-8 argument) names nobody
        raise UnknownPerson(f"no person known as {user!r}") from None
    statement = select(Identity.person_id).where(Identity.external_id == user)
    if platform:
        statement = statement.where(Identity.platform == platform)
    if tenant:
        statement = statement.where(Identity.tenant == tenant)
    ids = sorted(set(session.scalars(statement)))
    if not ids:
        raise UnknownPerson(f"no person known as {user!r}")
    if len(ids) > 1:
        raise UnknownPerson(
            f"{user!r} matches several people ({', '.join(f'#{i}' for i in ids)}); "
            "give --platform/--tenant or #id"
        )
    person = session.get(Person, ids[0])
    assert person is not None
    return person


def export_person(session: Session, person: Person) -> dict[str, Any]:
    """All rows about `person`, grouped by kind, oldest first."""
    identities = session.scalars(
        select(Identity).where(Identity.person_id == person.id).order_by(Identity.id)
    ).all()
    teams = session.execute(
        select(Team.name, Team.kind, TeamMember.joined_at)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.person_id == person.id)
        .order_by(Team.name)
    ).all()
    dialogs = session.scalars(
        select(Dialog).where(Dialog.person_id == person.id).order_by(Dialog.id)
    ).all()
    records = {
        key: [
            _row(row)
            for row in session.scalars(
                select(model)
                .where(getattr(model, column) == person.id)
                .order_by(model.id)  # type: ignore[attr-defined]
            )
        ]
        for key, model, column in PERSONAL_RECORDS
    }
    return {
        "format": EXPORT_FORMAT,
        "person": _row(person),
        "identities": [_row(i) for i in identities],
        "teams": [
            {"name": name, "kind": kind, "joined_at": _plain(joined)}
            for name, kind, joined in teams
        ],
        **records,
        "checklists_used": _checklists_used(session, records["checklist_runs"]),
        "dialogs": [_row(d) for d in dialogs],
    }


def _checklists_used(session: Session, runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklists the runs refer to, with their items as they are now, so the ticked
    positions of a run can be read."""
    ids = sorted({run["checklist_id"] for run in runs})
    if not ids:
        return []
    checklists = session.scalars(
        select(Checklist).where(Checklist.id.in_(ids)).order_by(Checklist.id)
    ).all()
    items = session.scalars(
        select(ChecklistItem)
        .where(ChecklistItem.checklist_id.in_(ids))
        .order_by(ChecklistItem.checklist_id, ChecklistItem.position)
    ).all()
    return [
        {
            "id": checklist.id,
            "code": checklist.code,
            "name_nl": checklist.name_nl,
            "name_en": checklist.name_en,
            "items": [
                {"position": item.position, "text_nl": item.text_nl, "text_en": item.text_en}
                for item in items
                if item.checklist_id == checklist.id
            ],
        }
        for checklist in checklists
    ]
