"""Benchmark: registering and sweeping 100,000 people in our schedule against APScheduler.

N people (default 100,000) over 29 IANA time zones, most of them in Central Europe, with
varied diary times (about 40% at the organisation's default 16:30, the rest on quarter hours
from 07:30 to 18:00) and workdays (mostly Monday to Friday, some Monday to Thursday, some
Tuesday to Saturday) are inserted into a SQLite file on disk (untimed: creating people is
not part of registering, and the peer has no people rows at all). Then, in one run:

(a) registration: ours loads the unregistered people and writes their schedule rows in one
    transaction (`bot.due.schedule_store.unregistered` + `register`), computing all five
    rhythms per person (diary, weekly plan, month, quarterly contract, year: 5 rows each)
    with holidays and quiet hours; the peer adds one APScheduler `CronTrigger` job per
    person (the daily diary only) to a `SQLAlchemyJobStore` on SQLite, see
    apscheduler_peer.py. The peer is timed on a subset (`--peer-jobs` people) and
    extrapolated linearly to N; the JSON says so (`peer_extrapolated`).
(b) the sweep: registration ran at 2026-11-23T06:00Z (a Monday, no Dutch holiday); the
    sweep instant is the most common diary due instant. Untimed, everyone is registered
    again one second before it, as if the every-minute sweep had kept up until then, so
    the timed sweep (`bot.due.sweep.sweep`, one transaction) finds exactly the rows
    due at that instant and enqueues them into the outbox (without that catch-up it
    would face the backlog of everything due since 06:00Z instead of one instant).
(c) the peak RSS of the process (setup included), taken before the peer runs.

Prints progress to stderr and one JSON line last:
{"bench": "scheduler", "people": …, "ours_register_s": …, "peer_register_s": …,
 "register_ratio": …, "sweep_due": …, "sweep_s": …, "peak_rss_mb": …, …}
Targets: register_ratio >= 100, sweep_s <= 1 on SQLite, peak RSS <= 300 MB.
CI runs it as a smoke run: `--people 200 --peer-jobs 50`.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apscheduler_peer import PeerPerson, run_peer
from sqlalchemy import func, insert, select, update

from bot.config import Settings
from bot.due.organisation_calendar import CalendarCache
from bot.due.rhythms import RHYTHMS
from bot.due.schedule_store import register, unregistered
from bot.due.sweep import sweep
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Delivery, Organisation, Person, Schedule, table_of

FULL_SIZE = 100_000
MIN_DUE_AT_FULL_SIZE = 10_000
INSERT_CHUNK = 5_000
REGISTER_AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday morning, a Dutch workday
DEFAULT_TIME = clock(16, 30)  # the organisation's default diary time
ZONES: tuple[tuple[str, int], ...] = (  # (zone, weight): mostly Central Europe
    ("Europe/Amsterdam", 14), ("Europe/Brussels", 8), ("Europe/Berlin", 6),
    ("Europe/Paris", 5), ("Europe/Madrid", 4), ("Europe/Rome", 3), ("Europe/Vienna", 3),
    ("Europe/Copenhagen", 3), ("Europe/Oslo", 2), ("Europe/Stockholm", 2),
    ("Europe/Prague", 2), ("Europe/Warsaw", 2), ("Europe/Zurich", 2), ("Europe/Budapest", 2),
    ("Europe/Luxembourg", 2), ("Europe/London", 6), ("Europe/Dublin", 3),
    ("Europe/Lisbon", 2), ("Europe/Helsinki", 2), ("Europe/Athens", 2),
    ("America/New_York", 5), ("America/Chicago", 3), ("America/Toronto", 3),
    ("America/Sao_Paulo", 3), ("Asia/Kolkata", 3), ("Asia/Singapore", 3),
    ("Asia/Tokyo", 3), ("Australia/Sydney", 3), ("Africa/Johannesburg", 2),
)
WORKDAYS: tuple[tuple[str, int], ...] = (
    ("mon,tue,wed,thu,fri", 80), ("mon,tue,wed,thu", 12), ("tue,wed,thu,fri,sat", 8),
)
QUARTER_HOURS = tuple(clock(7 + m // 60, m % 60) for m in range(30, 18 * 60 - 7 * 60 + 1, 15))


def make_people(count: int, seed: int) -> list[PeerPerson]:
    """The population, the same on both sides; numbered from 1 like the people table."""
    rng = random.Random(seed)
    zones = rng.choices([z for z, _ in ZONES], [w for _, w in ZONES], k=count)
    workdays = rng.choices([d for d, _ in WORKDAYS], [w for _, w in WORKDAYS], k=count)
    return [
        PeerPerson(n + 1, zones[n], workdays[n],
                   DEFAULT_TIME if rng.random() < 0.4 else rng.choice(QUARTER_HOURS))
        for n in range(count)
    ]


def insert_people(runtime: Runtime, people: list[PeerPerson]) -> None:
    """One organisation and its people, in bulk with Core (setup, not timed)."""
    created = REGISTER_AT - timedelta(days=30)
    with runtime.database.begin() as connection:
        organisation_id = connection.execute(
            insert(table_of(Organisation)).values(slug="bench", name="Bench", created_at=created)
        ).inserted_primary_key[0]
        for first in range(0, len(people), INSERT_CHUNK):  # chunks keep the setup's RSS low
            connection.execute(
                insert(table_of(Person)),
                [
                    {"id": p.number, "organisation_id": organisation_id, "locale": "nl",
                     "timezone": p.timezone, "workdays": p.workdays, "diary_time": p.diary_time,
                     "status": "active", "role": "participant", "created_at": created}
                    for p in people[first:first + INSERT_CHUNK]
                ],
            )


def register_everyone(runtime: Runtime, people: int, now: datetime) -> tuple[int, float]:
    """Load the unregistered people and register them in one transaction; timed."""
    settings = runtime.settings
    start = time.perf_counter()
    with runtime.database.begin() as connection:
        registered = register(connection, unregistered(connection, people), CalendarCache(),
                              settings.periodic_time, now)
    return registered, time.perf_counter() - start


def busiest_diary_instant(runtime: Runtime) -> tuple[datetime, int]:
    schedules = table_of(Schedule)
    with runtime.database.connect() as connection:
        due_at, count = connection.execute(
            select(schedules.c.diary_due_at, func.count().label("n"))
            .where(schedules.c.diary_due_at.is_not(None))
            .group_by(schedules.c.diary_due_at)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    return due_at.replace(tzinfo=UTC) if due_at.tzinfo is None else due_at, count


def schedule_instants(runtime: Runtime) -> int:
    """Due instants held: one per person and rhythm (a column per rhythm)."""
    schedules = table_of(Schedule)
    with runtime.database.connect() as connection:
        return sum(
            int(connection.scalar(select(func.count(schedules.c[f"{rhythm}_due_at"]))) or 0)
            for rhythm in RHYTHMS
        )


def outbox_rows(runtime: Runtime) -> int:
    with runtime.database.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(table_of(Delivery))) or 0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=FULL_SIZE, help="people (100000)")
    parser.add_argument("--peer-jobs", type=int, default=2000,
                        help="people the peer registers, extrapolated to --people (2000)")
    parser.add_argument("--seed", type=int, default=11, help="seed of the population (11)")
    args = parser.parse_args()
    if args.people < 1 or args.peer_jobs < 1:
        parser.error("--people and --peer-jobs must be at least 1")
    peer_jobs = min(args.peer_jobs, args.people)
    people = make_people(args.people, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runtime = open_runtime(Settings(database_url=f"sqlite:///{folder / 'bench.db'}"))
        try:
            start = time.perf_counter()
            insert_people(runtime, people)
            log(f"setup: {args.people} people in {len({p.timezone for p in people})} zones "
                f"inserted in {time.perf_counter() - start:.2f} s (untimed)")

            registered, ours_register_s = register_everyone(runtime, args.people, REGISTER_AT)
            instants = schedule_instants(runtime)
            if registered != args.people or instants != len(RHYTHMS) * args.people:
                raise AssertionError(f"registered {registered} people and {instants} due "
                                     f"instants for {args.people} people")
            log(f"ours: registered {registered} people ({instants} due instants, "
                f"{len(RHYTHMS)} rhythms each) in {ours_register_s:.3f} s")

            instant, cohort = busiest_diary_instant(runtime)
            # Catch up to one second before the instant, as the every-minute sweep would
            # have: everything due earlier has moved on, so the sweep sees one instant only.
            with runtime.database.begin() as connection:
                connection.execute(table_of(Schedule).delete())
                connection.execute(update(table_of(Person)).values(schedule_registered=False))
            register_everyone(runtime, args.people, instant - timedelta(seconds=1))
            log(f"sweep instant {instant:%Y-%m-%dT%H:%MZ}: {cohort} diaries due "
                f"(everyone re-registered at the second before it, untimed)")

            start = time.perf_counter()
            with runtime.database.begin() as connection:
                report = sweep(connection, instant, runtime.settings, CalendarCache())
            sweep_s = time.perf_counter() - start
            kinds = Counter(f"{e.rhythm}/{e.kind}" for e in report.enqueued)
            log(f"ours: sweep found {report.due} due, enqueued {len(report.enqueued)} "
                f"({dict(kinds)}), skipped {dict(report.skipped)} in {sweep_s:.3f} s")
            if args.people >= FULL_SIZE and report.due < MIN_DUE_AT_FULL_SIZE:
                raise AssertionError(f"only {report.due} due at {instant}; the population "
                                     f"should put at least {MIN_DUE_AT_FULL_SIZE} there")
            queued = outbox_rows(runtime)
            if len(report.enqueued) < cohort or queued != len(report.enqueued):
                raise AssertionError(f"{cohort} diaries due, {len(report.enqueued)} reported "
                                     f"enqueued, {queued} rows in the outbox")
        finally:
            runtime.close()
        ours_rss = peak_rss_mb()  # before the peer, so it counts our side only
        log(f"ours: peak RSS {ours_rss:.1f} MB")

        peer = run_peer(people[:peer_jobs], folder)
    peer_register_s = peer["seconds"] * args.people / peer_jobs
    log(f"peer: added {peer['jobs']} APScheduler cron jobs in {peer['seconds']:.3f} s"
        + (f", extrapolated linearly to {args.people} people: {peer_register_s:.1f} s"
           if peer_jobs < args.people else ""))
    print(
        json.dumps(
            {
                "bench": "scheduler",
                "people": args.people,
                "ours_register_s": round(ours_register_s, 3),
                "peer_register_s": round(peer_register_s, 3),
                "register_ratio": round(peer_register_s / ours_register_s, 1),
                "sweep_due": report.due,
                "sweep_enqueued": len(report.enqueued),
                "sweep_s": round(sweep_s, 3),
                "peak_rss_mb": round(ours_rss, 1),
                "peer_jobs_measured": peer_jobs,
                "peer_measured_s": round(peer["seconds"], 3),
                "peer_extrapolated": peer_jobs < args.people,
                "ours_rhythms_per_person": len(RHYTHMS),
                "peer_rhythms_per_person": 1,
                "sweep_at": instant.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    )


if __name__ == "__main__":
    main()
