"""The send budget of a workspace or tenant, shared by every replica through the database.

Why the database: the replicas share nothing else, and it is already there (PostgreSQL;
on SQLite there is one process, which takes the same path). One row per (platform,
tenant) in `send_budgets` hands out send *slots*, instants 1/rate apart: `next_slot` is the
first instant not yet given out. A replica asks for as many slots as it has sends waiting,
at most `horizon` seconds ahead, in one UPDATE ... RETURNING (one round trip, one short row
lock), and sends on them. Every replica draws from the same row, so together they stay
within the budget, however many there are.

A 429 with Retry-After moves the row's `held_until` (and `next_slot`) past the wait: every
replica's next claim starts after it. The rate adapts (AIMD): it starts at the configured
limit, is cut by `DECREASE` on the first 429 of a hold, and grows back by `INCREASE` of the
limit per calm second, never above the limit.

Slots a replica already holds when another replica is told 429 may still be used: at most
one horizon's worth. Slots are instants of the replicas' wall clocks, which NTP keeps within
milliseconds of each other: far less than the 125 ms between two slots at 8 a second.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Integer, case, cast, func, literal, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement

from bot.outbox.pacing import Limits
from bot.storage.models import SendBudget, table_of

DECREASE = 0.7  # the rate after a 429, as a share of what it was
INCREASE = 1 / 60  # of the limit per calm second: from 70% back to the limit in 18 s
FLOOR = 0.05  # of the limit: the rate is never cut below this
HORIZON_SECONDS = 1.0  # slots are given out at most this far ahead
MAX_WAIT_SECONDS = 30.0  # a send that would wait longer is put back into the outbox
_budgets = table_of(SendBudget)


@dataclass(frozen=True, slots=True)
class Grant:
    """The answer of one claim: the slots given (wall-clock instants) and the row's state."""

    slots: list[float]
    next_slot: float
    rate: float


def _greatest(connection: Connection, *values: Any) -> ColumnElement[Any]:
    name = "greatest" if connection.dialect.name == "postgresql" else "max"
    return getattr(func, name)(*values)  # type: ignore[no-any-return]


def _least(connection: Connection, *values: Any) -> ColumnElement[Any]:
    name = "least" if connection.dialect.name == "postgresql" else "min"
    return getattr(func, name)(*values)  # type: ignore[no-any-return]


def _floor(connection: Connection, value: ColumnElement[Any]) -> ColumnElement[Any]:
    """Rounded down to a whole number (SQLite's cast truncates, PostgreSQL's rounds)."""
    if connection.dialect.name == "postgresql":
        return cast(func.floor(value), Integer)
    return cast(value, Integer)


def soft_commit(connection: Connection) -> None:
    """The budget is soft state: a crash that forgets the last claim re-issues at most a
    horizon of slots. So on PostgreSQL its transaction does not wait for the WAL to reach
    the disk (SET LOCAL: this transaction only), which makes a claim a fraction of a
    millisecond instead of a disk flush."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")


def ensure(connection: Connection, platform: str, tenant: str, limit: float,
           now: float) -> None:
    """The row for this workspace, at the full limit, unless it is there already."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(_budgets).values(
        platform=platform, tenant=tenant, rate=limit, next_slot=now, held_until=0.0,
        changed_at=now, granted=0,
    ).on_conflict_do_nothing(index_elements=["platform", "tenant"]))


def claim(connection: Connection, platform: str, tenant: str, limit: float, want: int,
          now: float, horizon: float = HORIZON_SECONDS) -> Grant | None:
    """Up to `want` slots from `now + horizon` on, in one statement; None without a row.

    All SET expressions read the row as it was, so the rate used for spacing is the one
    raised for the calm time since the last change (additive increase)."""
    c = _budgets.c
    calm = _greatest(connection, literal(0.0), now - _greatest(connection, c.changed_at,
                                                                c.held_until))
    rate = _least(connection, literal(limit), c.rate + limit * INCREASE * calm)
    start = _greatest(connection, c.next_slot, literal(now), c.held_until)
    room = _greatest(connection, literal(0.0), (now + horizon - start) * rate + 1.0)
    granted = _least(connection, literal(want), _floor(connection, room))
    row = connection.execute(
        update(_budgets)
        .where(c.platform == platform, c.tenant == tenant)
        .values(rate=rate, changed_at=_greatest(connection, c.changed_at, literal(now)),
                next_slot=start + granted / rate, granted=granted)
        .returning(c.next_slot, c.granted, c.rate)
    ).first()
    if row is None:
        return None
    next_slot, count, new_rate = float(row[0]), int(row[1]), float(row[2])
    first = next_slot - count / new_rate
    return Grant([first + index / new_rate for index in range(count)], next_slot, new_rate)


