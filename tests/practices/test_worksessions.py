"""Action-learning work sessions through the engine and the scheduler's tick: the call for
agenda items, votes in the channel, the agenda ordered by votes, decisions with owners and
learnings, the owners' follow-up before the next session, an experiment with its log and
reflection, and who may do what."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from bot.conversation.coach import Coach
from bot.core.messages import Address, InboundEvent, Message, Outbound, Question
from bot.organisation import teams
from bot.people import roles
from bot.practices.work_sessions import records as ws
from bot.privacy.export import export_person, find_person
from bot.runtime import Runtime, build_coach
from bot.storage.models import (
    AgendaItem,
    Delivery,
    Experiment,
    ExperimentLog,
    Identity,
    Organisation,
    WorkOutcome,
    WorkSession,
)
from scheduler.ticks import Ticks
from tests.conftest import Clock, joined
from tests.rigs.scheduler_rig import FakePlatform

pytestmark = pytest.mark.usefixtures("no_failed_turns")
CHANNEL = "C-team"
TEAM_CHANNEL = Address("test", "acme", "", CHANNEL)
FIRST = datetime(2026, 3, 19, 13, 0, tzinfo=UTC)  # Thursday 14:00 in Amsterdam (CET)
SECOND = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # two weeks on, 14:00 CEST


def texts(outbounds: list[Outbound]) -> str:
    return joined([o.message for o in outbounds])


class Member:
    """Someone of the team: their DM with the coach, and the team's channel."""

    def __init__(self, engine: Coach, user: str) -> None:
        self.engine = engine
        self.user = user
        self.dm = Address("test", "acme", user, f"dm-{user}")

    def handle(self, **fields: Any) -> list[Outbound]:
        return self.engine.handle(InboundEvent(**fields))

    def say(self, text: str) -> list[Outbound]:
        return self.handle(address=self.dm, text=text)

    def choose(self, value: str) -> list[Outbound]:
        """Press the button `value` of the open question in the DM."""
        question = self.engine.open_question(self.dm)
        assert isinstance(question, Question), question
        assert value in [c.value for c in question.choices], question.choices
        return self.handle(address=self.dm, value=value, reply_to=question.ref)

    def in_channel(self, text: str) -> list[Outbound]:
        """`/leercoach …` typed in the team's channel (its replies come to the DM)."""
        return self.handle(address=self.dm, command=text, origin=CHANNEL)

    def press(self, ref: str, value: str = "vote") -> list[Outbound]:
        """A button of a post in the team's channel."""
        return self.handle(address=Address("test", "acme", self.user, CHANNEL),
                           value=value, reply_to=ref)

    @property
    def id(self) -> int:
        with self.engine.database.connect() as connection:
            return int(connection.execute(select(Identity.person_id).where(
                Identity.external_id == self.user)).scalar_one())


def posts(outbounds: list[Outbound]) -> list[Outbound]:
    return [o for o in outbounds if o.address == TEAM_CHANNEL]


def vote_ref(outbounds: list[Outbound]) -> str:
    [post] = [o for o in posts(outbounds) if isinstance(o.message, Question)]
    assert isinstance(post.message, Question)
    return post.message.ref


@pytest.fixture
def runtime(clocked_runtime: Runtime) -> Runtime:
    """Work sessions are planned and opened on the test's clock."""
    return clocked_runtime


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def ticks(runtime: Runtime, platform: FakePlatform, clock: Clock) -> Ticks:
    return Ticks(runtime, {"test": platform}, worker="test", clock=clock)


def tick(ticks: Ticks, clock: Clock, platform: FakePlatform, at: datetime) -> list[Outbound]:
    """The scheduler at `at`: open what is due, send what the outbox holds."""
    clock.now = at
    before = len(platform.sent)
    ticks.open_work_sessions(at)
    asyncio.run(ticks.dispatch_tick(at))
    return platform.sent[before:]


def to(user: str, outbounds: list[Outbound]) -> list[Message]:
    return [o.message for o in outbounds if o.address.person == user]


@pytest.fixture
def team(runtime: Runtime, clock: Clock) -> dict[str, Member]:
    """Anna (facilitator), Bram and Cas in team Service; Dave knows the coach, not the team.
    The sessions: every two weeks on Thursday at 14:00, the first on 19 March."""
    engine = runtime.engine
    people = {name: Member(engine, name) for name in ("anna", "bram", "cas", "dave")}
    for member in people.values():
        member.handle(address=member.dm, text="hallo", display_name=member.user.title())
        member.say("stop")
    ids = {name: member.id for name, member in people.items()}
    with runtime.database.begin() as connection:
        roles.set_role(connection, ids["anna"], "facilitator")
        organisation = connection.execute(select(Organisation.id)).scalar_one()
        saved = ws.save_series(connection, organisation, team="Service",
                               channel=f"test:acme:{CHANNEL}", cadence_weeks=2, weekday=3,
                               at=time(14, 0), facilitator_id=ids["anna"],
                               now=clock.now, first=date(2026, 3, 19))
        for name in ("bram", "cas"):
            teams.add_member(connection, ws.team_id_of(connection, organisation, "Service") or 0,
                          ids[name], clock.now)
    assert saved.next_starts_at == FIRST
    return people


