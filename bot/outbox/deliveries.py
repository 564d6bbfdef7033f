"""The outbox's front door: every proactive message enters as a delivery row here, and the
dispatcher claims and finishes it here. No other module queues, claims or changes a
delivery (erasing a person deletes theirs, with the rest of their data: bot.privacy).

- `key` builds every idempotency key (kind, then the parts that make it unique); a second
  enqueue of the same key does nothing, so a sweep, a round or a session opened twice (or
  by two replicas) still sends one message.
- `enqueue` adds rows that carry a start context (pairing rounds, work sessions, held
  replies); `Batch` adds many context-free rows in one statement (the due sweep's nudges).
- `claim`, `renew`, then `finish`, `retry` or `defer`: the dispatcher's side.

A claimed row is `sending` with `lease_until`; a replica that dies mid-send leaves it so,
and once the lease has passed another replica claims it again under the same key (its
outcome was unknown, so it is retried). On PostgreSQL the claim uses
`FOR UPDATE SKIP LOCKED`, so replicas never wait for or take each other's rows; on SQLite
the write lock of the transaction does the same for the single process that writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.bulk import day_writer, insert_many, instant_writer
from bot.storage.models import Delivery, table_of

PENDING, SENDING, SENT = "pending", "sending", "sent"
SKIPPED, EXPIRED, DEAD = "skipped", "expired", "dead"
STATES: tuple[str, ...] = (PENDING, SENDING, SENT, SKIPPED, EXPIRED, DEAD)
# The kinds of delivery (its key's first part), those the outbox itself treats apart:
NUDGE, REMINDER, CHECK_IN = "nudge", "reminder", "checkin"  # a rhythm's, from the due sweep
FIRST_KIND = "enrolled"  # a cohort's welcome: sent before anything else of that cohort
TEXT_FLOW = "text:"  # a delivery whose flow_id starts so is one text, not a conversation
GROUP_KIND = "group"  # one text to several people together; its context names "members"
_deliveries = table_of(Delivery)


KEY_LENGTH = 160  # the column's width


def key(kind: str, *parts: object) -> str:
    """The idempotency key of a delivery: its kind, then what makes it unique, colon-joined
    ("nudge:12:diary:2026-03-02", "ws_agenda:7"). Existing rows keep deduplicating, so
    the form of a key never changes."""
    return ":".join((kind, *map(str, parts)))


# -- enqueue --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """A message to send later, with the context its flow or text starts from."""

    key: str
    person_id: int
    kind: str
    rhythm: str
    flow_id: str
    local_date: date
    due_at: datetime
    expires_at: datetime
    context: dict[str, Any]
    note: str | None = None  # why it was queued (kept as `last_error` until it is tried)


def enqueue(connection: Connection, items: Iterable[NewDelivery], now: datetime) -> None:
    """Queue the deliveries in the caller's transaction; a key queued before is left alone."""
    rows = [{
        "key": item.key, "person_id": item.person_id, "kind": item.kind,
        "rhythm": item.rhythm, "flow_id": item.flow_id, "local_date": item.local_date,
        "state": PENDING, "attempts": 0, "due_at": item.due_at,
        "next_attempt_at": item.due_at, "expires_at": item.expires_at,
        "last_error": item.note, "context": item.context, "created_at": now,
        "updated_at": now,
    } for item in items]
    if rows:
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(insert(_deliveries).on_conflict_do_nothing(index_elements=["key"]),
                           rows)


def withdraw(connection: Connection, key_prefix: str) -> None:
    """Take back the pending deliveries whose key starts with `key_prefix` (a reminder
    that has no reason any more); those already sent or being sent stay as they are."""
    connection.execute(delete(_deliveries).where(
        _deliveries.c.key.like(f"{key_prefix}%"), _deliveries.c.state == PENDING))


@dataclass(frozen=True, slots=True)
class Enqueued:
    person_id: int
    rhythm: str
    kind: str
    key: str
    local_date: str


# Plain SQL valid on SQLite and PostgreSQL alike (see bot.storage.bulk). A key that is
# already there (another sweep, another replica) is left as it is: one nudge per period.
_INSERT_HEAD = (
    "INSERT INTO deliveries (key, person_id, kind, rhythm, flow_id, local_date, state, "
    "attempts, due_at, next_attempt_at, expires_at, created_at, updated_at)"
)
_INSERT_ROW = "(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)"
_INSERT_TAIL = "ON CONFLICT (key) DO NOTHING"


