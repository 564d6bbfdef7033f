"""One sweep, one dispatch, one expiry pass: what every tick runs, and `leercoach tick` too.

The due work of a tick is the same steps in one place (`_due_work`): the sweep of the
per-person rhythms, then every kind of due item in DUE_ITEMS (pairing rounds, work
sessions: each declared next to its records, see bot.due.items), then the retention purge.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot.due.items import DueItems
from bot.due.sweep import SweepReport, sweep
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.outbox.pacing import Limits
from bot.outbox.sender import Sender
from bot.practices.pairing.rounds import ROUNDS, RoundResult
from bot.practices.work_sessions.records import SESSIONS
from bot.privacy.retention import purge_free_text
from bot.runtime import Runtime

log = logging.getLogger("leercoach.scheduler")
T = TypeVar("T")
SWEEP_BATCH = 50_000
DISPATCH_BATCH = 200
# Every kind of due item a tick opens, in this order (a new kind: one more entry here).
DUE_ITEMS: tuple[DueItems[Any], ...] = (ROUNDS, SESSIONS)


@dataclass(slots=True)
class DueWork:
    """What the due steps of one tick did."""

    sweep: SweepReport
    opened: dict[str, list[Any]] = field(default_factory=dict)  # per DueItems.name
    purged: int = 0  # rows whose free text passed the retention period (bot.privacy.retention)


@dataclass(slots=True)
class TickReport:
    due: DueWork
    dispatch: DispatchReport

    @property
    def sweep(self) -> SweepReport:
        return self.due.sweep

    @property
    def rounds(self) -> list[RoundResult]:
        return self.due.opened.get(ROUNDS.name, [])

    @property
    def work_sessions(self) -> list[int]:  # the sessions opened
        return self.due.opened.get(SESSIONS.name, [])

    @property
    def purged(self) -> int:
        return self.due.purged


class Ticks:
    """The scheduler's work against one runtime; safe to run in several replicas at once."""

    def __init__(
        self,
        runtime: Runtime,
        senders: Mapping[str, Sender],
        *,
        worker: str | None = None,
        clock: Callable[[], datetime] | None = None,
        limits: Mapping[str, Limits] | None = None,
    ) -> None:
        self.runtime = runtime
        self.clock = clock or runtime.engine.clock
        self.dispatcher = Dispatcher(runtime.engine, senders, worker=worker, limits=limits)
        self._purged_on: date | None = None

    def sweep_now(self, now: datetime | None = None) -> SweepReport:
        """Enqueue everyone due; batch after batch until no one due is left."""
        now = now or self.clock()
        total = SweepReport()
        while True:
            with self.runtime.database.begin() as connection:
                report = sweep(connection, now, self.runtime.settings,
                               self.runtime.engine.calendars, batch=SWEEP_BATCH)
            total.registered += report.registered
            total.due += report.due
            total.enqueued += report.enqueued
            total.skipped.update(report.skipped)
            if not report.full:
                return total

    def open_due(self, items: DueItems[T], now: datetime) -> list[T]:
        """Open every item of one kind that is due, each in its own transaction, after
        checking (and locking) that one item again, so that a replica that got there first
        is skipped."""
        settings = self.runtime.settings
        with self.runtime.database.begin() as connection:
            candidates = items.due(connection, now)
        done: list[T] = []
        for item_id in candidates:
            with self.runtime.database.begin() as connection:
                if items.due(connection, now, only=item_id):
                    result = items.open(connection, item_id, now, settings)
                    if result is not None:
                        done.append(result)
        return done

    def start_rounds(self, now: datetime) -> list[RoundResult]:
        """Start every cohort's round that has come."""
        return self.open_due(ROUNDS, now)

    def open_work_sessions(self, now: datetime) -> list[int]:
        """Open every team's work session that is near (asking for agenda items)."""
        return self.open_due(SESSIONS, now)

    def purge_now(self, now: datetime) -> int:
        """Blank the free text past LEERCOACH_RETENTION_MONTHS. Its cutoff moves a day at a
        time, so a process purges once a day; a failure (a replica purging the same rows)
        is logged and tried again at the next sweep."""
        months, day = self.runtime.settings.retention_months, now.astimezone(UTC).date()
        if months <= 0 or self._purged_on == day:
            return 0
        try:
            with self.runtime.database.begin() as connection:
                purged = purge_free_text(connection, now, months)
        except SQLAlchemyError:
            log.exception("retention purge failed; trying again at the next sweep")
            return 0
        self._purged_on = day
        return purged

    async def _due_work(self, now: datetime) -> DueWork:
        """The due steps of a tick: the sweep, every kind of due item, the purge."""
        work = DueWork(await asyncio.to_thread(self.sweep_now, now))
        for items in DUE_ITEMS:
            work.opened[items.name] = await asyncio.to_thread(self.open_due, items, now)
        work.purged = await asyncio.to_thread(self.purge_now, now)
        return work

    async def sweep_tick(self) -> None:
        work = await self._due_work(self.clock())
        for items in DUE_ITEMS:
            opened, describe = work.opened[items.name], items.describe
            if describe is not None:
                for item in opened:
                    log.info("%s", describe(item))
            elif opened:
                log.info("%s opened: %d", items.name, len(opened))
        report = work.sweep
        if report.due or report.registered:
            log.info("sweep: %d due, %d queued, %d registered", report.due,
                     len(report.enqueued), report.registered)
        if work.purged:
            log.info("retention: free text blanked in %d rows", work.purged)

    async def dispatch_tick(self, now: datetime | None = None) -> DispatchReport:
        """Send what is due; a full batch is followed by the next one at once, so a wave
        keeps its share of the workspace budget instead of waiting for the next tick."""
        report = DispatchReport()
        while True:
            batch = await self.dispatcher.dispatch(now or self.clock(), DISPATCH_BATCH)
            report.outcomes += batch.outcomes
            if len(batch.outcomes) < DISPATCH_BATCH:
                break
        if report.outcomes:
            log.info("dispatch: %d sent, %d retrying, %d deferred, %d dead",
                     report.count("sent"), report.count("retry"), report.count("deferred"),
                     report.count("dead"))
        return report

    async def expiry_tick(self) -> None:
        ended = await asyncio.to_thread(self.runtime.engine.expire_dialogs, self.clock())
        if ended:
            log.info("expired %d unfinished dialogs", ended)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One sweep and one dispatch at `now` (the `leercoach tick` command)."""
        now = now or self.clock()
        work = await self._due_work(now)
        return TickReport(work, await self.dispatch_tick(now))
