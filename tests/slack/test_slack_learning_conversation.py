"""The open learning conversation (seed 001) through Slack's HTTP endpoint: every answer a
signed `message.im` event or a button press, the summary confirmed (or corrected) with its
buttons, the five-year plan as a modal (the form's button, `views.open`, the submission,
inline errors in the acknowledgement), the stored canvas, and its Markdown document from
`leercoach canvas export`.

Slack's timestamps are what the engine takes as the moment of a turn; here they follow the
test's clock, so the canvas has a known date."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.cli.main import main
from adapters.slack.blocks import FORM_OPEN
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.storage.models import LearningCanvas
from tests.conftest import Clock
from tests.rigs.learning_conversation import CONVERSATION, NOVEMBER, PLAN, PREPARATION, SAYS
from tests.rigs.slack_mock import Call, MockSlackApi
from tests.rigs.slack_rig import SlackRig, dm, press, sign, slack_rig, text_of, view_submission

pytestmark = pytest.mark.usefixtures("no_failed_turns")
NL = SAYS["nl"]


@pytest.fixture
def runtime(sqlite_url: str, clock: Clock) -> Iterator[Runtime]:
    """The wiring on the test's clock, in November 2026."""
    clock.now = NOVEMBER
    opened = open_runtime(Settings(database_url=sqlite_url), clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def export_env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """`leercoach` on the runtime's SQLite file, with the built-in texts."""
    for name in ("LEERCOACH_PROMPTS_DIR", "LEERCOACH_DEFAULT_LOCALE",
                 "LEERCOACH_DEFAULT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    return sqlite_url


class Anouk:
    """U1 in her DM with the coach, on the test's clock."""

    def __init__(self, rig: SlackRig, clock: Clock) -> None:
        self.rig = rig
        self.clock = clock

    def count(self) -> int:
        return len(self.rig.api.calls_to("chat.postMessage"))

    async def posted(self, wanted: Callable[[Call], bool], after: int) -> Call:
        for _ in range(500):
            found = next((c for c in self.rig.api.calls_to("chat.postMessage")[after:]
                          if c.params["channel"] == "DU1" and wanted(c)), None)
            if found is not None:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError("the coach did not answer")

    async def say(self, text: str) -> Call:
        """A signed message.im event; the coach's answer."""
        before = self.count()
        body = dm(text, "U1")
        body["event"]["ts"] = f"{self.clock.now.timestamp():.6f}"
        await self.rig.post_json(body)
        return await self.posted(lambda _: True, before)

    async def press(self, post: Call, value: str) -> Call:
        """A button of the coach's message; the coach's answer."""
        before = self.count()
        payload = press(post, value, "U1")
        payload["actions"][0]["action_ts"] = f"{self.clock.now.timestamp():.6f}"
        await self.rig.interact(payload)
        return await self.posted(lambda _: True, before)

    async def open_form(self, post: Call) -> dict[str, Any]:
        """The form's button in the DM opens its modal; the view Slack got."""
        [ref] = [element["value"] for block in post.params["blocks"]
                 if block.get("type") == "actions" for element in block["elements"]
                 if element.get("action_id") == FORM_OPEN]
        opened = len(self.rig.api.calls_to("views.open"))
        await self.rig.interact(press(post, ref, "U1"))
        view: dict[str, Any] = (await self.rig.api.wait_for("views.open", opened + 1)
                                )[-1].params["view"]
        return view

    async def submit(self, view: dict[str, Any], values: dict[str, str]) -> Any:
        """The modal submitted (an empty input comes as null, as Slack sends it); the
        acknowledgement's JSON body, None when it has none."""
        payload = view_submission(view, values, "U1")
        for name, value in values.items():
            if not value:
                payload["view"]["state"]["values"][name]["value"]["value"] = None
        raw = urlencode({"payload": json.dumps(payload)})
        async with self.rig.http.post(
                f"{self.rig.url}/slack/events", data=raw,
                headers={"Content-Type": "application/x-www-form-urlencoded", **sign(raw)},
        ) as response:
            assert response.status == 200
            body = await response.text()
        return json.loads(body) if body.strip() else None


def canvases(runtime: Runtime) -> list[LearningCanvas]:
    with Session(runtime.database) as session:
        return list(session.scalars(select(LearningCanvas).order_by(LearningCanvas.id)))


def run(runtime: Runtime, clock: Clock, scenario: Callable[[Anouk], Any]) -> None:
    api = MockSlackApi(users={"U1": {"profile": {"display_name": "Anouk de Boer"}}})

    async def go() -> None:
        async with slack_rig(runtime, api=api) as rig:
            anouk = Anouk(rig, clock)
            await anouk.say("hallo")
            await anouk.say("stop")
            await scenario(anouk)

    asyncio.run(go())


def test_the_learning_conversation_confirmed_with_a_plan_through_slack(
        runtime: Runtime, clock: Clock, export_env: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    async def scenario(anouk: Anouk) -> None:
        opening = text_of((await anouk.say("leergesprek")).params)
        assert NL["intro"] in opening and NL["organisation"] in opening
        assert NL["role"] in text_of((await anouk.say(PREPARATION["organisation"])).params)
        seeking = await anouk.say(PREPARATION["role"])
        assert NL["seeking"] in text_of(seeking.params)
        occasion = await anouk.press(seeking, "new_perspectives")
        assert NL["occasion"] in text_of(occasion.params)
        asked = await anouk.say(PREPARATION["occasion"])
        assert NL["involved"] in text_of(asked.params)
        asked = await anouk.say(PREPARATION["involved"])
        for key, answer in CONVERSATION.items():
            assert NL[key] in text_of(asked.params), key
            asked = await anouk.say(answer)
        assert NL["aligned"] in text_of(asked.params)  # the 1-5 scale, as buttons
        check = await anouk.press(asked, "2")
        said = text_of(check.params)
        for part in ("feedback", "heard", "summary_organisation", "summary_seeking",
                     "summary_customers", "summary_aligned", "check"):
            assert NL[part] in said, part

        form = await anouk.press(check, "yes")
        assert NL["plan_hint"] in text_of(form.params)
        view = await anouk.open_form(form)
        inputs = [b for b in view["blocks"] if b["type"] == "input"]
        assert [b["block_id"] for b in inputs] == [f"year_{n}" for n in range(1, 6)]
        assert [b["optional"] for b in inputs] == [False, True, True, True, True]
        assert inputs[0]["label"]["text"] == NL["year_1"]
        before = anouk.count()
        assert await anouk.submit(view, PLAN) is None  # no errors: the modal closes
        closing = text_of((await anouk.posted(lambda _: True, before)).params)
        assert NL["saved"] in closing and NL["with_plan"] in closing
        assert NL["discuss"] in closing
        # the form's message in the DM no longer has its button
        [shown] = [c for c in anouk.rig.api.calls_to("chat.update")
                   if c.params["ts"] == form.response["ts"]]
        assert all(b["type"] != "actions" for b in shown.params["blocks"])

    run(runtime, clock, scenario)
    [canvas] = canvases(runtime)
    assert canvas.answers == {**PREPARATION, "seeking": "new_perspectives", **CONVERSATION,
                              "aligned": 2}
    assert canvas.confirmed is True and canvas.correction is None
    assert canvas.plan == PLAN

    runtime.engine.close()
    assert main(["canvas", "export", "--user", "U1"]) == 0
    document = capsys.readouterr().out
    lines = document.splitlines()
    assert lines[0] == NL["title"]
    assert "_Anouk de Boer, 23 november 2026_" in lines
    for part in ("md_organisation", "md_vuca", "md_aligned"):
        assert NL[part] in lines, part
    assert NL["confirmed"] in document.split(NL["part_3"])[1]
    plan = document.split(NL["part_4"])[1]
    assert plan.index(PLAN["year_1"]) < plan.index(PLAN["year_2"]) < plan.index(PLAN["year_5"])


def test_a_correction_and_a_plan_without_a_first_year_through_slack(
        runtime: Runtime, clock: Clock, export_env: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    correction = "Het budget is er wel, maar het gaat vooral naar verplichte scholing."

    async def scenario(anouk: Anouk) -> None:
        await anouk.say("leergesprek")
        asked = await anouk.say("Gemeente Noorddorp")
        for _ in range(13):  # everything else, the scale too
            asked = await anouk.say("overslaan")
        assert NL["check"] in text_of(asked.params)
        assert "Gemeente Noorddorp" in text_of(asked.params)
        asked = await anouk.press(asked, "no")
        assert NL["correction"] in text_of(asked.params)
        form = await anouk.say(correction)
        view = await anouk.open_form(form)
        # Year 1 is needed: the acknowledgement shows the error in the modal itself.
        answer = await anouk.submit(view, {"year_1": "", "year_2": "Iets."})
        assert answer["response_action"] == "errors" and list(answer["errors"]) == ["year_1"]
        before = anouk.count()
        assert await anouk.submit(view, {"year_1": "Leerbeleid schrijven."}) is None
        closing = text_of((await anouk.posted(lambda _: True, before)).params)
        assert NL["saved"] in closing and NL["with_correction"] in closing

    run(runtime, clock, scenario)
    [canvas] = canvases(runtime)
    assert canvas.answers == {"organisation": "Gemeente Noorddorp"}
    assert canvas.confirmed is False and canvas.correction == correction
    assert canvas.plan["year_1"] == "Leerbeleid schrijven."

    runtime.engine.close()
    assert main(["canvas", "export", "--user", "U1"]) == 0
    document = capsys.readouterr().out
    assert NL["corrected"] in document and f"> {correction}" in document
    assert "Leerbeleid schrijven." in document.split(NL["part_4"])[1]
