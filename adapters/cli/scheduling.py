"""The scheduler and the outbox by hand: `leercoach tick` (one due sweep and dispatch),
`leercoach scheduler` (only the ticks, no server) and `leercoach outbox status`."""

from __future__ import annotations

import argparse
import asyncio
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from adapters.cli.common import runtime_of, utc
from bot import clock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from scheduler.ticks import Ticks

if TYPE_CHECKING:
    from adapters.cli.common import Commands

T = TypeVar("T")


def add_tick(commands: Commands) -> None:
    tick = commands.add_parser("tick", help="one due sweep and outbox dispatch, then exit")
    tick.add_argument("--now", type=_instant, help="the moment to act as, e.g. "
                      "2026-03-29T07:00:00Z (default: now; LEERCOACH_NOW sets that for "
                      "every command)")
    tick.set_defaults(handler=cmd_tick)


def add_scheduler(commands: Commands) -> None:
    run_scheduler = commands.add_parser("scheduler", help="run only the scheduler's ticks")
    run_scheduler.set_defaults(handler=cmd_scheduler)


def add_outbox(commands: Commands) -> None:
    outbox = commands.add_parser("outbox", help="the outbox of proactive messages")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION",
                                            required=True)
    outbox_status = outbox_commands.add_parser(
        "status", help="counts per state, oldest pending, dead letters with reasons")
    outbox_status.set_defaults(handler=cmd_outbox_status)


async def _with_senders(runtime: Runtime, work: Callable[[Ticks], Awaitable[T]]) -> T:
    """Run `work` on ticks for a process without an HTTP server (`tick`, `scheduler`):
    nudges still go out through Slack and Teams when they are configured (Teams needs its
    app id here). The adapters are stopped on the way out, as `serve` stops them, so their
    HTTP sessions close instead of being left to the garbage collector's warning."""
    from adapters import platform, platforms

    adapters = platforms.without_server(runtime)
    try:
        return await work(Ticks(runtime, platform.senders(adapters),
                                limits=platform.limits(adapters)))
    finally:
        for adapter in adapters:
            await adapter.stop()


def _instant(text: str) -> datetime:
    """An ISO instant from the command line; without a zone it is read as UTC (read the way
    LEERCOACH_NOW is)."""
    try:
        return clock.parse_instant(text)
    except clock.ClockSettingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    if args.now is not None:
        # `--now` sets the product's clock for the whole process, as LEERCOACH_NOW would:
        # whatever the tick writes (created_at, leases) agrees with the moment it acts at.
        clock.start_at(args.now)
    now: datetime = args.now or clock.now()
    runtime = open_runtime(settings, clock=lambda: now)
    try:
        report = asyncio.run(_with_senders(runtime, lambda ticks: ticks.tick(now)))
    finally:
        runtime.close()
    swept = report.sweep
    skipped = ", ".join(f"{reason}: {count}" for reason, count in sorted(swept.skipped.items()))
    print(f"sweep at {utc(now)}: {swept.due} due, {len(swept.enqueued)} queued"
          + (f", not queued ({skipped})" if skipped else "")
          + (f", {swept.registered} newly registered" if swept.registered else ""))
    for item in swept.enqueued:
        print(f"  queued   {item.kind} {item.rhythm} for person {item.person_id} "
              f"({item.local_date})")
    for started in report.rounds:
        print(f"  pairing round {started.number} of {started.cohort}: "
              f"{len(started.groups)} groups")
    for session_id in report.work_sessions:
        print(f"  work session {session_id} opened: members asked for agenda items")
    outcomes = report.dispatch.outcomes
    counts = Counter(outcome.result for outcome in outcomes)
    print("dispatch: " + (", ".join(f"{counts[r]} {r}" for r in sorted(counts)) or "nothing due"))
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        print(f"  {outcome.result:<8} {outcome.key}{detail}")
    return 0


def cmd_outbox_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.outbox import deliveries as outbox

    runtime = runtime_of(settings)
    try:
        with runtime.database.connect() as connection:
            status = outbox.status(connection)
    finally:
        runtime.close()
    print("outbox: " + ", ".join(f"{state} {count}" for state, count in status.counts.items()))
    print(f"oldest pending: {utc(status.oldest_pending)}")
    if status.dead:
        print("dead letters (newest first):")
        for letter in status.dead:
            print(f"  {letter.key}  after {letter.attempts} attempts, {utc(letter.at)}: "
                  f"{letter.reason}")
    return 0


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.http_server import MetricsAccess, with_metrics_listener
    from scheduler.runner import run_forever

    access = MetricsAccess.from_env(os.environ)
    runtime = runtime_of(settings)
    try:
        asyncio.run(with_metrics_listener(runtime, access, _with_senders(
            runtime, lambda ticks: run_forever(
                ticks, lambda: print("Leercoach scheduler running (Ctrl-C stops)", flush=True),
            ))))
    finally:
        runtime.close()
    return 0