def test_a_whole_work_session_cycle(runtime: Runtime, ticks: Ticks, clock: Clock,
                                    platform: FakePlatform, team: dict[str, Member]) -> None:
    anna, bram, cas, dave = (team[name] for name in ("anna", "bram", "cas", "dave"))
    database = runtime.database

    # Nothing yet a week ahead; three days ahead the members are asked for agenda items.
    assert tick(ticks, clock, platform, datetime(2026, 3, 12, 13, 0, tzinfo=UTC)) == []
    asked = tick(ticks, clock, platform, datetime(2026, 3, 16, 13, 0, tzinfo=UTC))
    for user in ("anna", "bram", "cas"):
        assert "Welk punt wil je op de agenda zetten?" in joined(to(user, asked))
        assert "Donderdag 19 maart om 14:00 is de werksessie van Service" in joined(
            to(user, asked))
    assert to("dave", asked) == []
    # A second tick (or replica) asks nobody twice.
    assert tick(ticks, clock, platform, datetime(2026, 3, 16, 13, 5, tzinfo=UTC)) == []

    # Bram brings a topic, Cas a seemingly impossible assignment; each lands in the channel
    # with a vote button. Anna has nothing this time.
    bram.say("Hoe verdelen we de piekdrukte op maandag?")
    added = bram.choose("topic")
    assert "staat op de agenda van donderdag 19 maart" in texts(added)
    piek = vote_ref(added)
    cas.say("Elke klant binnen een uur terugbellen")
    added = cas.choose("experiment")
    assert "als experiment, met jou als eigenaar" in texts(added)
    assert "Experiment van Cas" in texts(posts(added))
    bellen = vote_ref(added)
    anna.say("stop")
    werkoverleg = vote_ref(anna.in_channel("agendapunt Werkoverleg korter maken"))
    # Someone outside the team has no session in the DM, but may bring one in the channel.
    assert "Ik vind nog geen werksessie" in texts(dave.say("agendapunt Inwerken nieuwe collega's"))
    inwerken = vote_ref(dave.in_channel("agendapunt Inwerken nieuwe collega's"))

    # Votes: three each; pressing again takes a vote back.
    for voter, refs in ((anna, (bellen, piek)), (bram, (bellen, werkoverleg)),
                        (cas, (bellen, piek, inwerken))):
        for ref in refs:
            assert "Je stem telt" in texts(voter.press(ref))
    assert "is ingetrokken" in texts(bram.press(werkoverleg))
    assert "al gebruikt" in texts(cas.press(werkoverleg))  # Cas used all three
    told = bram.press(inwerken)
    assert "heeft nu 2 stemmen" in texts(told) and "nog 1 over" in texts(told)
    assert all(o.address.person == "bram" and o.address.thread is None for o in told)

    # The DM view: the agenda with the same buttons.
    view = cas.say("agenda")
    questions = [o.message for o in view if isinstance(o.message, Question)]
    assert [q.ref for q in questions] == [bellen, piek, inwerken, werkoverleg]
    assert [q.choices[0].label for q in questions] == [
        "Stem intrekken", "Stem intrekken", "Stem intrekken", "👍 Stem"]
    assert "Je hebt nog 0 stemmen" in texts(view)

    # The day before, Anna gets the agenda ordered by votes, and posts it with one answer.
    ready = tick(ticks, clock, platform, datetime(2026, 3, 18, 13, 0, tzinfo=UTC))
    intro = joined(to("anna", ready))
    order = [intro.index(words) for words in ("Elke klant binnen een uur", "piekdrukte",
                                              "Inwerken nieuwe collega's", "Werkoverleg")]
    assert order == sorted(order)
    assert "Zal ik hem in het kanaal zetten" in intro
    posted = anna.choose("yes")
    [agenda] = posts(posted)
    assert "Agenda werksessie Service" in texts([agenda])
    assert "1. 🧪 Elke klant binnen een uur terugbellen — Cas (3 stemmen)" in texts([agenda])
    assert "2. Hoe verdelen we de piekdrukte op maandag? — Bram (2 stemmen)" in texts([agenda])
    assert "4. Werkoverleg korter maken — Anna (0 stemmen)" in texts([agenda])

    # During the session voting is closed.
    clock.now = FIRST
    assert "stemmen kan niet meer" in texts(bram.press(werkoverleg))

    # Afterwards Anna records a decision with its owner, a learning, and is done.
    recorded = tick(ticks, clock, platform, datetime(2026, 3, 19, 15, 0, tzinfo=UTC))
    assert "Hoe was de werksessie van Service" in joined(to("anna", recorded))
    anna.choose("decision")
    anna.say("Piekrooster invoeren op maandag")
    owned = anna.choose(str(bram.id))
    assert "met Bram als eigenaar" in texts(owned)
    assert "werd je eigenaar van: “Piekrooster invoeren op maandag”" in joined(to("bram", owned))
    assert "Wat wil je vastleggen?" in texts(owned)  # the next round
    anna.choose("learning")
    anna.say("Samen prioriteren kost minder tijd dan gedacht")
    done = anna.choose("done")
    [summary] = posts(done)
    assert "Besluiten:" in texts([summary]) and "eigenaar: Bram" in texts([summary])
    assert "Samen prioriteren" in texts([summary])
    # `besluit …` works too; the owner is asked right away.
    assert "Wie is eigenaar" in texts(anna.say("besluit Inwerkbuddy voor elke nieuwe collega"))
    assert "Dave is eigenaar" in texts(anna.choose(str(dave.id)))

    # The owners' follow-up is queued before the next session.
    with database.connect() as connection:
        follow = {row.person_id: row for row in connection.execute(
            select(Delivery.__table__).where(Delivery.kind == "ws_followup"))}
        decisions = connection.execute(select(WorkOutcome.text, WorkOutcome.kind)
                                       .order_by(WorkOutcome.id)).all()
    assert set(follow) == {bram.id, dave.id}
    assert all(row.due_at < SECOND and row.expires_at == SECOND for row in follow.values())
    assert [tuple(d) for d in decisions] == [
        ("Piekrooster invoeren op maandag", "decision"),
        ("Samen prioriteren kost minder tijd dan gedacht", "learning"),
        ("Inwerkbuddy voor elke nieuwe collega", "decision")]

    # Bram answers it; the next agenda shows how the decisions stand.
    asked = tick(ticks, clock, platform, datetime(2026, 3, 29, 12, 0, tzinfo=UTC))
    assert "Hoe staat het ervoor?" in joined(to("bram", asked))
    assert "Hoe gaat het met je experiment “Elke klant binnen een uur terugbellen”" in joined(
        to("cas", asked))
    bram.choose("ongoing")
    assert "op de agenda" in texts(bram.say("Het rooster staat, nog niet iedereen doet mee."))

    # The experiment: its log, a reminder when the next session opens, its reflection.
    assert "1 regel" in texts(cas.say("experiment log Vandaag 5 van 6 klanten binnen het uur"))
    assert "2 regels" in texts(cas.say("experiment log Terugbellen kost minder dan gedacht"))
    opened = tick(ticks, clock, platform, datetime(2026, 3, 30, 12, 0, tzinfo=UTC))
    assert "Welk punt wil je op de agenda zetten?" in joined(to("cas", opened))
    assert "experiment" not in joined(to("cas", opened))  # reminded the day before
    dave.say("stop")
    agenda = texts(dave.say("agenda"))
    assert "Piekrooster invoeren op maandag (Bram) — loopt nog: “Het rooster staat" in agenda
    assert "Inwerkbuddy voor elke nieuwe collega (Dave) — nog geen nieuws" in agenda
    assert "🧪 Elke klant binnen een uur terugbellen (Cas, 2 logregels)" in agenda
    assert "#" in texts(cas.say("mijn experimenten"))
    reflection = texts(cas.say("experiment afronden"))
    assert "Vandaag 5 van 6 klanten" in reflection and "Wat heb je geprobeerd" in reflection
    cas.say("Een week lang iedereen binnen het uur teruggebeld, met een belblok.")
    cas.say("Het kan wel, als we het samen plannen.")
    cas.say("Het belblok houden.")
    shared = cas.choose("yes")
    assert "Je experiment is afgerond en je les staat in het kanaal" in texts(shared)
    assert "Cas rondde een experiment af" in texts(posts(shared))
    with database.connect() as connection:
        experiment = connection.execute(select(Experiment.__table__)).one()
        logs = connection.execute(select(ExperimentLog.text)).scalars().all()
        sessions = connection.execute(select(WorkSession.starts_at)
                                      .order_by(WorkSession.id)).scalars().all()
        items = connection.execute(select(AgendaItem.kind)).scalars().all()
    assert experiment.state == "ended" and experiment.shared
    with database.connect() as connection:  # ended: no reminder for the session after
        pending = connection.execute(select(Delivery.key).where(
            Delivery.kind == "ws_experiment", Delivery.state == "pending")).all()
    assert pending == []
    assert experiment.learned == "Het kan wel, als we het samen plannen."
    assert len(logs) == 2
    assert sessions == [FIRST, SECOND]
    with runtime.sessions() as orm:  # the right of access covers all of it
        exported = export_person(orm, find_person(orm, "cas"))
    assert [e["title"] for e in exported["experiments"]] == [
        "Elke klant binnen een uur terugbellen"]
    assert len(exported["experiment_logs"]) == 2 and len(exported["agenda_votes"]) == 3
    assert [i["text"] for i in exported["agenda_items"]] == [
        "Elke klant binnen een uur terugbellen"]
    assert sorted(items) == ["experiment", "topic", "topic", "topic"]


