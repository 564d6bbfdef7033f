"""A statement poll through Slack's HTTP endpoint: /leercoach oefening stellingen in a
channel posts the first statement there, votes come as button presses (each voter hears
back in their DM), the facilitator's buttons post the next statement in the thread and
close the poll, and the results with their bar chart are posted in the channel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select

from bot.people import roles
from bot.runtime import Runtime
from bot.storage.models import Identity, WorkshopResponse, WorkshopRun
from tests.rigs.slack_mock import Call, MockSlackApi
from tests.rigs.slack_rig import SlackRig, command, dm, press, slack_rig


def _facilitator(runtime: Runtime, user: str) -> None:
    with runtime.database.connect() as connection:
        person = connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one()
    with runtime.database.begin() as connection:
        roles.set_role(connection, person, "facilitator")


async def _posted(rig: SlackRig, wanted: Callable[[Call], bool]) -> Call:
    """The first chat.postMessage that `wanted` accepts, once it is made."""
    for _ in range(250):
        found = next((c for c in rig.api.calls_to("chat.postMessage") if wanted(c)), None)
        if found is not None:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError("the message was not posted")


def test_a_statement_poll_runs_in_a_slack_channel(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        for user in ("U1", "U2"):
            await rig.post_json(dm("hallo", user))
            await rig.post_json(dm("stop", user))
        await rig.posts(4)
        _facilitator(runtime, "U1")

        await rig.post_form(command("oefening stellingen", channel="CTEAM"))
        post = await _posted(rig, lambda c: c.params["channel"] == "CTEAM")
        assert "thread_ts" not in post.params
        assert "Stelling 1 van 5" in str(post.params["blocks"])
        thread = str(post.response["ts"])
        for _ in range(250):
            with runtime.database.connect() as connection:
                if connection.execute(select(WorkshopRun.thread)).scalar_one() == thread:
                    break
            await asyncio.sleep(0.02)

        # a vote, a changed vote: each voter hears back in their DM, not in the channel
        await rig.interact(press(post, "vote:1:agree", "U2"))
        await _posted(rig, lambda c: c.params["channel"] == "DU2"
                      and "Je stem telt" in str(c.params["blocks"]))
        await rig.interact(press(post, "vote:1:disagree", "U2"))
        await _posted(rig, lambda c: c.params["channel"] == "DU2"
                      and "is nu" in str(c.params["blocks"]))
        await rig.interact(press(post, "vote:1:agree", "U1"))
        await _posted(rig, lambda c: c.params["channel"] == "DU1"
                      and "Je stem telt" in str(c.params["blocks"]))

        # the facilitator moves on: the next statement in the thread
        await rig.interact(press(post, "next:1", "U1"))
        second = await _posted(rig, lambda c: c.params.get("thread_ts") == thread)
        assert second.params["channel"] == "CTEAM"
        assert "Stelling 2 van 5" in str(second.params["blocks"])
        await rig.interact(press(second, "vote:2:unsure", "U2"))
        await _posted(rig, lambda c: c.params["channel"] == "DU2"
                      and "stelling 2" in str(c.params["blocks"]))

        # someone else cannot close it; the facilitator can
        await rig.interact(press(second, "close", "U2"))
        await _posted(rig, lambda c: c.params["channel"] == "DU2"
                      and "doet de facilitator" in str(c.params["blocks"]))
        await rig.interact(press(second, "close", "U1"))
        results = await _posted(rig, lambda c: c.params["channel"] == "CTEAM"
                                and "Uitslag" in str(c.params["blocks"]))
        assert "thread_ts" not in results.params
        shown = str(results.params["blocks"])
        assert "2 mensen stemden." in shown
        assert "Eens      █ 1" in shown and "Oneens    █ 1" in shown
        assert "Eens: Anna" in shown and "Oneens: Bram" in shown
        assert "Weet niet █ 1" in shown and "Weet niet: Bram" in shown

    api = MockSlackApi(users={"U1": {"profile": {"display_name": "Anna"}},
                              "U2": {"profile": {"display_name": "Bram"}}})

    async def main() -> None:
        async with slack_rig(runtime, api=api) as rig:
            await scenario(rig)

    asyncio.run(main())
    with runtime.database.connect() as connection:
        votes = sorted((r.item, r.value) for r in connection.execute(
            select(WorkshopResponse.item, WorkshopResponse.value)))
        state = connection.execute(select(WorkshopRun.state)).scalar_one()
    assert votes == [(1, "agree"), (1, "disagree"), (2, "unsure")]
    assert state == "closed"
