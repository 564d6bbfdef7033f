"""Intervision through the engine: the intake, the case in the channel, its five phases in
the thread (a statement during the question round, the phase buttons, who may press them),
the summary, the case library and the owner's rights over their case."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.conversation.coach import Coach
from bot.core.messages import Address, Form, InboundEvent, Outbound, Question
from bot.people import roles
from bot.practices.intervision import hooks as intervision
from bot.runtime import build_coach
from bot.storage.models import CaseContribution, IntervisionCase, Person
from tests.conftest import joined

pytestmark = pytest.mark.usefixtures("no_failed_turns")
CHANNEL = "C-team"
THREAD = "1700000000.000100"


class Member:
    """Someone in the team's channel (and their DM with the coach)."""

    def __init__(self, engine: Coach, user: str) -> None:
        self.engine = engine
        self.user = user
        self.dm = Address("test", "acme", user, f"dm-{user}")

    def handle(self, **fields: Any) -> list[Outbound]:
        return self.engine.handle(InboundEvent(**fields))

    def say(self, text: str) -> list[Outbound]:
        return self.handle(address=self.dm, text=text)

    def in_channel(self, **fields: Any) -> list[Outbound]:
        """A command typed in the channel (its replies come to the DM)."""
        return self.handle(address=self.dm, origin=CHANNEL, **fields)

    def in_thread(self, text: str) -> list[Outbound]:
        return self.handle(address=Address("test", "acme", self.user, CHANNEL, THREAD),
                           text=text, ambient=True)

    def press(self, value: str, case_id: int) -> list[Outbound]:
        return self.handle(address=Address("test", "acme", self.user, CHANNEL, THREAD),
                           value=value, reply_to=f"case:{case_id}")


def texts(outbounds: list[Outbound]) -> str:
    return joined([o.message for o in outbounds])


def _person_of(engine: Coach, user: str) -> int:
    from bot.storage.models import Identity

    with engine.database.connect() as connection:
        return int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())


def bring_case(engine: Coach, owner: Member, library: bool = True) -> int:
    """The owner starts a case in the channel and fills in the intake."""
    replies = owner.in_channel(command="intervisie")
    form = next(o.message for o in replies if isinstance(o.message, Form))
    replies = owner.handle(address=owner.dm, reply_to=form.ref, form={
        "story": "Een klant belde boos over een factuur die ik niet kende.",
        "stuck": "Ik wist niet wie het moest oplossen.",
        "unsure": "Of ik de klant had moeten doorverbinden.",
        "question": "Hoe houd ik regie als het niet mijn werk is?"})
    confirm = next(o.message for o in replies if isinstance(o.message, Question))
    replies = owner.handle(address=owner.dm, reply_to=confirm.ref,
                           value="yes" if library else "no")
    posted = [o for o in replies if o.anchor]
    assert len(posted) == 1
    post = posted[0]
    assert post.address == Address("test", "acme", "", CHANNEL)
    assert "Hoe houd ik regie" in texts([post]) and "eerst vragen" in texts([post]).lower()
    assert post.anchor is not None
    engine.anchored(post.anchor, THREAD)
    return int(post.anchor.split(":")[1])


@pytest.fixture
def team(engine: Coach) -> tuple[Member, Member, Member]:
    anna, bram, cas = (Member(engine, name) for name in ("anna", "bram", "cas"))
    for member in (anna, bram, cas):
        member.say("hallo")
        member.say("stop")
    anna_id = _person_of(engine, "anna")
    with engine.database.begin() as connection:
        roles.set_role(connection, anna_id, "facilitator")
    return anna, bram, cas


def test_a_whole_case_from_intake_to_the_library(engine: Coach,
                                                 team: tuple[Member, Member, Member]) -> None:
    anna, bram, cas = team
    case_id = bring_case(engine, anna)

    # 1. questions only; a statement is kept, with a gentle reminder
    assert bram.in_thread("Wat heb je al geprobeerd?") == []
    reminder = cas.in_thread("Je moet het gewoon aan je teamleider geven.")
    assert "Eerst vragen, dan adviseren" in texts(reminder)
    assert reminder[0].address.thread == THREAD
    # 2. the owner restates the core
    step = anna.press("next", case_id)
    assert "Fase 2" in texts(step) and step[0].address.thread == THREAD
    anna.in_thread("De kern: niemand voelt zich eigenaar van facturen.")
    # someone without the facilitator role cannot move the phases on
    assert "Alleen de facilitator" in texts(bram.press("next", case_id))
    # 3. advice, 4. what the owner will do, 5. the lesson for the craft
    assert "Fase 3" in texts(anna.press("next", case_id))
    bram.in_thread("Spreek met finance af wie facturen oppakt.")
    assert "Fase 4" in texts(anna.press("next", case_id))
    anna.in_thread("Ik plan een gesprek met finance.")
    closing = anna.press("next", case_id)
    assert "goed vakmanschap" in texts(closing)
    assert any(isinstance(o.message, Question) and "Afronden" in
               [c.label for c in o.message.choices] for o in closing)
    cas.in_thread("Eigenaarschap begint bij de eerste die het hoort.")
    closed = anna.press("next", case_id)
    summary = [o for o in closed if o.address == anna.dm]
    assert "Casus afgerond" in texts(closed)
    assert summary and "Spreek met finance af" in texts(summary)
    assert "Eigenaarschap begint" in texts(summary)
    assert "niemand voelt zich eigenaar" in texts(summary)
    # a finished case answers its buttons politely
    assert "al afgerond" in texts(anna.press("next", case_id))

    with engine.database.connect() as connection:
        kinds = [row.kind for row in connection.execute(
            select(CaseContribution.kind).order_by(CaseContribution.id))]
        found = intervision.library(connection, 1, "finance")
    assert kinds == ["question", "statement", "restate", "advice", "commitment", "lesson"]
    assert [case["id"] for case in found] == [case_id]
    assert found[0]["advice"] == ["Spreek met finance af wie facturen oppakt."]


