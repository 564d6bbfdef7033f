"""A 9:00 wave of Slack nudges sent by several dispatcher replicas within Slack's limits.

Set-up: `--people` Slack people (default 10,000) of one workspace, each with a diary nudge
in the outbox, due in the same minute (their due instants spread over at most a minute, in
the order of their ids). A loopback Slack Web API (tests/rigs/slack_mock.py, real HTTP on
127.0.0.1) enforces one message a second per channel and `--workspace-rate` messages a
second per workspace (default 8), answering 429 with Retry-After beyond them
(tests/rigs/slack_rate_limits.py). `--replicas` (default 3) processes each run what a
`leercoach scheduler` replica runs for the outbox: the Slack adapter built from the
environment and `Ticks.dispatch_tick`, every two seconds, on `--database-url` (PostgreSQL:
a fresh schema in that database, dropped afterwards; default: a SQLite file and one
replica, SQLite's one-process deployment).

The peer is the ideal: `ideal_seconds` = people / workspace limit, the shortest wave the
platform allows; run it with `--replicas 1` for the single-replica figure.

    python bench/nudge_wave.py --database-url postgresql://postgres@127.0.0.1:5432/bench_wave
    python bench/nudge_wave.py --people 10                 # CI's smoke run (SQLite, 1 replica)

Prints progress to stderr and one JSON line last: {"bench": "nudge_wave", "people",
"replicas", "seconds", "ideal_seconds", "wave_ratio", "sent", "lost", "duplicates",
"share_429", "in_due_order", "budget_round_trips_per_send", "backend"}.
Targets: wave_ratio <= 1.15, share_429 <= 0.01, lost 0, duplicates 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, func, insert, select  # noqa: E402

from bot.due.rhythms import DIARY, rhythm  # noqa: E402
from bot.outbox import deliveries  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.database import create_db_engine  # noqa: E402
from bot.storage.models import Delivery, Identity, Organisation, Person, table_of  # noqa: E402
from tests.rigs.databases import drop_schema, postgres_schema_url  # noqa: E402
from tests.rigs.slack_mock import MockSlackApi  # noqa: E402
from tests.rigs.slack_rate_limits import PostLimits  # noqa: E402

BOT_TOKEN = "xoxb-bench-wave"
TEAM = "T0LEERCO"  # the mock's workspace
INSERT_CHUNK = 2_000
DISPATCH_SECONDS = 2.0  # as scheduler/runner.py fires the outbox dispatch


def channel_of(number: int) -> str:
    return f"DW{number:06d}"


# -- the replica ----------------------------------------------------------------------------


async def replica(url: str) -> None:
    """One dispatcher replica, as `leercoach scheduler` runs the outbox, until SIGTERM; then
    one JSON line with what it did."""
    import dataclasses

    from adapters import platform, platforms
    from bot.config import Settings
    from bot.runtime import open_runtime
    from scheduler.ticks import Ticks

    settings = dataclasses.replace(Settings.from_env(), database_url=url)
    runtime = open_runtime(settings, migrate_embedded=False)
    adapters = platforms.without_server(runtime)
    ticks = Ticks(runtime, platform.senders(adapters), limits=platform.limits(adapters))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    results: dict[str, int] = {}
    print("ready", flush=True)
    try:
        while not stop.is_set():
            report = await ticks.dispatch_tick()
            for outcome in report.outcomes:
                results[outcome.result] = results.get(outcome.result, 0) + 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), DISPATCH_SECONDS)
    finally:
        budgets = ticks.dispatcher.budgets
        print(json.dumps({"outcomes": results, "budget_round_trips": budgets.round_trips}),
              flush=True)
        for adapter in adapters:
            await adapter.stop()
        runtime.close()


# -- the wave -------------------------------------------------------------------------------


def populate(database: Engine, people: int) -> list[int]:
    """An organisation with `people` Slack people (no schedules: only the wave is sent)."""
    now = datetime.now(UTC)
    with database.begin() as connection:
        organisation = connection.execute(insert(table_of(Organisation)).values(
            slug="wave", name="Wave", created_at=now).returning(
            table_of(Organisation).c.id)).scalar_one()
        ids: list[int] = []
        for start in range(0, people, INSERT_CHUNK):
            numbers = range(start, min(people, start + INSERT_CHUNK))
            ids += connection.execute(insert(table_of(Person)).returning(
                table_of(Person).c.id, sort_by_parameter_order=True), [
                {"organisation_id": organisation, "display_name": f"Collega {n}",
                 "locale": "nl", "timezone": "Europe/Amsterdam",
                 "workdays": "mon,tue,wed,thu,fri", "diary_time": clock_time(9),
                 "schedule_registered": True, "created_at": now} for n in numbers]
            ).scalars().all()
            connection.execute(insert(table_of(Identity)), [
                {"person_id": ids[n], "platform": "slack", "tenant": TEAM,
                 "external_id": f"UW{n:06d}", "conversation": channel_of(n),
                 "created_at": now, "last_seen_at": now} for n in numbers])
    return ids


def enqueue_wave(database: Engine, ids: list[int], first_due: datetime, spread: float
                 ) -> None:
    """Everyone's diary nudge, due from `first_due` on within `spread` seconds (in id order)."""
    step = spread / max(1, len(ids))
    today = first_due.date()
    flow = rhythm(DIARY).flow
    with database.begin() as connection:
        for start in range(0, len(ids), INSERT_CHUNK):
            batch = deliveries.Batch(connection, first_due)
            for number in range(start, min(len(ids), start + INSERT_CHUNK)):
                due = first_due + timedelta(seconds=number * step)
                batch.add(deliveries.NUDGE, ids[number], DIARY, flow, today.isoformat(),
                          today, due, due, due + timedelta(hours=2))
            batch.write()


