"""A Slack request that comes again with a signature already accepted is refused (a replay);
Slack's own retries, which say so, are answered once through the event-id store."""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

from sqlalchemy import func, select

from adapters.slack.replays import SeenSignatures
from bot.runtime import Runtime
from bot.storage.models import Person
from tests.rigs.slack_rig import SlackRig, command, dm, sign, slack_rig


async def send(rig: SlackRig, raw: str, content_type: str, at: int,
               retry: str | None = None) -> int:
    headers = {"Content-Type": content_type, **sign(raw, at)}
    if retry is not None:
        headers["X-Slack-Retry-Num"] = retry
    async with rig.http.post(f"{rig.url}/slack/events", data=raw, headers=headers) as response:
        await response.read()
        return response.status


def test_a_replayed_event_or_command_is_refused(runtime: Runtime) -> None:
    async def scenario() -> None:
        async with slack_rig(runtime) as rig:
            at = int(time.time())  # Slack signs with the real time; its window is checked on it
            event = json.dumps(dm("hulp", user="U-replay"))
            assert await send(rig, event, "application/json", at) == 200
            await rig.posts(1)
            assert await send(rig, event, "application/json", at) == 401
            # Slack's own retry of it is let through, and answered no second time
            assert await send(rig, event, "application/json", at, retry="1") == 200
            await asyncio.sleep(0.3)
            assert len(rig.api.calls_to("chat.postMessage")) == 1  # the event's one answer
            form = urlencode(command("hulp", user="U-cmd"))
            form_type = "application/x-www-form-urlencoded"
            assert await send(rig, form, form_type, at) == 200
            # the command's answer may be posted just after its acknowledgement: wait for it
            answered = len(await rig.posts(2))
            assert await send(rig, form, form_type, at) == 401
            await asyncio.sleep(0.3)
            assert len(rig.api.calls_to("chat.postMessage")) == answered

    asyncio.run(scenario())
    with runtime.database.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Person)).scalar_one() == 2


def test_signatures_are_forgotten_after_the_window_and_bounded() -> None:
    now = [1000.0]
    seen = SeenSignatures(clock=lambda: now[0], window=360, most=3)
    assert seen.first_time("v0=a")
    assert not seen.first_time("v0=a")
    now[0] += 361
    assert seen.first_time("v0=a")  # its timestamp is outside Slack's window by now
    assert seen.first_time("v0=b")
    assert seen.first_time("v0=c")
    assert seen.first_time("v0=d")  # the fourth pushes out the oldest ("v0=a")
    assert not seen.first_time("v0=c")
    assert seen.first_time("v0=a")
