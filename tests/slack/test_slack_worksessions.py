"""A work-session cycle through Slack's HTTP endpoint: the scheduler's call for agenda items
reaches the members as DMs (the outbox through the Slack sender), they answer in their
DMs, each item lands in the team's channel with a vote button that members press, the
facilitator posts the agenda ordered by votes, records a decision with an owner after the
session, the owner is told and asked before the next session how it stands.

Slack's timestamps (a message's `ts`, a button's `action_ts`) are what the engine takes as
the moment of a turn; here they follow the test's clock, so the session's dates are fixed."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from bot.organisation import teams
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.people import roles
from bot.practices.work_sessions import records as ws
from bot.runtime import Runtime
from bot.storage.models import AgendaItem, AgendaVote, Delivery, Identity, Organisation, WorkOutcome
from scheduler.ticks import Ticks
from tests.conftest import Clock
from tests.rigs.slack_mock import Call, MockSlackApi
from tests.rigs.slack_rig import SlackRig, command, dm, press, slack_rig, text_of

pytestmark = pytest.mark.usefixtures("no_failed_turns")
TEAM = "T0LEERCO"
CHANNEL = "CTEAM"
FIRST = datetime(2026, 3, 19, 13, 0, tzinfo=UTC)  # Thursday 14:00 in Amsterdam (CET)
NAMES = {"U1": "Anna", "U2": "Bram", "U3": "Cas"}


@pytest.fixture
def runtime(clocked_runtime: Runtime) -> Runtime:
    """Work sessions are planned and opened on the test's clock."""
    return clocked_runtime


def stamp(moment: datetime) -> str:
    return f"{moment.timestamp():.6f}"


def person_id(runtime: Runtime, user: str) -> int:
    with runtime.database.connect() as connection:
        return int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())


def buttons(call: Call) -> list[str]:
    """The values of the buttons (and select options) of a posted message."""
    values = []
    for block in call.params.get("blocks") or ():
        if block.get("type") != "actions":
            continue
        for element in block["elements"]:
            if element.get("type") == "button":
                values.append(str(element.get("value")))
            values += [str(o["value"]) for o in element.get("options") or ()]
    return values


class Slack:
    """The team on Slack, with the test's clock: DMs, slash commands, button presses."""

    def __init__(self, rig: SlackRig, clock: Clock) -> None:
        self.rig = rig
        self.clock = clock

    def count(self) -> int:
        return len(self.rig.api.calls_to("chat.postMessage"))

    async def posted(self, wanted: Callable[[Call], bool], after: int = 0) -> Call:
        """The first chat.postMessage from number `after` on that `wanted` accepts."""
        for _ in range(500):
            found = next((c for c in self.rig.api.calls_to("chat.postMessage")[after:]
                          if wanted(c)), None)
            if found is not None:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError("the message was not posted")

    async def in_dm(self, user: str, words: str = "", after: int = 0) -> Call:
        return await self.posted(lambda c: c.params["channel"] == f"D{user}"
                                 and words in text_of(c.params), after)

    async def in_channel(self, words: str, after: int = 0) -> Call:
        return await self.posted(lambda c: c.params["channel"] == CHANNEL
                                 and words in text_of(c.params), after)

    async def say(self, user: str, text: str) -> Call:
        """A DM to the coach; the coach's answer in that DM."""
        before = self.count()
        body = dm(text, user)
        body["event"]["ts"] = stamp(self.clock.now)
        await self.rig.post_json(body)
        return await self.in_dm(user, after=before)

    async def press(self, user: str, post: Call, value: str = "vote") -> int:
        """Press a button of a posted message; returns the number of posts before it."""
        before = self.count()
        payload = press(post, value, user)
        payload["actions"][0]["action_ts"] = stamp(self.clock.now)
        await self.rig.interact(payload)
        return before

    async def vote(self, user: str, post: Call, told: str) -> None:
        """A vote button in the channel; the answer comes to the voter's DM alone."""
        after = await self.press(user, post)
        answer = await self.in_dm(user, told, after)
        assert "thread_ts" not in answer.params

    async def tick(self, runtime: Runtime, at: datetime) -> DispatchReport:
        """The scheduler at `at`: open the sessions that are near, then send what the
        outbox holds through the Slack sender (paced on a clock of its own)."""
        self.clock.now = at
        ticks = Ticks(runtime, {}, worker="scheduler", clock=self.clock)
        await asyncio.to_thread(ticks.open_work_sessions, at)
        seconds = itertools.count(0.0, 60.0)
        dispatcher = Dispatcher(runtime.engine, {"slack": self.rig.adapter.sender},
                                limits={"slack": self.rig.adapter.limits()},
                                worker="scheduler", monotonic=lambda: next(seconds))
        report = await dispatcher.dispatch(at)
        assert all(o.result == "sent" for o in report.outcomes), report.outcomes
        return report


