"""One sweep, one dispatch, one expiry pass: what every tick runs, and `leercoach tick` too."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot import worksessions
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.outbox.sender import Sender
from bot.pairing.rounds import RoundResult, due_cohorts, run_round
from bot.runtime import Runtime
from bot.schedule.sweep import SweepReport, sweep

log = logging.getLogger("leercoach.scheduler")
SWEEP_BATCH = 50_000
DISPATCH_BATCH = 200


@dataclass(slots=True)
class TickReport:
    sweep: SweepReport
    dispatch: DispatchReport
    rounds: list[RoundResult]
    work_sessions: list[int] = field(default_factory=list)  # the sessions opened


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
        self.clock = clock or (lambda: datetime.now(UTC))
        self.dispatcher = Dispatcher(runtime.engine, senders, worker=worker)

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

    def start_rounds(self, now: datetime) -> list[RoundResult]:
        """Start every cohort's round that has come, each in its own transaction."""
        with self.runtime.database.begin() as connection:
            due = due_cohorts(connection, now)
        started = []
        for cohort_id in due:
            with self.runtime.database.begin() as connection:
                if cohort_id in due_cohorts(connection, now):  # not started meanwhile
                    started.append(run_round(connection, cohort_id, now,
                                             self.runtime.settings.periodic_time))
        return started

    def open_work_sessions(self, now: datetime) -> list[int]:
        """Open every team's work session that is near (asking for agenda items), each in
        its own transaction."""
        with self.runtime.database.begin() as connection:
            due = worksessions.due_series(connection, now)
        opened = []
        for series_id in due:
            with self.runtime.database.begin() as connection:
                if series_id in worksessions.due_series(connection, now):
                    session_id = worksessions.open_session(connection, series_id, now)
                    if session_id is not None:
                        opened.append(session_id)
        return opened

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
        dispatched = DispatchReport()
        while True:
            report = await self.dispatcher.dispatch(now, DISPATCH_BATCH)
            dispatched.outcomes += report.outcomes
            if len(report.outcomes) < DISPATCH_BATCH:
                return TickReport(swept, dispatched, started, opened)