class Batch:
    """Many context-free deliveries (nudges) written in one statement, in the driver's own
    value form: a sweep of a whole population costs one insert, not one per person."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self.connection = connection
        self.instant = instant_writer(connection)
        self.day = day_writer(connection)
        self.stamp = self.instant(now)
        self.rows: list[tuple[object, ...]] = []
        self.enqueued: list[Enqueued] = []
        self._converted: dict[tuple[object, ...], tuple[Any, ...]] = {}

    def add(self, kind: str, person_id: int, rhythm: str, flow_id: str, period: str,
            local_date: date, due_at: datetime, send_at: datetime,
            expires_at: datetime) -> None:
        """One nudge of `rhythm` for the local `period`; its key is
        `key(kind, person_id, rhythm, period)`."""
        # Many rows share one moment (same rules, same sweep): convert its values once.
        cache_key = (due_at, local_date, send_at, expires_at)
        shared = self._converted.get(cache_key)
        if shared is None:
            instant = self.instant
            shared = self._converted[cache_key] = (
                self.day(local_date), instant(due_at), instant(send_at), instant(expires_at),
                local_date.isoformat(),
            )
        day, at, send, expires, local_day = shared
        delivery_key = key(kind, person_id, rhythm, period)
        self.rows.append((delivery_key, person_id, kind, rhythm, flow_id, day, at, send,
                          expires, self.stamp, self.stamp))
        self.enqueued.append(Enqueued(person_id, rhythm, kind, delivery_key, local_day))

    def write(self) -> None:
        insert_many(self.connection, _INSERT_HEAD, _INSERT_ROW, self.rows, _INSERT_TAIL)
        self.rows.clear()


# -- claim and finish -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    key: str
    person_id: int
    kind: str
    rhythm: str
    flow_id: str
    local_date: date
    attempts: int  # including this one
    due_at: datetime
    expires_at: datetime
    context: dict[str, Any] | None = None  # the flow's start context (pairing messages)


def claim(
    connection: Connection, now: datetime, worker: str, limit: int, lease_seconds: int
) -> list[Claimed]:
    """Take up to `limit` deliveries that are due (or whose lease ran out) for `worker`."""
    due = or_(
        and_(_deliveries.c.state == PENDING, _deliveries.c.next_attempt_at <= now),
        and_(_deliveries.c.state == SENDING, _deliveries.c.lease_until <= now),
    )
    # In the order people became due: a retry or a delivery put back keeps its place, and
    # a person whose local 9:00 came first is sent to first (nobody waits for a stranger).
    chosen = (
        select(_deliveries.c.id).where(due)
        .order_by(_deliveries.c.due_at, _deliveries.c.id).limit(limit)
    )
    if connection.dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    claimed = connection.execute(
        update(_deliveries)
        .where(_deliveries.c.id.in_(chosen.scalar_subquery()))
        .values(state=SENDING, claimed_by=worker, attempts=_deliveries.c.attempts + 1,
                lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(
            _deliveries.c.id, _deliveries.c.key, _deliveries.c.person_id, _deliveries.c.kind,
            _deliveries.c.rhythm, _deliveries.c.flow_id, _deliveries.c.local_date,
            _deliveries.c.attempts, _deliveries.c.due_at, _deliveries.c.expires_at,
            _deliveries.c.context,
        )
    ).all()
    rows = [Claimed(*row) for row in claimed]
    # Being told you were enrolled comes before anything else of that cohort; then the
    # tightest window first (today's diary before a weekly nudge being caught up).
    return sorted(rows, key=lambda row: (row.kind != FIRST_KIND, row.expires_at, row.id))


def _change(connection: Connection, delivery_id: int, worker: str, **values: object) -> bool:
    """Change a row this worker still holds; False when another took it over meanwhile."""
    changed = connection.execute(
        update(_deliveries)
        .where(_deliveries.c.id == delivery_id, _deliveries.c.state == SENDING,
               _deliveries.c.claimed_by == worker)
        .values(**{"lease_until": None, **values})
    )
    return changed.rowcount == 1


def renew(connection: Connection, delivery_id: int, worker: str, now: datetime,
          lease_seconds: int) -> bool:
    """Still ours? Then the lease starts again; False when another worker took it over."""
    return _change(connection, delivery_id, worker,
                   lease_until=now + timedelta(seconds=lease_seconds), updated_at=now)


def finish(
    connection: Connection, delivery_id: int, worker: str, state: str, now: datetime,
    reason: str | None = None, platform: str | None = None, tenant: str | None = None,
) -> bool:
    """Record the outcome (sent, skipped, expired, dead); False when another worker took
    the row over meanwhile."""
    values: dict[str, object] = {"state": state, "updated_at": now, "last_error": reason}
    if state == SENT:
        values.update(sent_at=now, platform=platform, tenant=tenant)
    return _change(connection, delivery_id, worker, **values)


def retry(
    connection: Connection, delivery_id: int, worker: str, at: datetime, now: datetime,
    reason: str,
) -> bool:
    return _change(connection, delivery_id, worker, state=PENDING, next_attempt_at=at,
                   last_error=reason, updated_at=now)


def defer(
    connection: Connection, delivery_id: int, worker: str, at: datetime, now: datetime,
    reason: str,
) -> bool:
    """Not tried yet (the person is busy, or pacing says wait): no attempt is counted."""
    return _change(connection, delivery_id, worker, state=PENDING, next_attempt_at=at,
                   attempts=_deliveries.c.attempts - 1, last_error=reason, updated_at=now)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    key: str
    attempts: int
    reason: str
    at: datetime


@dataclass(slots=True)
class OutboxStatus:
    counts: dict[str, int] = field(default_factory=dict)
    oldest_pending: datetime | None = None
    dead: list[DeadLetter] = field(default_factory=list)


def status(connection: Connection, dead_limit: int = 20) -> OutboxStatus:
    result = OutboxStatus(counts=dict.fromkeys(STATES, 0))
    for state, count in connection.execute(
        select(_deliveries.c.state, func.count()).group_by(_deliveries.c.state)
    ):
        result.counts[state] = count
    result.oldest_pending = connection.execute(
        select(_deliveries.c.next_attempt_at)
        .where(_deliveries.c.state == PENDING)
        .order_by(_deliveries.c.next_attempt_at)
        .limit(1)
    ).scalar()
    dead = connection.execute(
        select(_deliveries.c.key, _deliveries.c.attempts, _deliveries.c.last_error,
               _deliveries.c.updated_at)
        .where(_deliveries.c.state == DEAD)
        .order_by(_deliveries.c.updated_at.desc())
        .limit(dead_limit)
    )
    result.dead = [
        DeadLetter(key, attempts, reason or "", at) for key, attempts, reason, at in dead
    ]
    return result
