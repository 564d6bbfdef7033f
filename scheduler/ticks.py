"""One sweep, one dispatch, one expiry pass: what every tick runs, and `leercoach tick` too.

The due work of a tick is the same steps in one place (`_due_work`): the sweep of the
per-person rhythms, then every kind of due item in DUE_ITEMS (pairing rounds, work
sessions: each declared next to its records, see bot.due.items), then the retention purge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy.exc import SQLAlchemyError

from bot import metrics
from bot.due.items import DueItems
from bot.due.sweep import SweepReport, sweep
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.outbox.pacing import Limits
from bot.outbox.sender import Sender
from bot.practices.pairing.rounds import ROUNDS, RoundResult
from bot.practices.work_sessions.records import SESSIONS
from bot.privacy.retention import purge_free_text
from bot.runtime import Runtime
from bot.storage import heartbeats
from bot.storage.outage import DATABASE, unreachable

log = logging.getLogger("leercoach.scheduler")
T = TypeVar("T")
SWEEP_BATCH = 50_000
DISPATCH_BATCH = 200
# Every kind of due item a tick opens, in this order (a new kind: one more entry here).
DUE_ITEMS: tuple[DueItems[Any], ...] = (ROUNDS, SESSIONS)
# The scheduler's jobs (scheduler/runner.py), and how long each may go without running
# before this process is not ready (/readyz): a few of its own periods.
SWEEP_JOB, DISPATCH_JOB, EXPIRY_JOB = "due-sweep", "outbox-dispatch", "dialog-expiry"
LATE_AFTER_SECONDS = {SWEEP_JOB: 180.0, DISPATCH_JOB: 30.0, EXPIRY_JOB: 20 * 60.0}


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
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.runtime = runtime
        self.clock = clock or runtime.engine.clock
        self.dispatcher = Dispatcher(runtime.engine, senders, worker=worker, limits=limits)
        self._purged_on: date | None = None
        self.monotonic = monotonic
        self.started = monotonic()
        self.last_ran: dict[str, float] = {}  # job -> when it last finished (monotonic)
        self._beaten: dict[str, float] = {}  # job -> when its heartbeat was last written

    def late(self) -> list[str]:
        """The jobs that have not run for longer than they may (LATE_AFTER_SECONDS), counted
        from the start for a job that has not run yet."""
        now = self.monotonic()
        return [job for job, most in LATE_AFTER_SECONDS.items()
                if now - self.last_ran.get(job, self.started) > most]

    async def _job(self, job: str, work: Callable[[], Awaitable[T]]) -> T | None:
        """Run one job of the scheduler: record that it ran (here and, now and then, in the
        database for /metrics); an unreachable database is said once (bot.storage.outage)
        instead of a traceback every tick."""
        try:
            result = await work()
            now = self.monotonic()
            self.last_ran[job] = now
            if now - self._beaten.get(job, -heartbeats.BEAT_SECONDS) >= heartbeats.BEAT_SECONDS:
                self._beaten[job] = now
                moment = self.clock()

                def write() -> None:
                    with self.runtime.database.begin() as connection:
                        heartbeats.beat(connection, job, moment)

                await asyncio.to_thread(write)
            DATABASE.answered()
            return result
        except SQLAlchemyError as exc:
            if not await asyncio.to_thread(unreachable, self.runtime.database, exc):
                raise
            DATABASE.went_away(exc)
            return None

    def sweep_now(self, now: datetime | None = None) -> SweepReport:
        """Enqueue everyone due; batch after batch until no one due is left."""
        now = now or self.clock()
        total = SweepReport()
        started = time.perf_counter()
        while True:
            with self.runtime.database.begin() as connection:
                report = sweep(connection, now, self.runtime.settings,
                               self.runtime.engine.calendars, batch=SWEEP_BATCH)
            total.registered += report.registered
            total.due += report.due
            total.enqueued += report.enqueued
            total.skipped.update(report.skipped)
            if not report.full:
                metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)
                metrics.SWEEP_DUE.inc(total.due)
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
        await self._job(SWEEP_JOB, self._sweep_tick)

    async def _sweep_tick(self) -> None:
        started = time.perf_counter()
        work = await self._due_work(self.clock())
        for items in DUE_ITEMS:
            opened, describe = work.opened[items.name], items.describe
            if describe is not None:
                for item in opened:
                    log.info("%s", describe(item))
            elif opened:
                log.info("%s opened: %d", items.name, len(opened))
        report = work.sweep
        log.info("sweep: %d due, %d queued, %d registered in %.2f s", report.due,
                 len(report.enqueued), report.registered, time.perf_counter() - started)
        if work.purged:
            log.info("retention: free text blanked in %d rows", work.purged)

    async def dispatch_tick(self, now: datetime | None = None) -> DispatchReport:
        """Send what is due; a full batch is followed by the next one at once, so a wave
        keeps its share of the workspace budget instead of waiting for the next tick."""
        return await self._job(DISPATCH_JOB, lambda: self._dispatch_tick(now)) \
            or DispatchReport()

    async def _dispatch_tick(self, now: datetime | None) -> DispatchReport:
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
        await self._job(EXPIRY_JOB, self._expiry_tick)

    async def _expiry_tick(self) -> None:
        ended = await asyncio.to_thread(self.runtime.engine.expire_dialogs, self.clock())
        metrics.DIALOGS_EXPIRED.inc(ended)
        if ended:
            log.info("expired %d unfinished dialogs", ended)

    async def tick(self, now: datetime | None = None) -> TickReport:
        """One sweep and one dispatch at `now` (the `leercoach tick` command)."""
        now = now or self.clock()
        work = await self._due_work(now)
        return TickReport(work, await self.dispatch_tick(now))
