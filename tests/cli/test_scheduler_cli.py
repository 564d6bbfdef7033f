"""`leercoach tick`, `outbox status`, `calendar` and `scheduler`, run as a user would, and the
APScheduler ticks inside `leercoach serve`."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from adapters.http_server import SCHEDULER_KEY, create_app
from adapters.platform import senders
from adapters.terminal import TerminalAdapter
from bot.config import Settings
from bot.runtime import open_runtime
from scheduler.runner import build_scheduler
from scheduler.ticks import Ticks
from tests.rigs.cli import TIMEOUT, clean_env, leercoach_command, run

# A Monday, a Dutch workday; the diary is due at 16:30 in Amsterdam (15:30 UTC). Every
# command of a test runs at one of these moments (LEERCOACH_NOW, or `tick --now`), so the
# tests mean the same on any day they are run.
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DIARY_DUE = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@pytest.mark.slow
def test_tick_registers_nudges_and_the_chat_shows_the_question(tmp_path: Path) -> None:
    chatted = run(tmp_path, "chat", "--user", "alice", stdin="hallo\nstop\n", now=MORNING)
    assert chatted.returncode == 0, chatted.stderr
    first = run(tmp_path, "tick", "--now", "2026-11-23T09:00:00Z")
    assert first.returncode == 0, first.stderr
    assert "0 due, 0 queued, 1 newly registered" in first.stdout

    due = run(tmp_path, "tick", "--now", "2026-11-23T15:30:00Z")
    assert due.returncode == 0, due.stderr
    assert "sweep at 2026-11-23T15:30:00Z: 1 due, 1 queued" in due.stdout
    assert "queued   nudge diary for person 1 (2026-11-23)" in due.stdout
    assert "sent     nudge:1:diary:2026-11-23" in due.stdout

    status = run(tmp_path, "outbox", "status", now=DIARY_DUE)
    assert status.returncode == 0, status.stderr
    assert "pending 1, sending 0, sent 1" in status.stdout  # the reminder waits
    assert "oldest pending: 2026-11-23T17:30:00Z" in status.stdout

    chat = run(tmp_path, "chat", "--user", "alice", stdin="", now=DIARY_DUE)
    assert "Welke leermomenten waren er vandaag?" in chat.stdout


def test_tick_with_an_unreadable_moment_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, "tick", "--now", "gisteren")
    assert result.returncode == 2
    assert "not an ISO date and time" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_calendar_set_and_days_off(tmp_path: Path) -> None:
    shown = run(tmp_path, "calendar", "show")
    assert "public holidays: NL" in shown.stdout and "quiet hours: 21:00-07:00" in shown.stdout
    changed = run(tmp_path, "calendar", "set", "--holidays", "be", "--quiet-hours",
                  "22:00-06:30")
    assert changed.returncode == 0, changed.stderr
    assert "public holidays: BE" in changed.stdout and "22:00-06:30" in changed.stdout
    added = run(tmp_path, "calendar", "add-day", "2026-12-24", "--name", "Kerstavond")
    assert "extra days off: 2026-12-24 Kerstavond" in added.stdout
    removed = run(tmp_path, "calendar", "remove-day", "2026-12-24")
    assert "extra days off: none" in removed.stdout


def test_calendar_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    country = run(tmp_path, "calendar", "set", "--holidays", "XX")
    assert country.returncode == 2 and "no public holidays known" in country.stderr
    quiet = run(tmp_path, "calendar", "set", "--quiet-hours", "laat")
    assert quiet.returncode == 2 and "quiet hours must look like 21:00-07:00" in quiet.stderr
    day = run(tmp_path, "calendar", "add-day", "31-12-2026")
    assert day.returncode == 2 and "Traceback" not in day.stderr


@pytest.mark.slow
def test_a_calendar_change_moves_the_next_nudge(tmp_path: Path) -> None:
    run(tmp_path, "chat", "--user", "alice", stdin="hallo\nstop\n", now=MORNING)
    run(tmp_path, "tick", "--now", "2026-11-23T09:00:00Z")
    # The change reschedules everyone from the moment it is made: that morning.
    added = run(tmp_path, "calendar", "add-day", "2026-11-23", "--name", "Studiedag",
                now=MORNING)
    assert added.returncode == 0, added.stderr
    result = run(tmp_path, "tick", "--now", "2026-11-23T15:30:00Z")
    assert "0 due" in result.stdout and "nudge:1:diary" not in result.stdout
    next_day = run(tmp_path, "tick", "--now", "2026-11-24T15:30:00Z")
    assert "sent     nudge:1:diary:2026-11-24" in next_day.stdout
    # The week's plan moved to Tuesday too, and waits until the diary is done.
    assert "deferred nudge:1:weekplan:2026-W48 (busy in another dialog)" in next_day.stdout


def test_the_standalone_scheduler_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*leercoach_command(), "scheduler"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=clean_env(),
    )
    try:
        assert process.stdout is not None
        assert "scheduler running" in process.stdout.readline()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=TIMEOUT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=TIMEOUT)


def test_only_ticks_are_scheduled_never_a_job_per_person(tmp_path: Path) -> None:
    runtime = open_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    try:
        scheduler = build_scheduler(Ticks(runtime, senders([TerminalAdapter()])))
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"due-sweep", "outbox-dispatch", "dialog-expiry"}
        assert isinstance(jobs["due-sweep"].trigger, CronTrigger)
        assert isinstance(jobs["outbox-dispatch"].trigger, IntervalTrigger)
        assert all(job.max_instances == 1 and job.coalesce for job in jobs.values())
    finally:
        runtime.close()


def test_serve_runs_the_scheduler_while_the_app_runs(tmp_path: Path) -> None:
    runtime = open_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    ticks = Ticks(runtime, senders([TerminalAdapter()]),
                  clock=lambda: datetime(2026, 11, 23, 9, tzinfo=UTC))

    async def lifecycle() -> tuple[bool, bool]:
        app = create_app(runtime, ticks)
        runner = web.AppRunner(app)
        await runner.setup()
        scheduler = app[SCHEDULER_KEY]
        running = scheduler.running
        await runner.cleanup()
        await asyncio.sleep(0)
        return running, scheduler.running

    try:
        assert asyncio.run(lifecycle()) == (True, False)
    finally:
        runtime.close()
