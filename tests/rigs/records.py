"""Writing test records straight into the database (one row through Core, or ORM objects),
and reading back what a conversation left: the person met, their organisation, the open flow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Address
from bot.privacy.export import find_person
from bot.storage.models import Dialog, Person, table_of
from tests.conftest import Clock

FIRST_WORKDAY = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # a Wednesday


def insert_row(connection: Connection, model: Any, **values: Any) -> int:
    """One row of `model`'s table with `values`; its new id."""
    table = table_of(model)
    return int(connection.execute(insert(table).values(**values).returning(table.c.id))
               .scalar_one())


def add_records(database: Engine, *records: Any) -> list[int]:
    """ORM objects stored in one transaction; their new ids, in order."""
    with Session(database) as session, session.begin():
        session.add_all(records)
        session.flush()
        return [record.id for record in records]


class Addressed(Protocol):
    """Whoever talks to the coach in a test: a Chat, or a person of a multi-person test."""

    @property
    def address(self) -> Address: ...


def meet(
    engine: Coach, chat: Addressed, database: Engine, clock: Clock, locale: str = "nl",
    name: str = "Alice Jansen",
) -> int:
    """A person who already knows the coach (onboarded), in `locale`; returns their id."""
    engine.set_locale(chat.address, locale)
    with Session(database) as session, session.begin():
        person = find_person(session, chat.address.person)
        person.display_name = name
        person.onboarded_at = person.onboarding_offered_at = clock.now
        return person.id


def organisation_of(database: Engine, person_id: int) -> int:
    with Session(database) as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.organisation_id


def active_flow(database: Engine) -> str | None:
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        return dialog.flow_id if dialog else None
