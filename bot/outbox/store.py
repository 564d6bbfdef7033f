"""The outbox rows: claiming due deliveries with a lease, and recording what happened.

A claimed row is `sending` with `lease_until`; a replica that dies mid-send leaves it so,
and once the lease has passed another replica claims it again under the same key (its
outcome was unknown, so it is retried). On PostgreSQL the claim uses
`FOR UPDATE SKIP LOCKED`, so replicas never wait for or take each other's rows; on SQLite
the write lock of the transaction does the same for the single process that writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from bot.storage.models import Delivery, table_of

PENDING, SENDING, SENT = "pending", "sending", "sent"
SKIPPED, EXPIRED, DEAD = "skipped", "expired", "dead"
STATES: tuple[str, ...] = (PENDING, SENDING, SENT, SKIPPED, EXPIRED, DEAD)
FIRST_KIND = "enrolled"
TEXT_FLOW = "text:"  # a delivery whose flow_id starts so is one text, not a conversation
GROUP_KIND = "group"  # one text to several people together; its context names "members"
_deliveries = table_of(Delivery)


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
    chosen = (
        select(_deliveries.c.id).where(due).order_by(_deliveries.c.next_attempt_at).limit(limit)
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
