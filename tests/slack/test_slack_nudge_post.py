"""A nudge reaches Slack as one post: its lead and its question together, so it costs one of
the channel's one message a second and one slot of the workspace budget, and the mock, which
enforces Slack's posting limits (tests/rigs/slack_rate_limits.py), never answers 429."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.outbox.dispatch import Dispatcher
from bot.runtime import Runtime
from bot.storage.models import Person
from tests.conftest import queue_nudge
from tests.rigs.slack_rate_limits import PostLimits
from tests.rigs.slack_rig import SlackRig, dm, run, text_of


def test_a_nudge_is_one_post_within_slacks_limit_per_channel(runtime: Runtime) -> None:
    posts: list[dict[str, object]] = []

    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("hallo"))
        await rig.posts(1)
        await rig.post_json(dm("stop"))
        await rig.posts(2)
        with runtime.database.connect() as connection:
            person_id = int(connection.execute(
                select(Person.__table__.c.id)).scalar_one())  # type: ignore[attr-defined]
        queue_nudge(runtime, person_id)
        limits = rig.api.post_limits = PostLimits(per_channel=1.0, per_workspace=8.0)
        before = len(rig.api.calls_to("chat.postMessage"))
        dispatcher = Dispatcher(runtime.engine, {"slack": rig.adapter.sender},
                                limits={"slack": rig.adapter.limits()}, worker="t")
        report = await dispatcher.dispatch(runtime.engine.clock() + timedelta(seconds=1))
        assert [outcome.result for outcome in report.outcomes] == ["sent"]
        assert limits.refused == 0
        posts.extend(call.params for call in rig.api.calls_to("chat.postMessage")[before:])

    run(runtime, scenario)
    assert len(posts) == 1
    text = text_of(posts[0])
    assert "Welke leermomenten waren er vandaag?" in text  # the question
    assert "terug te kijken" in text  # and the lead before it
