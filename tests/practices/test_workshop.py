"""The workshop kit (seed 002) through the engine: every exercise launched in a channel and
answered in its thread, statement polls (votes, a changed vote, named and anonymous
results, the bar chart), who may launch and close, closing early, and the list."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.conversation.coach import Coach
from bot.core.messages import Address, InboundEvent, Outbound, Question
from bot.people import roles
from bot.practices.workshop import hooks as workshop
from bot.privacy.export import export_person, find_person
from bot.runtime import build_coach
from bot.storage.database import make_session_factory
from bot.storage.models import Identity, WorkshopResponse, WorkshopRun
from tests.conftest import joined

pytestmark = pytest.mark.usefixtures("no_failed_turns")
CHANNEL = "C-team"
THREAD = "1700000000.000200"
STATEMENT_1 = "Al doende leren dat gaat niet bij ons, we kunnen ons geen fouten permitteren."


class Member:
    """Someone in the team's channel (and their DM with the coach)."""

    def __init__(self, engine: Coach, user: str) -> None:
        self.engine = engine
        self.user = user
        self.dm = Address("test", "acme", user, f"dm-{user}")
        self.here = Address("test", "acme", user, CHANNEL, THREAD)

    def handle(self, **fields: Any) -> list[Outbound]:
        return self.engine.handle(InboundEvent(**fields))

    def say(self, text: str) -> list[Outbound]:
        return self.handle(address=self.dm, text=text, display_name=self.user.title())

    def in_channel(self, command: str) -> list[Outbound]:
        """A command typed in the channel (its own replies come to the DM)."""
        return self.handle(address=self.dm, origin=CHANNEL, command=command)

    def in_thread(self, text: str) -> list[Outbound]:
        return self.handle(address=self.here, text=text, ambient=True)

    def press(self, value: str, run_id: int) -> list[Outbound]:
        return self.handle(address=self.here, value=value, reply_to=f"exercise:{run_id}")

    def vote(self, number: int, choice: str, run_id: int) -> list[Outbound]:
        return self.press(f"vote:{number}:{choice}", run_id)


def texts(outbounds: list[Outbound]) -> str:
    return joined([o.message for o in outbounds])


def to(outbounds: list[Outbound], address: Address) -> str:
    return texts([o for o in outbounds if o.address == address])


CHANNEL_POST = Address("test", "acme", "", CHANNEL)
THREAD_POST = Address("test", "acme", "", CHANNEL, THREAD)


def launch(engine: Coach, facilitator: Member, command: str) -> tuple[int, Question]:
    """The facilitator puts an exercise in the channel; its post gets a thread."""
    replies = facilitator.in_channel(command)
    posted = [o for o in replies if o.anchor]
    assert len(posted) == 1, texts(replies)
    post = posted[0]
    assert post.address == CHANNEL_POST and isinstance(post.message, Question)
    assert any(word in to(replies, facilitator.dm) for word in ("Staat erin", "It's in"))
    assert post.anchor is not None and post.anchor.startswith("exercise:")
    engine.anchored(post.anchor, THREAD)
    return int(post.anchor.split(":")[1]), post.message


def _person_of(engine: Coach, user: str) -> int:
    with engine.database.connect() as connection:
        return int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())


def responses(engine: Coach, run_id: int) -> list[tuple[int, str, str | None, str | None]]:
    with engine.database.connect() as connection:
        return [(r.item, r.kind, r.text, r.value) for r in connection.execute(
            select(WorkshopResponse).where(WorkshopResponse.run_id == run_id)
            .order_by(WorkshopResponse.id))]


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


# -- the question exercises ------------------------------------------------------------------


