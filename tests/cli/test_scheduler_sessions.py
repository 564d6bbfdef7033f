"""`leercoach tick` and `leercoach scheduler` close Slack's HTTP session when they stop: a
nudge goes out through the mock Slack Web API, and stderr has no "Unclosed client session"
(aiohttp's complaint about a session left to the garbage collector)."""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot import clock
from bot.config import Settings
from bot.core.messages import Address, InboundEvent
from bot.runtime import open_runtime
from bot.storage.models import Person
from tests.conftest import queue_nudge
from tests.rigs.cli import TIMEOUT, clean_env, leercoach_command, run
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import BOT_TOKEN, SECRET, TEAM

MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
DIARY_DUE = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 16:30 in Amsterdam
UNCLOSED = "Unclosed"


def slack_person(folder: Path) -> int:
    """Someone who wrote to the coach in a Slack DM, in the database `leercoach` uses in
    `folder`."""
    runtime = open_runtime(Settings(database_url=f"sqlite:///{folder / 'leercoach.db'}"),
                           clock=lambda: MORNING)
    try:
        address = Address("slack", TEAM, "U7", "D0DMU7")
        for text in ("hallo", "stop"):
            runtime.engine.handle(InboundEvent(address=address, text=text))
        with runtime.sessions() as session:
            person_id = session.scalar(select(Person.id))
        assert person_id is not None
        return int(person_id)
    finally:
        runtime.close()


def slack_env(api: MockSlackApi, now: datetime) -> dict[str, str]:
    return clean_env(now=now, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                     LEERCOACH_SLACK_API_URL=api.base_url)


@pytest.mark.slow
def test_tick_closes_the_slack_session_it_sent_with(tmp_path: Path) -> None:
    slack_person(tmp_path)
    with MockSlackApi.running() as api:
        first = run(tmp_path, "tick", env=slack_env(api, MORNING))
        assert first.returncode == 0, first.stderr
        due = run(tmp_path, "tick", env=slack_env(api, DIARY_DUE))
        assert due.returncode == 0, due.stderr
        assert "sent     nudge:1:diary:2026-11-23" in due.stdout
        assert api.calls_to("chat.postMessage"), "no nudge went through Slack"
    assert UNCLOSED not in due.stderr, due.stderr


@pytest.mark.slow
def test_the_scheduler_closes_the_slack_session_on_sigterm(tmp_path: Path) -> None:
    person_id = slack_person(tmp_path)
    runtime = open_runtime(Settings(database_url=f"sqlite:///{tmp_path / 'leercoach.db'}"))
    try:
        queue_nudge(runtime, person_id)  # due at the product's (the test's) clock
    finally:
        runtime.close()
    with MockSlackApi.running() as api:
        env = slack_env(api, clock.now())  # the moment the nudge was queued at
        process = subprocess.Popen(
            [*leercoach_command(), "scheduler"], cwd=tmp_path, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=env)
        try:
            assert process.stdout is not None
            assert "scheduler running" in process.stdout.readline()
            api.wait_for_sync("chat.postMessage", timeout=TIMEOUT)
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=TIMEOUT)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert UNCLOSED not in err, err
