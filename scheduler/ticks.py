"""One sweep, one dispatch, one expiry pass: what every tick runs, and `leercoach tick` too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from bot.due.sweep import SweepReport, sweep
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.outbox.sender import Sender
from bot.practices.pairing.rounds import RoundResult, due_cohorts, run_round
from bot.practices.work_sessions import records as worksessions
from bot.privacy.retention import purge_free_text
from bot.runtime import Runtime

log = logging.getLogger("leercoach.scheduler")
T = TypeVar("T")
SWEEP_BATCH = 50_000
DISPATCH_BATCH = 200


@dataclass(slots=True)
class TickReport:
    sweep: SweepReport
    dispatch: DispatchReport
    rounds: list[RoundResult]
    work_sessions: list[int] = field(default_factory=list)  # the sessions opened
    purged: int = 0  # rows whose free text passed the retention period (bot.privacy.retention)


class Ticks:
    """The scheduler's work against one runtime; safe to run in several replicas at once."""

    def __init__(
        self,
        runtime: Runtime,
        senders: Mapping[str, Sender],
        *,
        worker: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.runtime = runtime
        self.clock = clock or runtime.engine.clock
        self.dispatcher = Dispatcher(runtime.engine, senders, worker=worker)
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

    def _each_due(self, due: Callable[..., list[int]], now: datetime,
                  act: Callable[[Connection, int], T | None]) -> list[T]:
        """Run `act` on every due item in its own transaction, after checking (and locking)
        that one item again, so that a replica that got there first is skipped."""
        with self.runtime.database.begin() as connection:
            candidates = due(connection, now)
        done: list[T] = []
        for item_id in candidates:
            with self.runtime.database.begin() as connection:
                if due(connection, now, only=item_id):
                    result = act(connection, item_id)
                    if result is not None:
                        done.append(result)
        return done

    def start_rounds(self, now: datetime) -> list[RoundResult]:
        """Start every cohort's round that has come."""
        periodic_time = self.runtime.settings.periodic_time
        return self._each_due(due_cohorts, now, lambda connection, cohort_id: run_round(
            connection, cohort_id, now, periodic_time))

    def open_work_sessions(self, now: datetime) -> list[int]:
        """Open every team's work session that is near (asking for agenda items)."""
        return self._each_due(worksessions.due_series, now, lambda connection, series_id:
                              worksessions.open_session(connection, series_id, now))

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

    async def sweep_tick(self) -> None:
        now = self.clock()
        report = await asyncio.to_thread(self.sweep_now, now)
        started = await asyncio.to_thread(self.start_rounds, now)
        opened = await asyncio.to_thread(self.open_work_sessions, now)
        if opened:
            log.info("work sessions opened: %d", len(opened))
        for result in started:
            log.info("pairing round %d of %s: %d groups", result.number, result.cohort,
                     len(result.groups))
        if report.due or report.registered:
            log.info("sweep: %d due, %d queued, %d registered", report.due,
                     len(report.enqueued), report.registered)
        purged = await asyncio.to_thread(self.purge_now, now)
        if purged:
            log.info("retention: free text blanked in %d rows", purged)

    async def dispatch_tick(self, now: datetime | None = None) -> DispatchReport:
        report = await self.dispatcher.dispatch(now or self.clock(), DISPATCH_BATCH)
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
        swept = await asyncio.to_thread(self.sweep_now, now)
        started = await asyncio.to_thread(self.start_rounds, now)
        opened = await asyncio.to_thread(self.open_work_sessions, now)
        purged = await asyncio.to_thread(self.purge_now, now)
        dispatched = DispatchReport()
        while True:
            report = await self.dispatcher.dispatch(now, DISPATCH_BATCH)
            dispatched.outcomes += report.outcomes
            if len(report.outcomes) < DISPATCH_BATCH:
                return TickReport(swept, dispatched, started, opened, purged)