def hold(connection: Connection, platform: str, tenant: str, limit: float, until: float,
         now: float) -> None:
    """The platform said 429: no slot before `until` for any replica, and the rate cut
    once per hold (the other sends that were under way and hear 429 too do not cut it
    again)."""
    c = _budgets.c
    first_of_hold = c.held_until <= now
    connection.execute(
        update(_budgets)
        .where(c.platform == platform, c.tenant == tenant)
        .values(
            rate=case((first_of_hold, _greatest(connection, literal(limit * FLOOR),
                                                c.rate * DECREASE)), else_=c.rate),
            held_until=_greatest(connection, c.held_until, literal(until)),
            next_slot=_greatest(connection, c.next_slot, literal(until)),
            changed_at=_greatest(connection, c.changed_at, literal(until)),
        )
    )


@dataclass(slots=True)
class _Local:
    """This replica's share of one budget: slots claimed and not yet used."""

    slots: deque[float] = field(default_factory=deque)
    waiting: int = 0
    known: bool = False  # the row exists
    next_slot: float = 0.0  # as the last claim left the row: no slot is free before it
    rate: float = 1.0  # as the last claim left the row
    _lock: asyncio.Lock | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def lock(self) -> asyncio.Lock:
        """One claim at a time per tenant; a new lock for each event loop (each
        `asyncio.run` of a command or test)."""
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock


class SharedBudgets:
    """Slots for sends per (platform, tenant), drawn from the shared rows in batches."""

    def __init__(
        self,
        database: Engine,
        limits: Mapping[str, Limits],
        *,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        horizon: float = HORIZON_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.database = database
        self.limits = dict(limits)
        self.wall = wall
        self.sleep = sleep
        self.horizon = horizon
        self.max_wait = max_wait
        self.round_trips = 0  # claims and holds sent to the database (the cost per send)
        self._local: dict[tuple[str, str], _Local] = {}

    def _claim(self, platform: str, tenant: str, limit: float, want: int, local: _Local
               ) -> Grant:
        now = self.wall()
        with self.database.begin() as connection:
            soft_commit(connection)
            if not local.known:
                ensure(connection, platform, tenant, limit, now)
                local.known = True
            self.round_trips += 1
            grant = claim(connection, platform, tenant, limit, want, now, self.horizon)
        if grant is None:  # the row went away (a test reset it): make it again next time
            local.known = False
            return Grant([], now, limit)
        return grant

    async def reserve(self, platform: str, tenant: str, coming: int = 1) -> float:
        """This replica's next slot of the tenant, as the seconds to wait for it (0: send
        now). `coming`: how many sends (this one included) will ask soon, so that one claim
        serves them. Unpaced platforms: 0 at once, no database."""
        slot = await self.slot(platform, tenant, coming)
        return 0.0 if slot is None else max(0.0, slot - self.wall())

    async def slot(self, platform: str, tenant: str, coming: int = 1) -> float | None:
        """The wall-clock instant of this replica's next slot of the tenant (None: the
        platform is not paced)."""
        limits = self.limits.get(platform)
        if limits is None:
            return None
        local = self._local.setdefault((platform, tenant), _Local())
        local.waiting += 1
        try:
            async with local.lock:  # one claim at a time per tenant, for all who wait
                return await self._next_slot(platform, tenant, limits.per_tenant, local,
                                             coming)
        finally:
            local.waiting -= 1

    async def _next_slot(self, platform: str, tenant: str, limit: float, local: _Local,
                         coming: int) -> float:
        await asyncio.sleep(0)  # let the sends of this round line up: one claim for all
        while True:
            now = self.wall()
            while local.slots and local.slots[0] < now - 1.0 / limit:
                local.slots.popleft()  # too old to use without a burst
            if local.slots:
                return local.slots.popleft()
            # No slot within the horizon (as far as this replica knows): wait until there
            # is room for a few at once, so that replicas taking turns still claim in
            # batches, and ask only then.
            want = max(1, local.waiting, coming)
            batch = min(want, max(1, int(local.rate * self.horizon / 2)))
            wait = local.next_slot - now - self.horizon + (batch - 1) / local.rate
            if wait > self.max_wait:
                return local.next_slot
            if wait > 0:
                await self.sleep(wait)
                continue
            grant = await asyncio.to_thread(self._claim, platform, tenant, limit, want, local)
            local.next_slot, local.rate = grant.next_slot, grant.rate
            local.slots.extend(grant.slots)
            if not grant.slots and local.next_slot - self.wall() - self.horizon <= 0:
                await self.sleep(0.001)  # (rounding at the horizon's edge)

    def _hold(self, platform: str, tenant: str, limit: float, seconds: float) -> None:
        now = self.wall()
        with self.database.begin() as connection:
            soft_commit(connection)
            ensure(connection, platform, tenant, limit, now)
            self.round_trips += 1
            hold(connection, platform, tenant, limit, now + seconds, now)

    async def hold(self, platform: str, tenant: str, seconds: float) -> None:
        """The platform said 429 with Retry-After: hold the tenant for every replica, and
        drop the slots this replica still had (they fall inside the hold)."""
        limits = self.limits.get(platform)
        if limits is None:
            return
        self._local.setdefault((platform, tenant), _Local()).slots.clear()
        await asyncio.to_thread(self._hold, platform, tenant, limits.per_tenant, seconds)