def plan_the_series(runtime: Runtime, clock: Clock) -> dict[str, int]:
    """Team Service meets in CTEAM every two weeks on Thursday at 14:00, from 19 March;
    U1 facilitates, U2 and U3 are its members."""
    ids = {user: person_id(runtime, user) for user in NAMES}
    with runtime.database.begin() as connection:
        roles.set_role(connection, ids["U1"], "facilitator")
        organisation = connection.execute(select(Organisation.id)).scalar_one()
        saved = ws.save_series(connection, organisation, team="Service",
                               channel=f"slack:{TEAM}:{CHANNEL}", cadence_weeks=2, weekday=3,
                               at=time(14, 0), facilitator_id=ids["U1"], now=clock.now,
                               first=date(2026, 3, 19))
        team = ws.team_id_of(connection, organisation, "Service") or 0
        for user in ("U2", "U3"):
            teams.add_member(connection, team, ids[user], clock.now)
    assert saved.next_starts_at == FIRST
    return ids


def test_a_work_session_cycle_through_slack(runtime: Runtime, clock: Clock) -> None:
    async def scenario(rig: SlackRig) -> None:
        slack = Slack(rig, clock)
        for user in NAMES:
            await slack.say(user, "hallo")
            await slack.say(user, "stop")
        ids = plan_the_series(runtime, clock)

        # Three days ahead the scheduler asks every member, in their DM.
        assert (await slack.tick(runtime, datetime(2026, 3, 12, 13, 0, tzinfo=UTC))
                ).outcomes == []
        before = slack.count()
        asked = await slack.tick(runtime, datetime(2026, 3, 16, 13, 0, tzinfo=UTC))
        assert len(asked.outcomes) == 3
        posts = rig.api.calls_to("chat.postMessage")[before:]
        for user in NAMES:
            said = "\n".join(text_of(c.params) for c in posts if c.params["channel"] == f"D{user}")
            assert "Welk punt wil je op de agenda zetten?" in said
            assert "Donderdag 19 maart om 14:00 is de werksessie van Service" in said
        assert {c.params["channel"] for c in posts} == {"DU1", "DU2", "DU3"}
        # A second tick asks nobody twice.
        assert (await slack.tick(runtime, datetime(2026, 3, 16, 13, 5, tzinfo=UTC))
                ).outcomes == []

        # Bram brings a topic, Cas an experiment, answering in their DMs; each item is
        # posted in the channel with a vote button.
        kind = await slack.say("U2", "Hoe verdelen we de piekdrukte op maandag?")
        assert "Wat voor punt is het?" in text_of(kind.params)
        after = await slack.press("U2", kind, "topic")
        assert "staat op de agenda van donderdag 19 maart" in text_of(
            (await slack.in_dm("U2", "Dank je!", after)).params)
        piek = await slack.in_channel("piekdrukte", after)
        assert "Agendapunt van Bram" in text_of(piek.params)
        assert "thread_ts" not in piek.params and buttons(piek) == ["vote"]

        after = await slack.press("U3", await slack.say("U3", "Elke klant binnen een uur "
                                                               "terugbellen"), "experiment")
        assert "als experiment, met jou als eigenaar" in text_of(
            (await slack.in_dm("U3", "Dank je!", after)).params)
        bellen = await slack.in_channel("Experiment van Cas", after)

        # Anna has nothing in her DM, and brings a point with the command in the channel.
        await slack.say("U1", "stop")
        after = slack.count()
        await rig.post_form(command("agendapunt Werkoverleg korter maken", "U1", CHANNEL))
        werkoverleg = await slack.in_channel("Werkoverleg korter maken", after)
        assert "Agendapunt van Anna" in text_of(werkoverleg.params)
        assert "staat op de agenda" in text_of((await slack.in_dm("U1", after=after)).params)

        # Votes with the buttons in the channel; pressing again takes a vote back.
        await slack.vote("U1", bellen, "Je stem telt")
        await slack.vote("U1", piek, "Je stem telt")
        await slack.vote("U2", bellen, "Je stem telt")
        await slack.vote("U2", werkoverleg, "Je stem telt")
        await slack.vote("U2", werkoverleg, "is ingetrokken")
        await slack.vote("U3", bellen, "heeft nu 3 stemmen")
        await slack.vote("U3", piek, "Je hebt er nog 1 over")

        # The day before, Anna gets the agenda ordered by votes and posts it with a button.
        before = slack.count()
        await slack.tick(runtime, datetime(2026, 3, 18, 13, 0, tzinfo=UTC))
        question = await slack.in_dm("U1", "Zal ik hem in het kanaal zetten", before)
        intro = "\n".join(text_of(c.params) for c in
                          rig.api.calls_to("chat.postMessage")[before:]
                          if c.params["channel"] == "DU1")
        order = [intro.index(words) for words in ("Elke klant", "piekdrukte", "Werkoverleg")]
        assert order == sorted(order)
        after = await slack.press("U1", question, "yes")
        agenda = text_of((await slack.in_channel("Agenda werksessie Service", after)).params)
        lines = [line for line in agenda.splitlines() if line[:2] in ("1.", "2.", "3.")]
        assert lines == [
            "1. 🧪 Elke klant binnen een uur terugbellen — Cas (3 stemmen)",
            "2. Hoe verdelen we de piekdrukte op maandag? — Bram (2 stemmen)",
            "3. Werkoverleg korter maken — Anna (0 stemmen)"]

        # Once the session has begun, voting is closed.
        clock.now = FIRST
        await slack.vote("U2", werkoverleg, "stemmen kan niet meer")

        # Afterwards Anna records a decision; its owner Bram is told in his DM.
        before = slack.count()
        await slack.tick(runtime, datetime(2026, 3, 19, 15, 0, tzinfo=UTC))
        record = await slack.in_dm("U1", "Hoe was de werksessie van Service", before)
        assert buttons(record) == ["decision", "learning", "done"]
        await slack.press("U1", record, "decision")
        await slack.in_dm("U1", "Welk besluit namen jullie?", before)
        owner = await slack.say("U1", "Piekrooster invoeren op maandag")
        assert "Wie is eigenaar van dit besluit?" in text_of(owner.params)
        assert sorted(buttons(owner)) == sorted(str(ids[user]) for user in NAMES)
        after = await slack.press("U1", owner, str(ids["U2"]))
        told = await slack.in_dm("U2", "werd je eigenaar van", after)
        assert "“Piekrooster invoeren op maandag”" in text_of(told.params)
        next_round = await slack.in_dm("U1", "Wat wil je vastleggen?", after)
        assert "met Bram als eigenaar" in text_of(next_round.params)
        after = await slack.press("U1", next_round, "done")
        summary = text_of((await slack.in_channel("Besluiten:", after)).params)
        assert "• Piekrooster invoeren op maandag (eigenaar: Bram)" in summary

        # Before the next session the owners are asked, again through the outbox.
        before = slack.count()
        await slack.tick(runtime, datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
        follow = await slack.in_dm("U2", "Hoe staat het ervoor?", before)
        assert buttons(follow)[:2] == ["done", "ongoing"]
        await slack.in_dm("U3", "Hoe gaat het met je experiment", before)

    api = MockSlackApi(users={user: {"profile": {"display_name": name}}
                              for user, name in NAMES.items()})

    async def main() -> None:
        async with slack_rig(runtime, api=api) as rig:
            await scenario(rig)

    asyncio.run(main())
    with runtime.database.connect() as connection:
        votes = connection.execute(
            select(AgendaItem.text, AgendaVote.person_id)
            .join(AgendaVote, AgendaVote.item_id == AgendaItem.id)).all()
        outcomes = connection.execute(select(WorkOutcome.text, WorkOutcome.kind,
                                             WorkOutcome.owner_id)).all()
        sent: dict[str, Any] = dict(connection.execute(
            select(Delivery.kind, Delivery.state).where(Delivery.kind == "ws_followup")).all())
    assert len(votes) == 5
    assert [tuple(o) for o in outcomes] == [
        ("Piekrooster invoeren op maandag", "decision", person_id(runtime, "U2"))]
    assert sent == {"ws_followup": "sent"}
