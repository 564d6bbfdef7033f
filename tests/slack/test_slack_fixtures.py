"""Slack's documented inbound payloads (tests/rigs/slack_fixtures.py, each citing its page),
signed and sent over real HTTP to the running app: each gets the documented answer (a 200
acknowledgement, with content only where Slack shows it), never a 404 or a 500, and has
the effect a person expects: edits, deletions, other bots and our own posts are no answers
(nothing stored twice, no reply to ourselves), a file share and a command are answered,
buttons from a message, a modal and the App Home, every input of a submitted modal,
member joins and leaves, and installs inside Enterprise Grid."""

from __future__ import annotations

import asyncio
import json
from functools import partial

from sqlalchemy import func, select

from adapters.slack import inbound
from adapters.slack.blocks import FORM_SUBMIT
from bot.runtime import Runtime
from bot.storage.models import DiaryEntry, Person
from tests.conftest import channel_cohort, cohort_members
from tests.rigs import slack_fixtures as fx
from tests.rigs.slack_installs import GRID, OAUTH, ORG, api_for, install
from tests.rigs.slack_rig import SlackRig, press
from tests.rigs.slack_rig import run as play

USERS = {u: {"profile": {"display_name": n}} for u, n in
         (("U1", "Anna"), ("U2", "Bram"), ("U3", "Cas"), ("W1", "Wim"))}


run = partial(play, users=USERS)  # every scenario here meets these four people


def count(runtime: Runtime, model: type) -> int:
    with runtime.database.connect() as connection:
        return int(connection.execute(
            select(func.count()).select_from(model.__table__)).scalar_one())  # type: ignore[attr-defined]


async def acked(rig: SlackRig, fixture: fx.Fixture) -> str:
    """Send a fixture; it must be acknowledged (200), never 404 or 500."""
    answer = await rig.send(fixture)
    assert answer.status == 200, (fixture.name, fixture.source, answer.status, answer.text)
    return answer.text


async def settle(rig: SlackRig) -> None:
    """Long enough for work after an acknowledgement to have posted what it would."""
    await asyncio.sleep(0.4)


def everything() -> list[fx.Fixture]:
    return [
        fx.dm("hallo"), fx.message_changed("hallo", "hallo!"), fx.message_deleted(),
        fx.bot_message(), fx.own_post(), fx.file_share("notities van vandaag"),
        fx.thread_broadcast(), fx.app_home_opened(), fx.member_joined("U2"),
        fx.member_left("U2"), fx.grid_dm("hallo", org_wide=False),
        fx.grid_dm("hallo", org_wide=True),
        fx.button_in_message("lc_choice", "ja", "q-gone"), fx.radio_in_modal(),
        fx.home_button("overzicht"), fx.form_submission("form-gone", {"goal": "x"}),
        fx.unknown_submission(), fx.view_closed(), fx.global_shortcut(),
        fx.message_shortcut(), fx.slash_command("help"), fx.slash_command(""),
        fx.tokens_revoked(["U0LEERBOT"], []), fx.app_uninstalled(),
    ]