def test_only_facilitators_start_a_case_unless_anyone_may(engine: Coach,
                                                         team: tuple[Member, ...]) -> None:
    _, bram, _ = team
    refused = bram.in_channel(command="intervisie")
    assert "mag alleen een facilitator" in texts(refused)
    anyone = build_coach(engine.database, replace(engine.settings, facilitators="anyone"),
                         clock=engine.clock, registry=engine.registry)
    assert any(isinstance(o.message, Form)
               for o in Member(anyone, "bram").in_channel(command="intervisie"))
    anyone.close()


def test_intervision_needs_a_channel(engine: Coach, team: tuple[Member, ...]) -> None:
    anna = team[0]
    assert "in het kanaal" in texts(anna.say("intervisie"))


def test_a_message_in_another_thread_is_ignored_and_creates_no_one(engine: Coach) -> None:
    stranger = Member(engine, "zoe")
    assert stranger.in_thread("Iemand zin in koffie?") == []
    with engine.database.connect() as connection:
        assert connection.execute(select(Person.id)).first() is None


def test_the_owner_can_anonymise_or_remove_their_case(
        engine: Coach, team: tuple[Member, Member, Member]) -> None:
    anna, bram, _ = team
    case_id = bring_case(engine, anna)
    anna.press("close", case_id)
    assert f"#{case_id}" in texts(anna.say("mijn casussen"))
    assert "Welke casus" in texts(bram.say(f"casus anonimiseren {case_id}"))  # not theirs
    assert "geanonimiseerd" in texts(anna.say(f"casus anonimiseren {case_id}"))
    with engine.database.connect() as connection:
        assert intervision.library(connection, 1)[0]["owner"] == ""
    assert "verwijderd" in texts(anna.say(f"casus verwijderen {case_id}"))
    with engine.database.connect() as connection:
        assert intervision.library(connection, 1) == []


def test_a_case_kept_out_of_the_library_and_a_cancelled_one(
        engine: Coach, team: tuple[Member, Member, Member]) -> None:
    anna = team[0]
    private = bring_case(engine, anna, library=False)
    anna.press("close", private)
    cancelled = bring_case(engine, anna)
    assert "geannuleerd" in texts(anna.press("cancel", cancelled))
    with engine.database.connect() as connection:
        assert intervision.library(connection, 1) == []
        phases = {row.id: row.phase for row in connection.execute(
            select(IntervisionCase.id, IntervisionCase.phase))}
    assert phases == {private: "closed", cancelled: "cancelled"}


@pytest.mark.parametrize("text", ["Wat bedoel je?", "hoe reageerde de klant",
                                  "Kun je dat uitleggen", "Why did you wait?",
                                  "did you call back"])
def test_questions_are_recognised(text: str) -> None:
    assert intervision.is_question(text)


@pytest.mark.parametrize("text", ["Je moet bellen.", "Ik zou het anders doen.",
                                  "Just call them.", "Goed gedaan!"])
def test_statements_are_recognised(text: str) -> None:
    assert not intervision.is_question(text)



def test_the_case_library_on_the_command_line(
        engine: Coach, team: tuple[Member, Member, Member], sqlite_url: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.cli.main import main

    anna, bram, _ = team
    case_id = bring_case(engine, anna)
    anna.press("next", case_id)
    anna.press("next", case_id)
    bram.in_thread("Spreek met finance af wie facturen oppakt.")
    anna.press("close", case_id)
    engine.close()
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    assert main(["cases"]) == 0
    assert f"#{case_id}" in capsys.readouterr().out
    assert main(["cases", "--search", "finance", "--export", "markdown"]) == 0
    document = capsys.readouterr().out
    assert "# Casusbibliotheek" in document and "Spreek met finance af" in document
    assert main(["cases", "--search", "zeppelin"]) == 0
    assert "no cases" in capsys.readouterr().out
    assert main(["cases", "anonymise", str(case_id)]) == 0
    assert main(["role", "facilitator", "--user", "bram"]) == 0
    with engine.database.connect() as connection:
        assert roles.role_of(connection, _person_of(engine, "bram")) == "facilitator"
