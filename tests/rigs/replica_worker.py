"""One scheduler replica for tests/scheduling/test_scheduler_replicas.py, run as its own process.

    python tests/rigs/replica_worker.py --url URL --now ISO --worker NAME --seconds N
        [--send-delay MS] [--replicas N] [--hang-after N]

It opens the runtime the way `leercoach scheduler` does (Settings from the environment,
the database URL given here, no migration), and loops `sweep_now` + `dispatch_tick` at a
clock the test controls — `--now` plus the offset in the `replica_clock` table, read every
round — until nothing is due in the schedules and no delivery is pending or sending, or
until `--seconds` of real time have passed (then it exits with 3).

Its only sender is for the platform "fake": every message is written, committed, into the
`received` table (person, message type, question ref, worker) and then takes `--send-delay`
milliseconds, so replicas overlap. With `--hang-after N`, once N questions went out every
further question is written to `received` and then never acknowledged: the platform has the
message but the replica waits forever, the moment a SIGKILL hurts most.

`--replicas N` waits (after the runtime is open) until N workers have checked in to the
`replica_ready` table, so they all start sweeping at the same moment.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import Connection, Engine, text

from bot.config import Settings
from bot.core.messages import Outbound, Question
from bot.runtime import open_runtime
from bot.storage.database import create_db_engine
from scheduler.ticks import Ticks

PLATFORM = "fake"
EXIT_TIME_UP = 3
HARNESS_TABLES = (
    "CREATE TABLE received (id bigserial PRIMARY KEY, person text NOT NULL,"
    " kind text NOT NULL, ref text, worker text NOT NULL)",
    "CREATE TABLE replica_ready (worker text PRIMARY KEY)",
    "CREATE TABLE replica_clock (offset_seconds double precision NOT NULL)",
    "INSERT INTO replica_clock VALUES (0)",
)


def create_harness_tables(connection: Connection) -> None:
    """The tables the workers and the test share, next to Leercoach's own."""
    for statement in HARNESS_TABLES:
        connection.execute(text(statement))


class RecordingSender:
    """The platform "fake": what it received is in the `received` table."""

    def __init__(self, database: Engine, worker: str, delay: float,
                 hang_after: int | None) -> None:
        self.database = database
        self.worker = worker
        self.delay = delay
        self.hang_after = hang_after
        self.questions = 0
        self.sent = 0

    def _record(self, outbound: Outbound) -> None:
        message = outbound.message
        with self.database.begin() as connection:
            connection.execute(
                text("INSERT INTO received (person, kind, ref, worker)"
                     " VALUES (:person, :kind, :ref, :worker)"),
                {"person": outbound.address.person, "kind": type(message).__name__,
                 "ref": getattr(message, "ref", None), "worker": self.worker},
            )

    async def send(self, outbound: Outbound) -> None:
        is_question = isinstance(outbound.message, Question)
        hang = (is_question and self.hang_after is not None
                and self.questions >= self.hang_after)
        if is_question:
            self.questions += 1
        await asyncio.to_thread(self._record, outbound)
        self.sent += 1
        if hang:
            await asyncio.Event().wait()  # delivered, but the acknowledgement never comes
        await asyncio.sleep(self.delay)


def clock_offset(database: Engine) -> timedelta:
    with database.connect() as connection:
        seconds = connection.execute(text("SELECT offset_seconds FROM replica_clock")).scalar()
    return timedelta(seconds=float(seconds or 0))


def finished(database: Engine, now: datetime) -> bool:
    """Nothing left to sweep at `now`, and nothing in the outbox still to be sent."""
    with database.connect() as connection:
        left = connection.execute(
            text("SELECT (SELECT count(*) FROM schedules WHERE diary_due_at <= :now"
                 " OR weekplan_due_at <= :now OR month_due_at <= :now"
                 " OR contract_due_at <= :now OR year_due_at <= :now)"
                 " + (SELECT count(*) FROM deliveries WHERE state IN ('pending', 'sending'))"),
            {"now": now.replace(tzinfo=None)},  # stored as naive UTC
        ).scalar()
    return left == 0


def wait_for_replicas(database: Engine, worker: str, replicas: int, deadline: float) -> None:
    with database.begin() as connection:
        connection.execute(text("INSERT INTO replica_ready VALUES (:worker)"), {"worker": worker})
    while time.monotonic() < deadline:
        with database.connect() as connection:
            ready = connection.execute(text("SELECT count(*) FROM replica_ready")).scalar()
        if (ready or 0) >= replicas:
            return
        time.sleep(0.01)


async def run(args: argparse.Namespace) -> int:
    deadline = time.monotonic() + args.seconds
    start = datetime.fromisoformat(args.now)
    settings = dataclasses.replace(Settings.from_env(), database_url=args.url)
    current = [start]

    def now() -> datetime:
        return current[0]

    runtime = open_runtime(settings, migrate_embedded=False, clock=now)
    harness = create_db_engine(args.url)
    sender = RecordingSender(harness, args.worker, args.send_delay / 1000, args.hang_after)
    ticks = Ticks(runtime, {PLATFORM: sender}, worker=args.worker, clock=now)
    outcomes: dict[str, int] = {}
    code = EXIT_TIME_UP
    try:
        wait_for_replicas(harness, args.worker, args.replicas, deadline)
        while time.monotonic() < deadline:
            current[0] = start + await asyncio.to_thread(clock_offset, harness)
            await asyncio.to_thread(ticks.sweep_now, current[0])
            report = await ticks.dispatch_tick(current[0])
            for outcome in report.outcomes:
                outcomes[outcome.result] = outcomes.get(outcome.result, 0) + 1
            if report.outcomes:
                continue
            if await asyncio.to_thread(finished, harness, current[0]):
                code = 0
                break
            await asyncio.sleep(0.02)
    finally:
        print(json.dumps({"worker": args.worker, "exit": code, "outcomes": outcomes,
                          "messages": sender.sent}), flush=True)
        runtime.close()
        harness.dispose()
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--now", required=True, help="the instant the replica starts at (ISO)")
    parser.add_argument("--worker", required=True)
    parser.add_argument("--seconds", type=float, required=True, help="real seconds at most")
    parser.add_argument("--send-delay", type=float, default=10.0, help="milliseconds per send")
    parser.add_argument("--replicas", type=int, default=1, help="wait for this many workers")
    parser.add_argument("--hang-after", type=int, default=None,
                        help="after this many questions, never acknowledge another")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
