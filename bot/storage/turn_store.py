"""The engine's hot path to the database: a few prebuilt Core statements, plain dataclasses.

A turn reads the person, their platform account and their active dialog in one joined
SELECT (locking the person's row on PostgreSQL), and writes the dialog back with one UPDATE
guarded by its version, so a concurrent change is detected instead of overwritten. The ORM
models define the schema; going around the ORM here is what keeps a turn well under a
millisecond on SQLite.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, literal_column, select, update

from bot.storage.models import Dialog, Identity, Person, ProcessedEvent, table_of
from bot.storage.prepared import Prepared

ACTIVE = "active"


class Conflict(RuntimeError):
    """The dialog changed under us (another turn won); the whole turn is retried."""


@dataclass(slots=True)
class PersonState:
    id: int
    organisation_id: int
    display_name: str
    locale: str
    timezone: str
    workdays: str
    diary_time: time
    status: str
    onboarded_at: datetime | None
    onboarding_offered_at: datetime | None
    paused_until: date | None
    steady_colleague_id: int | None
    identity_id: int
    platform: str
    tenant: str
    external_id: str
    conversation: str
    last_seen_at: datetime
    locale_chosen: bool = False  # given, not defaulted (onboarding does not ask again)


@dataclass(slots=True)
class DialogState:
    person_id: int
    flow_id: str
    local_date: date
    started_at: datetime
    updated_at: datetime
    expires_at: datetime
    status: str = ACTIVE
    step_id: str | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    address: dict[str, Any] = field(default_factory=dict)
    snoozed_until: datetime | None = None
    ended_at: datetime | None = None
    end_noticed: bool = True
    version: int = 1
    id: int = 0


# PersonState's fields read from the person's platform account (identities); the others are
# the person's own columns (people).
ACCOUNT_FIELDS = ("identity_id", "platform", "tenant", "external_id", "conversation",
                  "last_seen_at")
PERSON_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(PersonState))
PERSON_FIELDS = tuple(name for name in PERSON_STATE_FIELDS if name not in ACCOUNT_FIELDS)
PERSON_UPDATABLE = ("display_name", "locale", "timezone", "workdays", "diary_time", "status",
                    "onboarded_at", "onboarding_offered_at", "paused_until", "steady_colleague_id",
                    "locale_chosen")
DIALOG_FIELDS = tuple(f.name for f in dataclasses.fields(DialogState))
DIALOG_MUTABLE = ("status", "step_id", "answers", "context", "updated_at", "expires_at",
                  "snoozed_until", "ended_at", "end_noticed")

_person_t = table_of(Person)
_identity_t = table_of(Identity)
_dialog_t = table_of(Dialog)
_events_t = table_of(ProcessedEvent)

# Every column of a turn's joined SELECT is named after the field it fills: the person's by
# PersonState's names (the account's id as identity_id), the dialog's as d_<DialogState name>.
_person_columns = [_person_t.c[name] for name in PERSON_FIELDS]
_identity_columns = [
    _identity_t.c.id.label("identity_id"),
    *(_identity_t.c[name] for name in ACCOUNT_FIELDS if name != "identity_id"),
]
_dialog_columns = [_dialog_t.c[name].label(f"d_{name}") for name in DIALOG_FIELDS]

# The status is written as a literal, not a bound parameter: only then can SQLite use the
# partial index of active dialogs (a bound value made this lookup five times slower).
_IS_ACTIVE = _dialog_t.c.status == literal_column(f"'{ACTIVE}'")
_active_join = and_(_dialog_t.c.person_id == _person_t.c.id, _IS_ACTIVE)

_OF_ACCOUNT = (
    _identity_t.c.platform == bindparam("platform"),
    _identity_t.c.tenant == bindparam("tenant"),
    _identity_t.c.external_id == bindparam("external_id"),
)
_BY_ACCOUNT = Prepared(
    select(*_person_columns, *_identity_columns, *_dialog_columns)
    .select_from(
        _identity_t.join(_person_t, _person_t.c.id == _identity_t.c.person_id).outerjoin(
            _dialog_t, _active_join
        )
    )
    .where(*_OF_ACCOUNT)
)
# PostgreSQL (READ COMMITTED) re-reads only the locked row after waiting for a lock, so the
# dialog must be read by a statement that starts after the lock is held: lock, then read.
_LOCK_BY_ACCOUNT = Prepared(
    select(_person_t.c.id)
    .select_from(_identity_t.join(_person_t, _person_t.c.id == _identity_t.c.person_id))
    .where(*_OF_ACCOUNT)
    .with_for_update(of=_person_t)
)

_BY_PERSON = Prepared(
    select(*_person_columns, *_identity_columns, *_dialog_columns)
    .select_from(
        _person_t.join(_identity_t, _identity_t.c.person_id == _person_t.c.id).outerjoin(
            _dialog_t, _active_join
        )
    )
    .where(_person_t.c.id == bindparam("person_id"))
    .order_by(_identity_t.c.last_seen_at.desc(), _identity_t.c.id.desc())
    .limit(1)
)
_LOCK_PERSON = Prepared(
    select(_person_t.c.id).where(_person_t.c.id == bindparam("person_id")).with_for_update()
)

_SAVE_DIALOG = Prepared(
    update(_dialog_t)
    .where(_dialog_t.c.id == bindparam("b_id"), _dialog_t.c.version == bindparam("b_version"))
    .values(
        {name: bindparam(f"b_{name}") for name in DIALOG_MUTABLE}
        | {"version": bindparam("b_new_version")}
    )
)
_INSERT_DIALOG = Prepared(
    insert(_dialog_t)
    .values({name: bindparam(name) for name in DIALOG_FIELDS if name != "id"})
    .returning(_dialog_t.c.id)
)
_UNTOLD = Prepared(select(*[_dialog_t.c[name] for name in DIALOG_FIELDS]).where(
    _dialog_t.c.person_id == bindparam("person_id"), _dialog_t.c.end_noticed.is_(False)
))
_DUE = Prepared(select(*[_dialog_t.c[name] for name in DIALOG_FIELDS]).where(
    _IS_ACTIVE, _dialog_t.c.expires_at <= bindparam("now")
))
_SEEN = Prepared(select(_events_t.c.event_id).where(
    _events_t.c.platform == bindparam("platform"),
    _events_t.c.conversation == bindparam("conversation"),
    _events_t.c.event_id == bindparam("event_id"),
))
_MARK_SEEN = Prepared(
    insert(_events_t).values(
        platform=bindparam("platform"),
        conversation=bindparam("conversation"),
        event_id=bindparam("event_id"),
        received_at=bindparam("received_at"),
    )
)
_SAVE_PERSON = Prepared(
    update(_person_t)
    .where(_person_t.c.id == bindparam("b_id"))
    .values({name: bindparam(f"b_{name}") for name in PERSON_UPDATABLE})
)
_TOUCH_IDENTITY = Prepared(
    update(_identity_t)
    .where(_identity_t.c.id == bindparam("b_id"))
    .values(conversation=bindparam("b_conversation"), last_seen_at=bindparam("b_last_seen_at"))
)


@dataclass(frozen=True, slots=True)
class _JoinedReader:
    """Reads a person and their active dialog off a turn's joined row, by column name."""

    person: Callable[[Sequence[Any]], tuple[Any, ...]]
    dialog: Callable[[Sequence[Any]], tuple[Any, ...]]

    @classmethod
    def of(cls, statement: Prepared) -> _JoinedReader:
        # the dialog's id comes last, where an outer join's miss is told by its NULL
        return cls(statement.reader(*PERSON_STATE_FIELDS),
                   statement.reader(*(f"d_{name}" for name in DIALOG_FIELDS)))

    def __call__(self, row: Sequence[Any]) -> tuple[PersonState, DialogState | None]:
        dialog = self.dialog(row)
        return PersonState(*self.person(row)), (
            None if dialog[-1] is None else DialogState(*dialog))