def test_roles_everyone_proposes_and_votes_only_facilitators_steer(
        runtime: Runtime, ticks: Ticks, clock: Clock, platform: FakePlatform,
        team: dict[str, Member]) -> None:
    anna, bram = team["anna"], team["bram"]
    assert "staat op de agenda" in texts(bram.say("agendapunt Koffieautomaat vervangen"))
    for words in ("agenda plaatsen", "besluit We stoppen met mailen",
                  "leerpunt Korter is beter", "werksessie vastleggen"):
        assert "Dat doet de facilitator" in texts(bram.in_channel(words)), words
    assert "De agenda van donderdag 19 maart" in texts(anna.in_channel("agenda plaatsen"))
    assert "Ik vind nog geen werksessie die al begonnen is" in texts(
        anna.say("besluit Nog te vroeg"))
    anyone = build_coach(runtime.database, replace(runtime.settings, facilitators="anyone"),
                         clock=clock, registry=runtime.engine.registry)
    clock.now = FIRST
    assert "Leerpunt vastgelegd" in texts(Member(anyone, "bram").say("leerpunt Korter is beter"))
    anyone.close()


def test_a_free_answer_that_starts_like_a_command_stays_an_answer(
        runtime: Runtime, team: dict[str, Member]) -> None:
    bram = team["bram"]
    bram.say("dagboek")
    replies = texts(bram.say("Experiment met een nieuwe aanpak bij de klant"))
    assert "agenda" not in replies
    with runtime.database.connect() as connection:
        assert connection.execute(select(AgendaItem.id)).first() is None


