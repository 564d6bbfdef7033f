"""Peer half of the scheduler benchmark: one APScheduler cron job per person.

Our own registration time is compared against this. The peer is APScheduler 3's
``BackgroundScheduler`` with a ``SQLAlchemyJobStore`` on a SQLite file, started paused so no
job ever runs; every person gets one ``CronTrigger`` job (their workdays, diary time and
time zone) through ``add_job``, which APScheduler writes and commits one job at a time.
The peer only knows the daily diary: no weekly, monthly, quarterly or yearly rhythm, no
holidays, days off or quiet hours.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from datetime import time as clock
from pathlib import Path
from typing import Any, NamedTuple

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger


class PeerPerson(NamedTuple):
    """The fields of a person the peer's cron trigger needs."""

    number: int
    timezone: str
    workdays: str  # "mon,tue,wed,thu,fri": APScheduler's day_of_week takes the same list
    diary_time: clock


def nudge(person: int) -> None:
    """The job every person gets; never runs, since the scheduler stays paused."""
    raise AssertionError(f"the paused benchmark scheduler ran the job of person {person}")


def run_peer(people: Sequence[PeerPerson], folder: Path) -> dict[str, Any]:
    """Add one cron job per person to a fresh SQLite job store; time the adds."""
    store = SQLAlchemyJobStore(url=f"sqlite:///{folder / 'jobs.db'}")
    scheduler = BackgroundScheduler(jobstores={"default": store}, timezone="UTC")
    scheduler.start(paused=True)
    try:
        start = time.perf_counter()
        for person in people:
            trigger = CronTrigger(
                day_of_week=person.workdays,
                hour=person.diary_time.hour,
                minute=person.diary_time.minute,
                timezone=person.timezone,
            )
            scheduler.add_job(nudge, trigger, args=(person.number,), id=f"p{person.number}")
        seconds = time.perf_counter() - start
        stored = len(scheduler.get_jobs())
        if stored != len(people):
            raise AssertionError(f"expected {len(people)} jobs in the store, found {stored}")
    finally:
        scheduler.shutdown(wait=False)
    return {"jobs": len(people), "seconds": seconds}


if __name__ == "__main__":
    zones = ["Europe/Amsterdam", "Europe/London", "America/New_York", "Asia/Tokyo"]
    sample = [
        PeerPerson(n, zones[n % len(zones)], "mon,tue,wed,thu,fri", clock(16, 30))
        for n in range(200)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        result = run_peer(sample, Path(tmp))
    print(
        json.dumps(
            {
                "peer": "apscheduler",
                "jobs": result["jobs"],
                "jobs_per_s": round(result["jobs"] / result["seconds"], 1),
            }
        )
    )