_READ_BY_ACCOUNT = _JoinedReader.of(_BY_ACCOUNT)
_READ_BY_PERSON = _JoinedReader.of(_BY_PERSON)
_INSERTED_ID = _INSERT_DIALOG.reader("id")
_READ_UNTOLD = _UNTOLD.reader(*DIALOG_FIELDS)
_READ_DUE = _DUE.reader(*DIALOG_FIELDS)


class TurnStore:
    """Reads and writes of one turn, on the turn's connection (inside its transaction)."""

    def __init__(self, connection: Connection, lock_rows: bool) -> None:
        self.connection = connection
        self.lock_rows = lock_rows

    def by_account(
        self, platform: str, tenant: str, external_id: str
    ) -> tuple[PersonState, DialogState | None] | None:
        params = {"platform": platform, "tenant": tenant, "external_id": external_id}
        if self.lock_rows:
            _LOCK_BY_ACCOUNT.first(self.connection, params)
        row = _BY_ACCOUNT.first(self.connection, params)
        return None if row is None else _READ_BY_ACCOUNT(row)

    def by_person(self, person_id: int) -> tuple[PersonState, DialogState | None] | None:
        """The person, reached through the account they used most recently."""
        if self.lock_rows:
            _LOCK_PERSON.first(self.connection, {"person_id": person_id})
        row = _BY_PERSON.first(self.connection, {"person_id": person_id})
        return None if row is None else _READ_BY_PERSON(row)

    def insert_dialog(self, dialog: DialogState) -> None:
        values = {name: getattr(dialog, name) for name in DIALOG_FIELDS if name != "id"}
        row = _INSERT_DIALOG.first(self.connection, values)
        assert row is not None
        [dialog.id] = _INSERTED_ID(row)

    def save_dialog(self, dialog: DialogState) -> None:
        params = {f"b_{name}": getattr(dialog, name) for name in DIALOG_MUTABLE}
        params |= {"b_id": dialog.id, "b_version": dialog.version,
                   "b_new_version": dialog.version + 1}
        if _SAVE_DIALOG.run(self.connection, params) != 1:
            raise Conflict(f"dialog {dialog.id} changed concurrently")
        dialog.version += 1

    def save_person(self, person: PersonState) -> None:
        params = {f"b_{name}": getattr(person, name) for name in PERSON_UPDATABLE}
        _SAVE_PERSON.run(self.connection, {**params, "b_id": person.id})

    def touch_identity(self, person: PersonState) -> None:
        _TOUCH_IDENTITY.run(
            self.connection,
            {"b_id": person.identity_id, "b_conversation": person.conversation,
             "b_last_seen_at": person.last_seen_at},
        )

    def untold_endings(self, person_id: int) -> list[DialogState]:
        rows = _UNTOLD.all(self.connection, {"person_id": person_id})
        return [DialogState(*_READ_UNTOLD(row)) for row in rows]

    def due_for_expiry(self, now: datetime) -> list[DialogState]:
        rows = _DUE.all(self.connection, {"now": now})
        return [DialogState(*_READ_DUE(row)) for row in rows]

    def first_time_seen(self, platform: str, conversation: str, event_id: str,
                        now: datetime) -> bool:
        """Record a platform event id within its conversation ("" for ids unique across
        the platform); False if it was recorded before (a retry)."""
        params = {"platform": platform, "conversation": conversation, "event_id": event_id}
        if _SEEN.first(self.connection, params) is not None:
            return False
        _MARK_SEEN.run(self.connection, {**params, "received_at": now})
        return True