@pytest.mark.parametrize(("command", "title", "first", "count"), [
    ("oefening bewustwording", "Leerkansen op de werkvloer",
     "Wat kan je nu, wat je een jaar geleden nog niet kon?", 5),
    ("oefening leercultuur", "Onze leercultuur", "Hoe ziet leren eruit in onze organisatie?", 5),
    ("oefening mijn leren", "Mijn leren", "Wat heb je het laatste jaar bijgeleerd?", 6),
    ("oefening fouten", "Leren van fouten", "Welke fouten heb je het laatste jaar gemaakt", 5),
    ("oefening doe-opdracht", "een knoop leren leggen", "Bij welke groep lukte het beter?", 3),
])
def test_a_question_exercise_from_launch_to_the_summary(
        engine: Coach, team: tuple[Member, Member, Member], command: str, title: str,
        first: str, count: int) -> None:
    anna, bram, cas = team
    run_id, post = launch(engine, anna, command)
    assert title in post.text and f"Vraag 1 van {count}:" in post.text and first in post.text
    assert [c.label for c in post.choices] == ["Volgende vraag", "Afsluiten"]

    # answers in the thread are kept quietly, with the question they belong to
    assert bram.in_thread("Ik kan nu offertes maken, dankzij mijn collega.") == []
    assert cas.in_thread("Door het gewoon te doen.") == []
    for number in range(2, count + 1):
        step = anna.press(f"next:{number - 1}", run_id)
        assert [o.address for o in step] == [THREAD_POST]
        assert f"Vraag {number} van {count}:" in texts(step)
    last = step[0].message
    assert isinstance(last, Question) and [c.label for c in last.choices] == ["Afronden"]
    bram.in_thread("Van de klant die boos was.")
    # a second press on a button already acted on does nothing
    assert anna.press("next:1", run_id) == []

    closed = anna.press(f"next:{count}", run_id)
    summary = to(closed, CHANNEL_POST)
    assert "*Afgerond: " in summary and title in summary
    assert "2 mensen gaven samen 3 antwoorden" in summary
    assert "Vraag 1 ██ 2" in summary and f"Vraag {count} █ 1" in summary
    assert "Wat neem jij mee" in summary
    notes = to(closed, anna.dm)
    assert "zonder namen" in notes and "dankzij mijn collega" in notes
    assert "Van de klant die boos was." in notes and "Bram" not in notes
    assert responses(engine, run_id) == [
        (1, "answer", "Ik kan nu offertes maken, dankzij mijn collega.", None),
        (1, "answer", "Door het gewoon te doen.", None),
        (count, "answer", "Van de klant die boos was.", None)]
    # closed: buttons and the thread are over
    assert "al afgesloten" in to(anna.press("close", run_id), anna.dm)
    assert cas.in_thread("Nog iets") == []
    assert len(responses(engine, run_id)) == 3


def test_an_english_facilitator_gets_it_in_english(engine: Coach,
                                                   team: tuple[Member, ...]) -> None:
    anna = team[0]
    engine.set_locale(anna.dm, "en")
    run_id, post = launch(engine, anna, "exercise awareness")
    assert "Exercise: Learning opportunities at work" in post.text
    assert "Question 1 of 5:" in post.text
    assert [c.label for c in post.choices] == ["Next question", "Close"]
    closed = anna.press("close", run_id)
    assert "No answers came in the thread." in to(closed, CHANNEL_POST)


# -- statement polls ----------------------------------------------------------------------


def test_a_statement_poll_with_a_changed_vote_and_named_results(
        engine: Coach, team: tuple[Member, Member, Member]) -> None:
    anna, bram, cas = team
    run_id, post = launch(engine, anna, "oefening stellingen")
    assert "Stelling 1 van 5:" in post.text and STATEMENT_1 in post.text
    assert "bij de uitslag staat wie wat stemde" in post.text
    assert [c.label for c in post.choices] == ["Eens", "Oneens", "Weet niet",
                                               "Volgende stelling", "Afsluiten"]

    voted = bram.vote(1, "agree", run_id)
    assert [o.address for o in voted] == [bram.dm]  # nothing about a vote in the channel
    assert "Je stem telt: *Eens*" in texts(voted) and "staat je naam" in texts(voted)
    assert "is nu *Oneens*" in texts(bram.vote(1, "disagree", run_id))
    assert "stemde al *Oneens*" in texts(bram.vote(1, "disagree", run_id))
    anna.vote(1, "agree", run_id)
    cas.vote(1, "agree", run_id)
    cas.in_thread("Fouten maken we toch al, dan liever bewust.")

    second = anna.press("next:1", run_id)
    assert "Stelling 2 van 5:" in texts(second) and second[0].address == THREAD_POST
    bram.vote(2, "unsure", run_id)
    # a vote on an earlier statement still counts until the exercise is closed
    assert "Je stem telt" in texts(cas.vote(2, "agree", run_id))
    assert bram.vote(9, "agree", run_id) == []  # no such statement

    closed = anna.press("close", run_id)
    results = to(closed, CHANNEL_POST)
    assert "Uitslag: Stellingen over al doende leren" in results
    assert "3 mensen stemden." in results
    assert "Eens      ██ 2\nOneens    █ 1\nWeet niet 0" in results
    assert "Eens      █ 1\nOneens    0\nWeet niet █ 1" in results
    assert "Eens: Anna en Cas\nOneens: Bram" in results and "Weet niet: Bram" in results
    assert "Stelling 3" not in results and "3." not in results  # never shown
    assert "dan liever bewust" in to(closed, anna.dm)  # the thread's comment, for her notes

    votes = [r for r in responses(engine, run_id) if r[1] == "vote"]
    assert sorted((item, value) for item, _, _, value in votes) == [
        (1, "agree"), (1, "agree"), (1, "disagree"), (2, "agree"), (2, "unsure")]
    assert "al afgesloten" in texts(bram.vote(1, "agree", run_id))