def open_ends(database: Engine) -> int:
    """Nudges of the wave not finished yet (the gentle reminders each sent nudge queues for
    later in the day are not part of the wave)."""
    table = table_of(Delivery)
    with database.connect() as connection:
        return int(connection.execute(
            select(func.count()).select_from(table)
            .where(table.c.kind == deliveries.NUDGE,
                   table.c.state.in_((deliveries.PENDING, deliveries.SENDING)))
        ).scalar_one())


def start_replicas(count: int, url: str, api_url: str) -> list[subprocess.Popen[str]]:
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "bench",
           "LEERCOACH_SLACK_API_URL": api_url, "LEERCOACH_DATABASE_URL": url}
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "MICROSOFT_APP_ID", "LEERCOACH_NOW",
                 "LEERCOACH_CLOCK_OFFSET"):
        env.pop(name, None)
    processes = [subprocess.Popen([sys.executable, __file__, "--replica", url], env=env,
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True)
                 for _ in range(count)]
    for process in processes:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a replica did not start")
    return processes


def stop_replicas(processes: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    reports = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        lines = [line for line in out.splitlines() if line.startswith("{")]
        reports.append(json.loads(lines[-1]) if lines else {})
    return reports


def wave(args: argparse.Namespace, url: str) -> dict[str, Any]:
    database = create_db_engine(url)
    migrate.upgrade(database)
    ideal = args.people / args.workspace_rate
    spread = min(60.0, ideal / 2)
    started = time.monotonic()
    ids = populate(database, args.people)
    print(f"{args.people} people in {time.monotonic() - started:.1f} s", file=sys.stderr)
    limits = PostLimits(per_channel=args.channel_rate, per_workspace=args.workspace_rate)
    with MockSlackApi.running() as api:
        api.valid_tokens = {BOT_TOKEN}
        api.post_limits = limits
        processes = start_replicas(args.replicas, url, api.base_url)
        try:
            first_due = datetime.now(UTC) + timedelta(seconds=1)
            enqueue_wave(database, ids, first_due, spread)
            due_at = time.monotonic() + (first_due - datetime.now(UTC)).total_seconds()
            deadline = time.monotonic() + ideal * 3 + 60
            while time.monotonic() < deadline:
                time.sleep(1.0)
                if open_ends(database) == 0:
                    break
            time.sleep(DISPATCH_SECONDS + 0.5)  # a late duplicate would show up by now
        finally:
            reports = stop_replicas(processes)
        posts = [call for call in api.calls_to("chat.postMessage")]
    database.dispose()
    delivered = [call for call in posts if call.ok]
    channels = [str(call.params.get("channel")) for call in delivered]
    unique = set(channels)
    refused = sum(1 for call in posts if call.status == 429)
    seconds = (max(call.at for call in delivered) - due_at) if delivered else float("nan")
    order = [int(channel[2:]) for channel in channels]  # ids are due in this order
    in_order = sum(1 for a, b in itertools.pairwise(order) if a < b)
    round_trips = sum(report.get("budget_round_trips", 0) for report in reports)
    return {
        "seconds": round(seconds, 2),
        "ideal_seconds": round(ideal, 2),
        "wave_ratio": round(seconds / ideal, 3),
        "sent": len(unique),
        "lost": args.people - len(unique),
        "duplicates": len(channels) - len(unique),
        "share_429": round(refused / max(1, len(posts)), 4),
        "in_due_order": round(in_order / max(1, len(order) - 1), 3),
        "budget_round_trips_per_send": round(round_trips / max(1, len(delivered)), 3),
        "outcomes": [report.get("outcomes", {}) for report in reports],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--replicas", type=int, default=None,
                        help="dispatcher processes (default 3 on PostgreSQL, 1 on SQLite)")
    parser.add_argument("--workspace-rate", type=float, default=8.0,
                        help="the mock workspace's limit, messages per second")
    parser.add_argument("--channel-rate", type=float, default=1.0)
    parser.add_argument("--database-url", default=os.environ.get("LEERCOACH_BENCH_DATABASE_URL"),
                        help="PostgreSQL (a fresh schema in it is used and dropped); "
                        "default: a SQLite file")
    parser.add_argument("--replica", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replica:
        asyncio.run(replica(args.replica))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        base = args.database_url or f"sqlite:///{folder}/wave.db"
        schema = None
        url = base
        if base.startswith("postgresql"):
            url, schema = postgres_schema_url(base)
        if args.replicas is None:  # SQLite is the one-process deployment
            args.replicas = 3 if schema else 1
        try:
            result = wave(args, url)
        finally:
            if schema is not None:
                drop_schema(base, schema)
    line = {"bench": "nudge_wave", "people": args.people, "replicas": args.replicas,
            **result, "backend": "postgresql" if schema else "sqlite",
            "targets": {"wave_ratio": 1.15, "share_429": 0.01, "lost": 0, "duplicates": 0}}
    print(json.dumps(line))
    return 0 if line["lost"] == 0 and line["duplicates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
