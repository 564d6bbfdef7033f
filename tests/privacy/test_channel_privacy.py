"""A mention of the coach in a Slack channel shows no personal dialog either: the engine
answers a channel-origin event with what belongs in the channel only
(bot/conversation/turn.py), so the rule holds for every platform. (Teams:
tests/teams/test_teams_platform.py.)"""

from __future__ import annotations

import json

from bot.runtime import Runtime
from tests.rigs.slack_rig import SlackRig, dm, mention, run, text_of


def test_help_in_a_slack_channel_never_shows_the_personal_dialog(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("hallo"))  # onboarding question 1 of 6, in the DM
        [question] = await rig.posts(1)
        asked = text_of(question.params)
        await rig.post_json(mention("help"))
        posts = await rig.posts(2)
        [reply] = posts[1:]
        assert reply.params["channel"] == "C1"
        said = json.dumps(reply.params, ensure_ascii=False)
        assert asked[:40] not in said
        assert not [b for b in reply.params.get("blocks") or [] if b["type"] == "actions"]
        await rig.post_json(mention("dagboek"))
        [pointer] = (await rig.posts(3))[2:]
        assert pointer.params["channel"] == "C1"
        assert "persoonlijk bericht" in json.dumps(pointer.params, ensure_ascii=False)

    run(runtime, scenario)
