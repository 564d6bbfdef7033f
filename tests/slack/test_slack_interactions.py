"""Interactions no listener of ours takes (an old button, a shortcut, a radio button of
another view, a modal we did not open) are acknowledged with 200
over real HTTP, never bolt's 404, which Slack would show the person as an error."""

from __future__ import annotations

import asyncio
import json
from functools import partial

from bot.runtime import Runtime
from tests.rigs import slack_fixtures as fx
from tests.rigs.slack_rig import SlackRig
from tests.rigs.slack_rig import run as play

run = partial(play, users={"U1": {"real_name": "Anna", "locale": "nl-NL"}})


def test_an_old_button_in_a_message_says_its_question_has_passed(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        response = await rig.send(fx.button_in_message("lc_old_flow_next", "2",
                                                       "old-flow:step2"))
        assert response.status == 200
        said = (await rig.api.wait_for("chat.postEphemeral", 1))[0].params
        assert said["user"] == "U1" and said["channel"] == "DU1"
        assert "voorbij" in said["text"]
        assert rig.api.calls_to("chat.postMessage") == []

    run(runtime, scenario)


def test_an_old_button_on_the_app_home_shows_the_home_as_it_is(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        response = await rig.send(fx.home_button("oud", action_id="lc_home_removed"))
        assert response.status == 200
        await rig.api.wait_for("views.publish", 1)
        assert rig.api.calls_to("chat.postEphemeral") == []

    run(runtime, scenario)


def test_shortcuts_radios_and_modals_of_others_are_acknowledged(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        for fixture in (fx.global_shortcut(), fx.message_shortcut(), fx.radio_in_modal(),
                        fx.unknown_submission(), fx.view_closed("old_modal"),
                        fx.view_closed()):
            response = await rig.send(fixture)
            assert response.status == 200, fixture.name
            assert not response.text or json.loads(response.text) == {}, fixture.name
        await asyncio.sleep(0.2)
        assert rig.api.calls_to("chat.postMessage") == []
        assert rig.api.calls_to("chat.postEphemeral") == []  # a modal's radio: nothing

    run(runtime, scenario)
