"""An intervision case through Slack's HTTP endpoint: /leercoach intervisie in a channel
opens the intake modal, the case is posted in the channel, the thread's replies and the
phase buttons run it."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.people import roles
from bot.runtime import Runtime
from bot.storage.models import CaseContribution, Identity, IntervisionCase
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import SlackRig, command, dm, envelope, press, slack_rig, view_submission


def _facilitator(runtime: Runtime, user: str) -> None:
    with runtime.database.connect() as connection:
        person = connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one()
    with runtime.database.begin() as connection:
        roles.set_role(connection, person, "facilitator")


def _thread_reply(text: str, user: str, thread: str) -> dict[str, object]:
    return envelope({"type": "message", "channel_type": "channel", "channel": "CTEAM",
                     "user": user, "text": text, "ts": "1700000100.000001",
                     "thread_ts": thread, "team": "T0LEERCO"})


def test_an_intervision_case_runs_in_a_slack_thread(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        for user in ("U1", "U2"):
            await rig.post_json(dm("hallo", user))
            await rig.post_json(dm("stop", user))
        await rig.posts(4)
        _facilitator(runtime, "U1")

        await rig.post_form(command("intervisie", channel="CTEAM"))
        modal = (await rig.api.wait_for("views.open", 1))[0].params["view"]
        assert [b["block_id"] for b in modal["blocks"] if b["type"] == "input"] == [
            "story", "stuck", "unsure", "question"]
        await rig.interact(view_submission(modal, {
            "story": "Een klant belde boos over een factuur.",
            "stuck": "Ik wist niet wie het moest oplossen.",
            "unsure": "Of ik had moeten doorverbinden.",
            "question": "Hoe houd ik regie als het niet mijn werk is?"}))
        confirm = None
        for _ in range(100):
            confirm = next((c for c in rig.api.calls_to("chat.postMessage")
                            if "casusbibliotheek" in str(c.params["blocks"])), None)
            if confirm is not None:
                break
            await asyncio.sleep(0.02)
        assert confirm is not None and confirm.params["channel"] == "DU1"
        await rig.interact(press(confirm, "yes"))
        case_post = None
        for _ in range(100):
            case_post = next((c for c in rig.api.calls_to("chat.postMessage")
                              if c.params["channel"] == "CTEAM"), None)
            if case_post is not None:
                break
            await asyncio.sleep(0.02)
        assert case_post is not None and "Hoe houd ik regie" in str(case_post.params["blocks"])
        thread = str(case_post.response["ts"])
        for _ in range(100):
            with runtime.database.connect() as connection:
                if connection.execute(select(IntervisionCase.thread)).scalar_one() == thread:
                    break
            await asyncio.sleep(0.02)

        # a statement in the question round gets the reminder, in the thread
        before = len(rig.api.calls_to("chat.postMessage"))
        await rig.post_json(_thread_reply("Je moet het gewoon doorsturen.", "U2", thread))
        reminder = (await rig.posts(before + 1))[-1].params
        assert reminder["thread_ts"] == thread and "Eerst vragen" in str(reminder["blocks"])
        # the facilitator's button starts phase 2 in the thread
        await rig.interact(press(case_post, "next", "U1"))
        phase = (await rig.posts(before + 2))[-1].params
        assert phase["thread_ts"] == thread and "Fase 2" in str(phase["blocks"])

    api = MockSlackApi(users={"U1": {"profile": {"display_name": "Anna"}},
                              "U2": {"profile": {"display_name": "Bram"}}})

    async def main() -> None:
        async with slack_rig(runtime, api=api) as rig:
            await scenario(rig)

    asyncio.run(main())
    with runtime.database.connect() as connection:
        kinds = list(connection.execute(select(CaseContribution.kind)).scalars())
    assert kinds == ["statement"]
