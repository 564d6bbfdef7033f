"""Messages typed during a database outage are kept and answered once it is back.

A PostgreSQL cluster of the test's own (tests/rigs/pg_cluster.py; the machine's shared
server is not touched) is stopped while Slack DMs arrive over real HTTP, signed as Slack
signs them (tests/rigs/slack_rig.py). Slack gets its 200 for each, and nobody is told to
"try again later": each message waits in the spool. After the start every DM is answered,
in the order it was typed, and stored; the outage is logged once when it starts and once
when it ends, without a traceback per attempt.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import open_runtime
from bot.storage import migrate
from bot.storage.database import create_db_engine
from bot.storage.models import Dialog, ProcessedEvent
from tests.rigs import pg_cluster
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import dm, slack_rig, text_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.skipif(pg_cluster.binaries() is None,
                       reason="no PostgreSQL binaries (initdb, pg_ctl) in /usr/lib/postgresql"),
]

USERS = {"U1": {"real_name": "Anna de Vries"}, "U2": {"real_name": "Bram Jansen"}}
ANSWER = "Een klant vroeg iets lastigs tijdens de storing."


async def until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def test_dms_during_a_postgres_outage_are_answered_and_stored_after_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("LEERCOACH_SPOOL_DIR", str(tmp_path / "spool"))
    with pg_cluster.throwaway_cluster() as cluster:
        database = create_db_engine(cluster.url)
        migrate.upgrade(database)
        database.dispose()
        runtime = open_runtime(Settings(database_url=cluster.url))
        try:
            asyncio.run(_scenario(runtime, cluster, caplog))
        finally:
            runtime.close()


async def _scenario(runtime: object, cluster: pg_cluster.Cluster,
                    caplog: pytest.LogCaptureFixture) -> None:
    from bot.runtime import Runtime

    assert isinstance(runtime, Runtime)
    api = MockSlackApi(users=USERS)
    async with slack_rig(runtime, api=api) as rig:
        spool = rig.adapter.conversations.spool
        assert spool is not None
        first = await rig.post_json(dm("hallo", "U2"))
        assert first.status == 200
        await rig.posts(1)  # the database answers: a reply at once

        await asyncio.to_thread(cluster.stop)
        typed = [dm("dagboek", "U1"), dm(ANSWER, "U1"), dm("help", "U2")]
        for body in typed:
            answer = await rig.post_json(body)
            assert answer.status == 200  # acknowledged: Slack will not send it again
        await until(lambda: len(spool.stalled()) == len(typed), 20,
                    "every DM to meet the outage")
        assert len(api.calls_to("chat.postMessage")) == 1, "nobody is told to try later"
        assert spool.path.read_text().count('"add"') == len(typed) + 1  # kept on disk

        await asyncio.to_thread(cluster.start)
        posts = await rig.posts(1 + len(typed), timeout=30)
        await until(lambda: not spool.stalled(), 10, "the spool to empty")

    to_anna = [text_of(call.params) for call in posts[1:] if call.params["channel"] == "DU1"]
    assert len(to_anna) == 2
    # in the order typed: "dagboek" opened the diary, the answer moved it one question on
    assert to_anna[0] != to_anna[1]
    with runtime.database.connect() as connection:
        seen = set(connection.execute(select(ProcessedEvent.event_id)).scalars())
        dialogs = connection.execute(select(Dialog.flow_id, Dialog.answers)).all()
    assert {f"event:{body['event_id']}" for body in typed} <= seen
    assert any(flow == "diary" and ANSWER in str(answers) for flow, answers in dialogs), \
        "the answer typed during the outage is stored in the diary dialog"

    said = [r for r in caplog.records if r.name == "leercoach.database"]
    assert [r.levelname for r in said] == ["ERROR", "WARNING"], [r.getMessage() for r in said]
    tracebacks = [r for r in caplog.records if r.exc_info and r.name.startswith("leercoach")]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
