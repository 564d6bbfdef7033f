"""Community of practice sessions: signing up with a button (in the DM list, under a channel
announcement, under the monthly reflection's pointer) or on the command line, signing off,
and bringing a case to a session through the intervision intake; and a sign-up through
Slack's HTTP endpoint."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.conversation.coach import Coach
from bot.core.messages import Address, Form, InboundEvent, Outbound, Question
from bot.organisation import community_sessions as community
from bot.people import roles
from bot.runtime import Runtime
from bot.storage.models import (
    CommunitySession,
    CommunitySignup,
    Dialog,
    Identity,
    IntervisionCase,
    Organisation,
)
from tests.conftest import Chat, Clock, joined
from tests.rigs.records import FIRST_WORKDAY, add_records, meet, organisation_of
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import SlackRig, dm, press, slack_rig

pytestmark = pytest.mark.usefixtures("no_failed_turns")
CHANNEL = "C-community"
STARTS = datetime(2026, 4, 14, 13, 30, tzinfo=UTC)  # 15:30 in Amsterdam


def texts(outbounds: list[Outbound]) -> str:
    return joined([o.message for o in outbounds])


class Member:
    def __init__(self, engine: Coach, user: str) -> None:
        self.engine = engine
        self.user = user
        self.dm = Address("test", "acme", user, f"dm-{user}")

    def handle(self, **fields: Any) -> list[Outbound]:
        return self.engine.handle(InboundEvent(**fields))

    def say(self, text: str) -> list[Outbound]:
        return self.handle(address=self.dm, text=text)

    def in_channel(self, text: str) -> list[Outbound]:
        return self.handle(address=self.dm, command=text, origin=CHANNEL)

    def press(self, ref: str, value: str, *, in_channel: bool = False) -> list[Outbound]:
        where = Address("test", "acme", self.user, CHANNEL) if in_channel else self.dm
        return self.handle(address=where, value=value, reply_to=ref)


def questions(outbounds: list[Outbound]) -> list[Question]:
    return [o.message for o in outbounds if isinstance(o.message, Question)]


def person_id(database: Engine, user: str) -> int:
    with database.connect() as connection:
        return int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())


def plan_sessions(database: Engine, year: int = 2026) -> tuple[int, int]:
    """Two sessions in `year` (a later year for what runs on the wall clock)."""
    with database.connect() as connection:
        organisation = connection.execute(select(Organisation.id)).scalar_one()
    first, second = add_records(
        database,
        CommunitySession(organisation_id=organisation, title="SOL: leren van fouten",
                         starts_at=STARTS.replace(year=year), location="Utrecht, zaal 2"),
        CommunitySession(organisation_id=organisation, title="Lerende praktijk: regie",
                         starts_at=datetime(year, 5, 12, 13, 30, tzinfo=UTC)),
    )
    return first, second


@pytest.fixture
def people(engine: Coach, clock: Clock) -> dict[str, Member]:
    members = {name: Member(engine, name) for name in ("anna", "bram")}
    for member in members.values():
        member.handle(address=member.dm, text="hallo", display_name=member.user.title())
        member.say("stop")
    anna = person_id(engine.database, "anna")
    with engine.database.begin() as connection:
        roles.set_role(connection, anna, "facilitator")
    return members


def signups(database: Engine) -> list[tuple[int, int]]:
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(CommunitySignup.session_id, CommunitySignup.person_id)
            .order_by(CommunitySignup.id))]


def test_sign_up_and_off_with_the_buttons_of_the_list(engine: Coach,
                                                      people: dict[str, Member]) -> None:
    bram = people["bram"]
    first, second = plan_sessions(engine.database)
    listed = bram.say("sessies")
    assert "Deze sessies staan gepland" in texts(listed)
    shown = questions(listed)
    assert [q.ref for q in shown] == [f"cs:{first}", f"cs:{second}"]
    assert "SOL: leren van fouten* — dinsdag 14 april om 15:30, Utrecht, zaal 2" in shown[0].text
    assert [c.label for c in shown[0].choices] == ["Ik doe mee", "Casus inbrengen"]

    done = bram.press(f"cs:{first}", "signup")
    assert "Fijn dat je meedoet aan *SOL: leren van fouten*" in texts(done)
    assert "casus voor sessie" in texts(done)
    assert "Je doet al mee" in texts(bram.press(f"cs:{first}", "signup"))
    again = questions(bram.say("sessions"))[0]
    assert "1 aanmelding · je doet mee" in again.text
    assert again.choices[0].label == "Ik kan toch niet"
    assert "Je bent afgemeld" in texts(bram.press(f"cs:{first}", "cancel"))
    assert signups(engine.database) == []
    assert "Fijn dat je meedoet" in texts(bram.say(f"aanmelden sessie {second}"))
    assert "Welke sessie bedoel je" in texts(bram.say("aanmelden sessie morgen"))
    assert signups(engine.database) == [(second, person_id(engine.database, "bram"))]


def test_an_announcement_in_a_channel_and_its_button(engine: Coach,
                                                     people: dict[str, Member]) -> None:
    anna, bram = people["anna"], people["bram"]
    first, _ = plan_sessions(engine.database)
    assert "Een sessie aankondigen doet een facilitator" in texts(
        bram.in_channel(f"sessie aankondigen {first}"))
    assert "in het kanaal waar je hem wilt delen" in texts(anna.say(f"sessie aankondigen {first}"))
    announced = anna.in_channel(f"sessie aankondigen {first}")
    [post] = [o for o in announced if o.address == Address("test", "acme", "", CHANNEL)]
    assert isinstance(post.message, Question) and post.message.ref == f"cs:{first}"
    assert "Waar loop jij tegenaan" in post.message.text
    assert [c.value for c in post.message.choices] == ["signup", "case"]

    replied = bram.press(f"cs:{first}", "signup", in_channel=True)
    assert "Fijn dat je meedoet" in texts(replied)
    assert all(o.address.person == "bram" and o.address.thread is None for o in replied)
    assert signups(engine.database) == [(first, person_id(engine.database, "bram"))]


def test_a_case_for_a_session_uses_the_intervision_intake(engine: Coach,
                                                          people: dict[str, Member]) -> None:
    anna, bram = people["anna"], people["bram"]
    first, second = plan_sessions(engine.database)
    # A session without a channel has nowhere to post the case yet.
    assert "nog geen kanaal" in texts(bram.say(f"casus voor sessie {second}"))
    anna.in_channel(f"sessie aankondigen {first}")

    started = bram.press(f"cs:{first}", "case", in_channel=True)
    assert "Fijn dat je een casus inbrengt bij *SOL: leren van fouten*" in texts(started)
    [form] = [o.message for o in started if isinstance(o.message, Form)]
    replies = bram.handle(address=bram.dm, reply_to=form.ref, form={
        "story": "Een bewoner weigerde hulp, zijn dochter belde ons boos op.",
        "stuck": "Wie bepaalt hier wat goede zorg is?",
        "unsure": "Of ik de dochter had moeten betrekken.",
        "question": "Hoe houd ik de regie bij de bewoner?"})
    confirm = questions(replies)[0]
    replies = bram.handle(address=bram.dm, reply_to=confirm.ref, value="no")
    [case_post] = [o for o in replies if o.anchor]
    assert case_post.address == Address("test", "acme", "", CHANNEL)
    assert "Hoe houd ik de regie bij de bewoner?" in texts([case_post])

    with engine.database.connect() as connection:
        case = connection.execute(select(IntervisionCase.__table__)).one()
        context = connection.execute(select(Dialog.context).where(
            Dialog.flow_id == "intervision_intake")).scalar_one()
        found = community.participants(connection, first)
    assert case.conversation == CHANNEL and case.owner_id == person_id(engine.database, "bram")
    assert context["session_id"] == first
    assert [(p.name, p.case_question) for p in found] == [
        ("Bram", "Hoe houd ik de regie bij de bewoner?")]
    # `casus voor sessie N` in words does the same.
    assert any(isinstance(o.message, Form) for o in anna.say(f"casus voor sessie {first}"))


def test_sessions_on_the_command_line(engine: Coach, people: dict[str, Member],
                                      sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    from adapters.cli.main import main

    first, second = plan_sessions(engine.database, 2099)
    people["anna"].press(f"cs:{first}", "signup")
    engine.close()
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    assert main(["sessions", "signup", str(first), "--user", "bram"]) == 0
    assert "bram signed up for" in capsys.readouterr().out
    assert main(["sessions", "signup", str(first), "--user", "bram"]) == 0
    assert "was signed up already" in capsys.readouterr().out
    assert main(["sessions"]) == 0
    listing = capsys.readouterr().out
    assert f"#{first}" in listing and "2 signed up" in listing and "0 signed up" in listing
    assert main(["sessions", "show", str(first)]) == 0
    shown = capsys.readouterr().out
    assert "2 signed up" in shown and "Anna" in shown and "Bram" in shown
    assert main(["sessions", "signup", str(first), "--user", "bram", "--cancel"]) == 0
    assert "is signed off" in capsys.readouterr().out
    assert main(["sessions", "signup", "99", "--user", "bram"]) == 2
    assert "no community session 99" in capsys.readouterr().err
    assert main(["sessions", "signup", str(second)]) == 2


def test_the_monthly_reflection_points_to_the_next_session_with_a_button(
        engine: Coach, chat: Chat, clock: Clock, database: Engine) -> None:
    clock.now = FIRST_WORKDAY
    person = meet(engine, chat, database, clock)
    first, _ = plan_sessions(database)
    assert organisation_of(database, person)
    chat.say("maand")
    for answer in ("Het vragen lukt steeds vaker.", "Ik praat te snel over oplossingen.",
                   "Bij elk overleg eerst drie vragen stellen."):
        chat.say(answer)
    closing = chat.send(values=("samenwerken",))
    assert "Kom naar de volgende SOL-bijeenkomst: SOL: leren van fouten" in joined(closing)
    [offer] = [m for m in closing if isinstance(m, Question) and m.ref == f"cs:{first}"]
    assert "Doe je mee met *SOL: leren van fouten*" in offer.text
    assert "Ik doe mee" in [c.label for c in offer.choices]
    assert "Fijn dat je meedoet" in joined(chat.send(value="signup", reply_to=offer.ref))
    assert signups(database) == [(first, person)]


def test_a_sign_up_through_slack(runtime: Runtime) -> None:
    async def scenario(rig: SlackRig) -> None:
        await rig.post_json(dm("hallo", "U1"))
        await rig.post_json(dm("stop", "U1"))
        await rig.posts(2)
        plan_sessions(runtime.database, 2099)
        await rig.post_json(dm("sessies", "U1"))
        listed = (await rig.posts(3))[-1]
        assert listed.params["channel"] == "DU1"
        assert "SOL: leren van fouten" in str(listed.params["blocks"])
        await rig.interact(press(listed, "signup", "U1"))
        reply = (await rig.posts(4))[-1].params
        assert reply["channel"] == "DU1" and "Fijn dat je meedoet" in str(reply["blocks"])

    api = MockSlackApi(users={"U1": {"profile": {"display_name": "Anna"}}})

    async def main() -> None:
        async with slack_rig(runtime, api=api) as rig:
            await scenario(rig)

    asyncio.run(main())
    with runtime.database.connect() as connection:
        assert connection.execute(select(CommunitySignup.id)).first() is not None
