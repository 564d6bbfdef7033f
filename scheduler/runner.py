"""APScheduler (3.11, AsyncIOScheduler, memory job store) firing the ticks on the event loop.

Three jobs for the whole population: the due sweep at the start of every minute, outbox
dispatch every two seconds, dialog expiry every five minutes. The monthly, quarterly and
yearly starts are rows in the schedule like the daily diary, so the same sweep finds them.
Each job coalesces and never overlaps itself; jobs are in memory, so every replica runs
its own and the database (unique keys, SKIP LOCKED) keeps their work from overlapping.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.ticks import DISPATCH_JOB, EXPIRY_JOB, SWEEP_JOB, Ticks

DISPATCH_SECONDS = 2
EXPIRY_MINUTES = 5


def build_scheduler(ticks: Ticks) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    once = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler.add_job(ticks.sweep_tick, CronTrigger(second=0, timezone=UTC), id=SWEEP_JOB,
                      **once)
    scheduler.add_job(ticks.dispatch_tick, IntervalTrigger(seconds=DISPATCH_SECONDS),
                      id=DISPATCH_JOB, **once)
    scheduler.add_job(ticks.expiry_tick, IntervalTrigger(minutes=EXPIRY_MINUTES),
                      id=EXPIRY_JOB, **once)
    return scheduler


async def run_forever(ticks: Ticks, on_ready: Callable[[], None] = lambda: None) -> None:
    """The standalone `leercoach scheduler`: run the ticks until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler = build_scheduler(ticks)
    scheduler.start()
    on_ready()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
