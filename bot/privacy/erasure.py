"""The right to be forgotten: remove every row about one person, keep only anonymous counts.

Every column that points at `people.id` is marked where it is declared (bot.storage.models,
`owner()` or `mention()`, see bot.storage.privacy_marks); `PERSON_REFERENCES` is derived from
those marks, so a new table cannot quietly keep someone (a test fails for a foreign key to
people without a mark):

- `delete`: the row is theirs (their answers, plans, contracts, memberships, conversation
  state, outbox deliveries and dead letters, platform accounts and sessions). Cases they
  brought to intervision go with everything said in them; what they said in other people's
  cases, their workshop answers and votes, their agenda items and votes, their experiments
  with the logs are deleted too. A pairing round stays: only their member row goes, so the
  partner's history (who met whom) still reads right.
- `null`: the row belongs to someone else or to a team and only mentions them (a partner's
  contract shared with them, a steady colleague set to them, a work session they
  facilitated, a team decision they owned: owner and note cleared, the decision stays).

Rows without a foreign key are found by the person's platform accounts (tables marked with
`accounts`: Teams conversation references). A colleague's dialog that quotes their shared
contract loses the quote and, when still open, ends. Slack's own install records (installer
ids, tokens) belong to the workspace and are not touched.

What stays is a tally per organisation and month of deletion (`deleted_person_tallies`):
how many people, diary entries, plans, … (the tables marked `tally`) were removed, with no
id, name or date of any record, so an organisation's totals over time stay honest. The
dashboard only counts the people who are still there: their groups simply get smaller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, MetaData, Table, delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.privacy.export import UnknownPerson
from bot.storage.models import (
    Base,
    DeletedPersonTally,
    Dialog,
    Identity,
    Person,
    table_of,
)
from bot.storage.privacy_marks import PEOPLE, references, table_mark

Action = Literal["delete", "null"]



def _derived_references(metadata: MetaData) -> tuple[tuple[str, str, Action], ...]:
    """Every (table, column) marked owner() or mention() and what deleting the person does
    to it, in the order it is done: mentions are cleared first, then the person's rows go
    children before parents (what hangs under a row of theirs goes before that row, and
    records before the dialogs they came from), so no cascade or SET NULL does work for
    nothing and a cascade never removes a row of theirs before it is counted."""
    marked = list(references(metadata))
    position = {table.name: n for n, table in enumerate(reversed(metadata.sorted_tables))}
    cleared: list[tuple[str, str, Action]] = [
        (t.name, c.name, "null") for t, c, m in marked if m.kind == "mention"]
    removed: list[tuple[str, str, Action]] = sorted(
        ((t.name, c.name, "delete") for t, c, m in marked if m.kind == "owner"),
        key=lambda reference: position[reference[0]])
    return (*cleared, *removed)


# Every (table, column) referring to people.id and what deleting the person does to it.
PERSON_REFERENCES: tuple[tuple[str, str, Action], ...] = _derived_references(Base.metadata)

# More to clear on a row that only mentions them: their own words on someone else's row.
CLEARED_WITH: Mapping[tuple[str, str], tuple[str, ...]] = {
    (table.name, column.name): mark.clears
    for table, column, mark in references(Base.metadata)
    if mark.clears
}

# The kinds of record an organisation's tally keeps a count of (besides the people).
TALLIED = tuple(
    table.name for table in Base.metadata.tables.values()
    if (mark := table_mark(table)) is not None and mark.erasure == "tally"
    and table.name != PEOPLE
)

# Tables without a foreign key to people whose rows name a person by platform account:
# (table, its (platform, tenant, user) columns).
BY_ACCOUNT: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (table.name, mark.accounts) for table in Base.metadata.tables.values()
    if (mark := table_mark(table)) is not None and mark.accounts
)

# Context keys by which someone else's dialog quotes this person (a shared contract).
AUTHOR_KEY = "author_id"

_people = table_of(Person)
_identities = table_of(Identity)
_dialogs = table_of(Dialog)
_tallies = table_of(DeletedPersonTally)


@dataclass(slots=True)
class Deletion:
    """What deleting one person did, table by table (rows removed, rows only cleared)."""

    person_id: int
    organisation_id: int
    removed: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class NoSuchPerson(UnknownPerson):
    """The person is not (or no longer) there."""


def person_references(metadata: MetaData | None = None) -> list[tuple[str, str]]:
    """Every (table, column) of the schema with a foreign key to people.id."""
    return sorted(
        (table.name, key.parent.name)
        for table in (metadata or Base.metadata).sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == _people.name and key.column.name == "id"
    )


def delete_person(
    connection_or_session: Connection | Session, person_id: int, now: datetime
) -> Deletion:
    """Remove every row about the person in the caller's transaction (commit is theirs);
    raise NoSuchPerson when there is nobody to remove."""
    connection = (
        connection_or_session.connection()
        if isinstance(connection_or_session, Session)
        else connection_or_session
    )
    found = select(_people.c.organisation_id).where(_people.c.id == person_id)
    if connection.dialect.name == "postgresql":
        found = found.with_for_update()  # a turn of theirs running now waits for this one
    organisation_id = connection.execute(found).scalar_one_or_none()
    if organisation_id is None:
        raise NoSuchPerson(f"no person with id {person_id}")
    done = Deletion(person_id, int(organisation_id))
    accounts = connection.execute(
        select(_identities.c.platform, _identities.c.tenant, _identities.c.external_id)
        .where(_identities.c.person_id == person_id)
    ).all()
    _unquote(connection, person_id, now, done)
    tables = Base.metadata.tables
    for table_name, column_name, action in PERSON_REFERENCES:
        table = tables[table_name]
        column = table.c[column_name]
        if action == "delete":
            count = connection.execute(delete(table).where(column == person_id)).rowcount
            _add(done.removed, table_name, count)
        else:
            values: dict[str, Any] = dict.fromkeys(
                CLEARED_WITH.get((table_name, column_name), ()))
            values[column_name] = None
            count = connection.execute(
                update(table).where(column == person_id).values(**values)).rowcount
            _add(done.cleared, table_name, count)
    for table_name, account_columns in BY_ACCOUNT if accounts else ():
        table = tables[table_name]
        count = connection.execute(delete(table).where(
            tuple_(*(table.c[name] for name in account_columns))
            .in_([tuple(account) for account in accounts])
        )).rowcount
        _add(done.removed, table_name, count)
    connection.execute(delete(_people).where(_people.c.id == person_id))
    done.removed["people"] = 1
    _tally(connection, done, now)
    return done


def _add(into: dict[str, int], table: str, count: int | None) -> None:
    if count:
        into[table] = into.get(table, 0) + count


def _unquote(connection: Connection, person_id: int, now: datetime, done: Deletion) -> None:
    """Other people's dialogs that quote this person (a contract shared with a colleague)
    lose the quote; an open one ends, as the contract it answers is gone."""
    rows = connection.execute(
        select(_dialogs.c.id, _dialogs.c.status, _dialogs.c.context).where(
            _dialogs.c.person_id != person_id,
            _dialogs.c.flow_id == "contract_response",
        )
    ).all()
    for dialog_id, status, context in rows:
        if not isinstance(context, dict) or context.get(AUTHOR_KEY) != person_id:
            continue
        values: dict[str, Any] = {"context": {}, "version": _dialogs.c.version + 1}
        if status == "active":
            values |= {"status": "stopped", "step_id": None, "ended_at": now,
                       "end_noticed": True}
        connection.execute(update(_dialogs).where(_dialogs.c.id == dialog_id).values(**values))
        _add(done.cleared, _dialogs.name, 1)


def _tally(connection: Connection, done: Deletion, now: datetime) -> None:
    """Add the counts to the organisation's anonymous tally of this month."""
    month = date(now.year, now.month, 1)
    counts = {"people": 1} | {kind: done.removed.get(kind, 0) for kind in TALLIED}
    rows = [
        {"organisation_id": done.organisation_id, "month": month, "kind": kind, "count": count}
        for kind, count in counts.items()
        if count
    ]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_tallies)
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=[_tallies.c.organisation_id, _tallies.c.month, _tallies.c.kind],
            set_={"count": _tallies.c.count + statement.excluded["count"]},
        ),
        rows,
    )


def tallies(connection: Connection, organisation_id: int) -> list[tuple[date, str, int]]:
    """An organisation's anonymous tally: (month, kind, count), oldest first."""
    return [
        (month, kind, int(count))
        for month, kind, count in connection.execute(
            select(_tallies.c.month, _tallies.c.kind, _tallies.c.count)
            .where(_tallies.c.organisation_id == organisation_id)
            .order_by(_tallies.c.month, _tallies.c.kind)
        )
    ]


def counts(connection: Connection, person_id: int) -> dict[str, int]:
    """How many rows of each tallied kind the person has (for the confirmation question)."""
    tables = Base.metadata.tables
    found: dict[str, int] = {}
    for table_name, column_name, action in PERSON_REFERENCES:
        if action != "delete" or table_name not in TALLIED:
            continue
        table: Table = tables[table_name]
        count = connection.execute(
            select(func.count()).select_from(table).where(table.c[column_name] == person_id)
        ).scalar_one()
        if count:
            found[table_name] = int(count)
    return found
