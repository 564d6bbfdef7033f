"""Teams activities in the shapes Microsoft documents (tests/data/teams_activities/*.json, each
naming its source page under `_source`), posted over HTTP to /api/messages the way the rest
of the suite posts them, each getting the documented answer: an acknowledgement (200/201),
an invoke response (200 with `statusCode`, `type` and `value`), a reply where one is due and
a polite nothing where none is; never a 404 or a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import Runtime
from tests.contracts.adaptive_cards import check_card
from tests.rigs.teams_rig import TeamsRig, run

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "teams_activities"
NAMES = sorted(path.stem for path in FIXTURES.glob("*.json"))
INVOKE_TYPES = ("application/vnd.microsoft.card.adaptive",
                "application/vnd.microsoft.activity.message")

pytestmark = pytest.mark.usefixtures("no_failed_turns")


def load(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The activity as Teams sends it (`_` keys stripped) and what the test expects."""
    raw = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert raw["_source"], f"{name} names the page it follows"
    return {k: v for k, v in raw.items() if not k.startswith("_")}, raw["_expect"]


def test_every_fixture_cites_microsofts_documentation() -> None:
    assert len(NAMES) >= 12
    for name in NAMES:
        raw = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        assert all(url.startswith(("https://learn.microsoft.com/",
                                   "https://github.com/microsoft/botframework-sdk/"))
                   for url in raw["_source"]), name


@pytest.mark.parametrize("name", NAMES)
def test_a_documented_activity_gets_the_documented_answer(runtime: Runtime, name: str
                                                          ) -> None:
    activity, expect = load(name)

    async def scenario(rig: TeamsRig) -> None:
        activity["serviceUrl"] = rig.service_url
        status, body = await rig.post(activity)
        await rig.teams.conversations.drain()
        sent = rig.connector.calls("send", ok_only=True)
        if expect.get("invoke"):
            assert status == 200, body
            assert body["statusCode"] == 200 and body["type"] in INVOKE_TYPES
            if body["type"] == INVOKE_TYPES[0]:
                assert check_card(body["value"]) == []
            else:
                assert isinstance(body["value"], str) and body["value"]
            return
        assert status in (200, 201), (status, body)
        if expect.get("reply"):
            assert sent, "a reply was due"
            if expect.get("in"):
                assert {call.conversation_id for call in sent} == {expect["in"]}
        else:
            assert sent == [], [call.body for call in sent]

    run(runtime, scenario)


@pytest.mark.parametrize("name", ["team_member_added", "team_member_removed",
                                  "bot_added_to_team"])
def test_members_that_are_not_channel_accounts_are_skipped_not_a_crash(
        runtime: Runtime, name: str, caplog: pytest.LogCaptureFixture) -> None:
    """The schema lists channel accounts under membersAdded/membersRemoved; a null there
    (found by fuzzing; the SDK lets it through, a bare string it refuses with 400) is
    skipped, and the update still gets its 200."""
    activity, _ = load(name)
    key = "membersAdded" if "membersAdded" in activity else "membersRemoved"
    activity[key] = [None, *activity[key], None]

    async def scenario(rig: TeamsRig) -> None:
        activity["serviceUrl"] = rig.service_url
        status, body = await rig.post(activity)
        await rig.teams.conversations.drain()
        assert status in (200, 201), (status, body)

    run(runtime, scenario)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