def test_every_documented_payload_is_acknowledged(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        for fixture in everything():
            await acked(rig, fixture)
        await settle(rig)

    run(runtime, scenario)


def test_edits_deletions_bots_and_our_own_posts_are_no_answers(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await acked(rig, fx.dm("dagboek"))
        await rig.posts(1)
        answers = ("Een klant vroeg iets lastigs.", "Ik vroeg door.", "Eerst vragen.")
        for number, answer in enumerate(answers, start=2):
            await acked(rig, fx.dm(answer))
            await rig.posts(number)
        await rig.interact(press((await rig.posts(4))[-1], "4"))
        await rig.posts(5)
        assert count(runtime, DiaryEntry) == 1
        posted = len(rig.api.calls_to("chat.postMessage"))
        for fixture in (fx.message_changed(answers[0], "Een klant vroeg iets heel lastigs."),
                        fx.message_deleted(), fx.bot_message(), fx.own_post(),
                        fx.thread_broadcast(user="U2")):
            await acked(rig, fixture)
        await settle(rig)
        assert len(rig.api.calls_to("chat.postMessage")) == posted  # no reply to any
        assert count(runtime, DiaryEntry) == 1  # nothing stored twice

        await acked(rig, fx.file_share("hallo"))  # a person's message with a file
        await rig.posts(posted + 1)

    run(runtime, scenario)
    assert count(runtime, Person) == 1  # no one made for a bot, our bot or a channel


def test_buttons_from_a_message_a_modal_and_the_app_home(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        # the App Home's button starts its flow in the DM, and the Home is shown again
        await acked(rig, fx.home_button("dagboek"))
        question = (await rig.posts(1))[0]
        assert question.params["channel"] == "DU1"
        assert "Welke leermomenten" in json.dumps(question.params, ensure_ascii=False)
        await rig.api.wait_for("views.publish", 1)
        # a radio button in a modal of another view: acknowledged, nothing else
        await acked(rig, fx.radio_in_modal())
        # a button of our posted message (a press as Slack sends it): answered
        await acked(rig, fx.dm("Een klant vroeg iets lastigs."))
        await acked(rig, fx.dm("Ik vroeg door."))
        await acked(rig, fx.dm("Eerst vragen."))
        scale = (await rig.posts(4))[-1]
        await rig.interact(press(scale, "3"))
        await rig.api.wait_for("chat.update", 1)
        await rig.posts(5)

    run(runtime, scenario)
    assert count(runtime, DiaryEntry) == 1


def test_a_submitted_modal_reads_every_input_type_and_closing_one_is_acknowledged(
        runtime: Runtime) -> None:
    # every input element's value, as view_submission carries it
    fixture = fx.unknown_submission()
    view = {**fixture.body["view"], "private_metadata": json.dumps({"ref": "f1"}),
            "callback_id": FORM_SUBMIT}
    event = inbound.view_event({**fixture.body, "view": view})
    assert event is not None and event.form == {
        "note": "Ik vroeg eerst door.", "pick": "samenwerken", "picks": "plannen,feedback",
        "ticks": "ja", "radio": "soms", "day": "2026-03-11", "hour": "09:30"}

    async def scenario(rig: SlackRig) -> None:
        # a form of ours whose question has passed: the modal closes (no errors in it)
        assert await acked(rig, fx.form_submission("form-gone", {"goal": "Beter plannen"})) \
            == ""
        assert await acked(rig, fx.view_closed()) == ""
        assert await acked(rig, fx.unknown_submission()) == ""

    run(runtime, scenario)


def test_slash_commands_and_the_app_home_tab(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await acked(rig, fx.slash_command("help"))
        help_text = (await rig.posts(1))[0]
        assert help_text.params["channel"] == "DU1"
        await acked(rig, fx.slash_command("dagboek", channel="C0TEAM"))
        await rig.api.wait_for("chat.postEphemeral", 1)  # pointed to the DM
        await acked(rig, fx.app_home_opened())
        await rig.api.wait_for("views.publish", 1)

    run(runtime, scenario)


def test_member_joins_and_leaves_follow_the_cohort(runtime: Runtime) -> None:
    cohort = channel_cohort(runtime, "slack:T0LEERCO:C0COHORT")

    async def scenario(rig: SlackRig) -> None:
        await acked(rig, fx.member_joined("U2"))
        await acked(rig, fx.member_joined("U3"))
        await acked(rig, fx.member_left("U2"))
        for _ in range(200):
            if cohort_members(runtime, cohort) == {"U2": False, "U3": True}:
                break
            await asyncio.sleep(0.02)

    run(runtime, scenario)
    assert cohort_members(runtime, cohort) == {"U2": False, "U3": True}


def test_enterprise_grid_events_reach_a_workspace_and_an_org_wide_install(
        runtime: Runtime) -> None:
    async def in_a_workspace(rig: SlackRig) -> None:
        await install(rig)
        body = fx.grid_dm("dagboek", org_wide=False, user="W1", team=GRID.team_id,
                          enterprise=str(GRID.enterprise_id))
        await acked(rig, body)
        assert (await rig.posts(1))[0].token.startswith("xoxb-T0GRIDWS")  # type: ignore[union-attr]

    async def org_wide(rig: SlackRig) -> None:
        await install(rig)
        body = fx.grid_dm("dagboek", org_wide=True, user="W1", team="T0ORGWS1",
                          enterprise=str(ORG.enterprise_id))
        await acked(rig, body)
        assert (await rig.posts(1))[0].params["channel"] == "DW1"
        await acked(rig, fx.tokens_revoked([ORG.bot_user_id], [], team="T0ORGWS1"))
        await acked(rig, fx.app_uninstalled(team="T0ORGWS1"))

    run(runtime, in_a_workspace, api_for(GRID), OAUTH)
    run(runtime, org_wide, api_for(ORG), OAUTH)
