"""Running the engine's turns from an adapter's event loop, the same way for every platform.

The engine is synchronous (one database transaction per turn); adapters are asyncio. Turns
run on a small pool of threads sized to the database: SQLite takes one writer at a time, so
more threads would only wait on its lock and take the interpreter from the event loop that
answers the platform; PostgreSQL runs different people's turns side by side. A person's
events are handled one after the other (a lock per person), so two quick messages are
answered in the order they were typed, and the work after an acknowledgement is bounded so
a burst cannot crowd out the loop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from bot.conversation.coach import Coach
from bot.core.messages import Address, Message, Outbound
from bot.outbox import replies

T = TypeVar("T")
R = TypeVar("R")
BUSY_LIMIT = 16


class PersonLocks:
    """One asyncio lock per person with events in flight; dropped when nobody waits."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, tenant: str, person: str) -> AsyncIterator[None]:
        key = (tenant, person)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def turn_workers(engine: Coach) -> int:
    return 1 if engine.database.dialect.name == "sqlite" else 8


class TurnRunner:
    """The engine's calls on their own threads, one person at a time, a bounded number of
    people at once."""

    def __init__(self, engine: Coach) -> None:
        self.engine = engine
        self.locks = PersonLocks()
        self.threads = ThreadPoolExecutor(turn_workers(engine), thread_name_prefix="turn")
        self.busy = asyncio.Semaphore(BUSY_LIMIT)

    async def call(self, work: Callable[[T], R], argument: T) -> R:
        """`work(argument)` on a turn thread, with this task's log context (request id)."""
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self.threads, context.run, work, argument)

    async def anchored(self, anchor: str, thread: str) -> None:
        """Tell the engine the id a followed channel post was given (Coach.anchored)."""
        await self.call(lambda _: self.engine.anchored(anchor, thread), None)

    async def hold(self, batch: Batch, wait_seconds: float, reason: str) -> str | None:
        """Hand a reply the platform would not take now to the outbox (bot.outbox.replies),
        due after `wait_seconds`, so the dispatcher delivers it later; the row's key, or None
        when nobody stored is addressed. Raises when the database is away too."""
        outbounds = [Outbound(batch.address, message, anchor=batch.anchor)
                     for message in batch.messages]
        engine = self.engine

        def queue(_: object) -> str | None:
            with engine.database.begin() as connection:
                return replies.hold(connection, outbounds, engine.clock(), wait_seconds,
                                    reason)

        return await self.call(queue, None)

    @asynccontextmanager
    async def person(self, address: Address) -> AsyncIterator[None]:
        """Hold this person's turn (and one of the busy slots) while it runs and replies."""
        async with self.busy, self.locks.hold(address.tenant, address.person):
            yield


def taken(outbounds: list[Outbound], ref: str | None) -> bool:
    """Whether the engine took the answer to the question `ref` (Outbound.answers)."""
    return ref is not None and any(o.answers == ref for o in outbounds)


@dataclass(slots=True)
class Batch:
    """Consecutive replies to one address: one platform message. `anchor` is set when the
    post starts a thread the engine follows (report its id with Coach.anchored)."""

    address: Address
    messages: list[Message]
    anchor: str | None = None


def grouped(replies: list[Outbound]) -> list[Batch]:
    """Consecutive replies to the same address, kept in order; an anchored post stands
    alone, so the id it gets is its own."""
    batches: list[Batch] = []
    for outbound in replies:
        last = batches[-1] if batches else None
        if (last is not None and last.address == outbound.address and last.anchor is None
                and outbound.anchor is None):
            last.messages.append(outbound.message)
        else:
            batches.append(Batch(outbound.address, [outbound.message], outbound.anchor))
    return batches