def test_work_sessions_on_the_command_line(runtime: Runtime, team: dict[str, Member],
                                           sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.cli.main import main

    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    assert main(["worksession", "add", "--team", "Balie", "--channel",
                 "teams:tenant-1:19:abc@thread.tacv2", "--every", "4", "--weekday", "tue",
                 "--time", "09:30", "--facilitator", "bram"]) == 0
    out = capsys.readouterr().out
    assert "planned the work sessions of Balie: every 4 weeks on tue at 09:30" in out
    assert "bram has no facilitator role yet" in out
    assert main(["worksession", "members", "--team", "Balie", "--user", "cas"]) == 0
    assert "cas joins Balie" in capsys.readouterr().out
    assert main(["worksession", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Balie: every 4 weeks on tue 09:30" in listing and "2 members" in listing
    assert "channel teams:tenant-1:19:abc@thread.tacv2" in listing
    assert "Service: every 2 weeks on thu 14:00, next 2026-03-19 14:00" in listing
    assert main(["worksession", "add", "--team", "Balie", "--channel", "nope", "--weekday",
                 "tue", "--time", "09:30"]) == 2
    assert "PLATFORM:WORKSPACE:CHANNEL" in capsys.readouterr().err
    assert main(["worksession", "stop", "--team", "Balie"]) == 0
    assert "no more work sessions" in capsys.readouterr().out


def test_a_session_missed_while_the_scheduler_was_down_is_skipped(
        runtime: Runtime, ticks: Ticks, clock: Clock, platform: FakePlatform,
        team: dict[str, Member]) -> None:
    assert tick(ticks, clock, platform, datetime(2026, 4, 10, 12, 0, tzinfo=UTC)) == []
    asked = tick(ticks, clock, platform, datetime(2026, 4, 13, 12, 0, tzinfo=UTC))
    assert "Donderdag 16 april om 14:00" in joined(to("bram", asked))
    with runtime.database.connect() as connection:
        starts = connection.execute(select(WorkSession.starts_at)).scalars().all()
    assert starts == [datetime(2026, 4, 16, 12, 0, tzinfo=UTC)]