def test_an_anonymous_poll_never_shows_names(engine: Coach,
                                            team: tuple[Member, Member, Member]) -> None:
    anna, bram, cas = team
    run_id, post = launch(engine, anna, "stellingen anoniem")
    assert "Stemmen is anoniem" in post.text
    assert "staat je naam" not in texts(bram.vote(1, "disagree", run_id))
    cas.vote(1, "disagree", run_id)
    for number in range(1, 5):
        anna.press(f"next:{number}", run_id)
    cas.vote(5, "agree", run_id)
    closed = anna.press("next:5", run_id)  # the last statement's button finishes
    results = to(closed, CHANNEL_POST)
    assert "(anoniem)" in results and "2 mensen stemden." in results
    assert "Oneens    ██ 2" in results and "Neem jij de procedures door, Anton" in results
    assert "Bram" not in results and "Cas" not in results
    assert not any(f"{label}:" in results for label in ("Eens", "Oneens", "Weet niet"))
    with engine.database.connect() as connection:
        assert connection.execute(select(WorkshopRun.anonymous)).scalar_one() is True


def test_oefening_stellingen_anoniem_and_the_exercise_name_in_english(
        engine: Coach, team: tuple[Member, ...]) -> None:
    anna = team[0]
    _, post = launch(engine, anna, "oefening statements anoniem")
    assert "Stemmen is anoniem" in post.text


# -- who may, and the list ------------------------------------------------------------------


def test_only_facilitators_launch_and_close(engine: Coach,
                                           team: tuple[Member, Member, Member]) -> None:
    anna, bram, _ = team
    refused = bram.in_channel("oefening stellingen")
    assert "alleen een facilitator" in texts(refused) and not any(o.anchor for o in refused)
    run_id, _ = launch(engine, anna, "oefening stellingen")
    for value in ("next:1", "close"):
        told = bram.press(value, run_id)
        assert [o.address for o in told] == [bram.dm]
        assert "doet de facilitator" in texts(told)
    with engine.database.connect() as connection:
        assert connection.execute(select(WorkshopRun.state, WorkshopRun.current)).one() == (
            "open", 1)
    # with LEERCOACH_FACILITATORS=anyone everyone may
    anyone = build_coach(engine.database, replace(engine.settings, facilitators="anyone"),
                         clock=engine.clock, registry=engine.registry)
    assert "Uitslag" in texts(Member(anyone, "bram").press("close", run_id))
    anyone.close()


def test_without_a_name_or_with_an_unknown_one_the_list(
        engine: Coach, team: tuple[Member, ...]) -> None:
    anna = team[0]
    listed = texts(anna.in_channel("oefening"))
    for name in ("bewustwording", "leercultuur", "mijn leren", "fouten", "doe-opdracht",
                 "stellingen"):
        assert f"*{name}*" in listed
    assert "(5 stellingen)" in listed and "(6 vragen)" in listed
    unknown = texts(anna.in_channel("oefening zeppelin"))
    assert "Die oefening ken ik niet: *zeppelin*" in unknown and "*fouten*" in unknown
    # outside a channel: where to type it
    assert "in het kanaal" in texts(anna.say("oefening fouten"))


def test_a_command_word_in_an_open_dialog_is_an_answer(engine: Coach,
                                                      team: tuple[Member, ...]) -> None:
    bram = team[1]
    bram.say("dagboek")
    reply = texts(bram.say("oefening met de nieuwe kassa"))
    assert "facilitator" not in reply and "Hoe ben je daarmee omgegaan?" in reply


def test_a_command_in_the_thread_is_not_an_answer(engine: Coach,
                                                  team: tuple[Member, Member, Member]) -> None:
    anna, bram, _ = team
    run_id, _ = launch(engine, anna, "oefening fouten")
    # addressed to the coach (an @mention in the thread): the engine answers it
    helped = bram.handle(address=bram.here, text="hulp")
    assert helped and "Ik ben je leercoach" in texts(helped)
    assert responses(engine, run_id) == []


def test_answers_and_votes_are_in_the_privacy_export(engine: Coach,
                                                     team: tuple[Member, Member, Member]
                                                     ) -> None:
    anna, bram, _ = team
    run_id, _ = launch(engine, anna, "oefening stellingen")
    bram.vote(1, "agree", run_id)
    bram.in_thread("Het hangt van de taak af.")
    with make_session_factory(engine.database)() as session:
        data = export_person(session, find_person(session, "bram"))
    assert [(r["kind"], r["value"], r["text"]) for r in data["workshop_responses"]] == [
        ("vote", "agree", None), ("answer", None, "Het hangt van de taak af.")]


# -- the bar chart ------------------------------------------------------------------------


def test_the_bar_chart_pads_labels_and_scales_long_bars() -> None:
    assert workshop.bar_chart([("Eens", 6), ("Oneens", 2), ("Weet niet", 0)]) == [
        "Eens      ██████ 6", "Oneens    ██ 2", "Weet niet 0"]
    long = workshop.bar_chart([("a", 48), ("b", 1), ("c", 24)])
    assert long == ["a " + "█" * 12 + " 48", "b █ 1", "c " + "█" * 6 + " 24"]
    assert workshop.bar_chart([]) == []
