"""The yearly review (seed 004), in Dutch and English: a summary of the year, the basic
choices, and one prompt per organisation and year to its facilitators."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import InboundEvent, Message, Outbound, Question, Scale
from bot.practices.year.hooks import review_year
from bot.privacy.export import find_person
from bot.storage.models import (
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    Organisation,
    WeeklyPlan,
    Workspace,
    YearlyReview,
)
from tests.conftest import Chat, Clock, joined
from tests.rigs.records import active_flow, add_records, meet

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
YEAR_WORD = {"nl": "jaar", "en": "year"}
DECEMBER = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "private": "Wat je hier antwoordt, is alleen voor jou.",
        "summary": "Je jaar 2026 in het kort:",
        "diary": "• 3 dagboekreflecties",
        "plans": "• 4 weekplannen, waarvan je er 1 afrondde",
        "reflections": "• 2 maandreflecties",
        "focus": "• Competenties waar je aan werkte: Feedback geven en ontvangen, Samenwerken "
                 "en Coachen en begeleiden",
        "contracts": "• Leercontracten: Q1 en Q3 (laatste doel: “Beter coachen.”)",
        "empty": "Over 2026 staat er nog weinig in je logboek",
        "proud_of": "waar ben je het meest trots op?",
        "challenging": "Is je werk nog voldoende uitdagend?",
        "inspiring": "Is je werk nog inspirerend",
        "rewarding": "En is het belonend",
        "next_step": "Wat past bij je voor het komende jaar?",
        "stay": "Zo doorgaan: ik zit goed op mijn plek",
        "step_notes": "Wat zou die stap kunnen zijn?",
        "stay_notes": "Wat maakt dat je goed op je plek zit?",
        "saved": "Je jaarterugblik over 2026 is bewaard; alleen jij kunt hem zien.",
        "low": "Eén score is laag.",
        "talk": "Een volgende stap begint met een gesprek.",
        "everyone_day": "Organiseer eens samen met collega's een lerende-organisatiedag",
        "own_day": "Als procesbegeleider: de jaarterugblikken over 2026 zijn begonnen.",
        "facilitator": "De jaarterugblikken over 2026 zijn begonnen in jullie organisatie.",
        "scale_invalid": "Welk getal van 1 tot 5",
    },
    "en": {
        "private": "What you answer here is for you alone.",
        "summary": "Your 2026 in short:",
        "diary": "• 3 diary reflections",
        "plans": "• 4 weekly plans, 1 of which you completed",
        "reflections": "• 2 monthly reflections",
        "focus": "• Competences you worked on: Giving and receiving feedback, Collaboration, "
                 "and Coaching and mentoring",
        "contracts": "• Learning contracts: Q1 and Q3 (latest goal: “Beter coachen.”)",
        "empty": "There's not much in your log for 2026 yet",
        "proud_of": "what are you most proud of?",
        "challenging": "Is your job still challenging enough?",
        "inspiring": "Is your job still inspiring",
        "rewarding": "And is it rewarding",
        "next_step": "What suits you for the coming year?",
        "stay": "Carry on: I'm in the right place",
        "step_notes": "What could that step be?",
        "stay_notes": "What makes you feel you're in the right place?",
        "saved": "Your review of 2026 is saved; only you can see it.",
        "low": "One score is low.",
        "talk": "A next step starts with a conversation.",
        "everyone_day": "Why not organise a learning-organisation day",  # no closing question
        "own_day": "As a facilitator: the yearly reviews of 2026 have begun.",
        "facilitator": "The yearly reviews of 2026 have begun in your organisation.",
        "scale_invalid": "Which number from 1 to 5",
    },
}


pytestmark = pytest.mark.usefixtures("no_failed_turns")


# -- helpers ---------------------------------------------------------------------------------


def the(kind: type[Message], messages: list[Message]) -> Any:
    found = [m for m in messages if isinstance(m, kind)]
    assert len(found) == 1, messages
    return found[0]


def reviews(database: Engine) -> list[YearlyReview]:
    with Session(database) as session:
        return list(session.scalars(select(YearlyReview).order_by(YearlyReview.id)))


def set_role(database: Engine, user: str, role: str) -> None:
    with Session(database) as session, session.begin():
        find_person(session, user).role = role


def seed_year(database: Engine, person_id: int) -> None:
    add_records(
        database,
        DiaryEntry(person_id=person_id, local_date=date(2025, 12, 30), learning="Vorig jaar."),
        DiaryEntry(person_id=person_id, local_date=date(2026, 1, 5), learning="Een."),
        DiaryEntry(person_id=person_id, local_date=date(2026, 6, 5), learning="Twee."),
        DiaryEntry(person_id=person_id, local_date=date(2026, 11, 5), learning="Drie."),
        MonthlyReflection(person_id=person_id, month=date(2026, 1, 1),
                          focus_month=date(2026, 2, 1), focus=["feedback", "samenwerken"]),
        MonthlyReflection(person_id=person_id, month=date(2026, 5, 1),
                          focus_month=date(2026, 6, 1), focus=["feedback"]),
        MonthlyReflection(person_id=person_id, month=date(2026, 5, 1),  # stopped halfway
                          focus_month=date(2026, 6, 1), focus=[], went_well="Half."),
        MonthlyReflection(person_id=person_id, month=date(2025, 11, 1),
                          focus_month=date(2025, 12, 1), focus=["vakmanschap"]),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 2, 2), competence_code="feedback"),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 2, 9), competence_code="feedback",
                   follows="continue"),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 2, 16),
                   competence_code="coachen", follows="done"),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 9, 7)),
        WeeklyPlan(person_id=person_id, week_start=date(2026, 9, 7)),  # a revision
        LearningContract(person_id=person_id, quarter="2026-Q1", version=1, goal="Feedback."),
        LearningContract(person_id=person_id, quarter="2026-Q3", version=1, goal="Coachen."),
        LearningContract(person_id=person_id, quarter="2026-Q3", version=2,
                         goal="Beter coachen."),
        LearningContract(person_id=person_id, quarter="2025-Q4", version=1, goal="Oud."),
    )


def answer_all(chat: Chat, *answers: str) -> list[Message]:
    replies: list[Message] = []
    for answer in answers:
        replies = chat.say(answer)
    return replies


def last_answer(engine: Coach, chat: Chat, text: str) -> list[Outbound]:
    """The final answer, sent without Chat's check that every reply goes back to the sender
    (the facilitators' prompt goes to them)."""
    return engine.handle(InboundEvent(address=chat.address, text=text))


# -- the whole review ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "year"),
    [(date(2026, 12, 14), 2026), (date(2027, 1, 4), 2026), (date(2027, 1, 31), 2026),
     (date(2027, 2, 1), 2027)],
)
def test_in_january_the_review_is_of_the_year_just_past(today: date, year: int) -> None:
    assert review_year(today) == year


@LOCALES
def test_a_full_yearly_review_with_the_summary_of_the_year(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = DECEMBER
    person_id = meet(engine, chat, database, clock, locale)
    seed_year(database, person_id)

    opening = chat.say(YEAR_WORD[locale])
    intro = joined(opening)
    assert says["private"] in intro
    for part in ("summary", "diary", "plans", "reflections", "focus", "contracts"):
        assert says[part] in intro, part
    assert "Vakmanschap" not in intro and "Professional craftsmanship" not in intro
    assert says["proud_of"] in the(Question, opening).text

    scale = the(Scale, chat.say("Dat ik het teamoverleg nu zelf voorzit."))
    assert says["challenging"] in scale.text
    assert says["inspiring"] in the(Scale, chat.say("4")).text
    assert says["rewarding"] in the(Scale, chat.say("3")).text
    choice = the(Question, chat.say("2"))
    assert says["next_step"] in choice.text
    assert [c.value for c in choice.choices] == [
        "stay", "within_job", "within_organisation", "elsewhere"
    ]
    assert says["step_notes"] in the(Question, chat.say("3")).text
    closing = joined(chat.say("Een rol als teamcoach."))
    assert says["saved"] in closing
    assert says["low"] in closing
    assert says["talk"] in closing
    assert says["everyone_day"] in closing
    assert active_flow(database) is None

    [review] = reviews(database)
    assert review.person_id == person_id
    assert review.year == 2026
    assert (review.challenging, review.inspiring, review.rewarding) == (4, 3, 2)
    assert review.next_step == "within_organisation"
    assert review.next_step_notes == "Een rol als teamcoach."
    assert review.proud_of == "Dat ik het teamoverleg nu zelf voorzit."


@LOCALES
def test_staying_gets_its_own_question_and_an_empty_year_reads_well(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = DECEMBER
    meet(engine, chat, database, clock, locale)

    intro = joined(chat.say(YEAR_WORD[locale]))
    assert says["empty"] in intro
    assert says["summary"] not in intro
    chat.say("overslaan" if locale == "nl" else "skip")  # proud_of may be skipped
    answer_all(chat, "5", "4", "5")
    notes = the(Question, chat.say(says["stay"]))
    assert says["stay_notes"] in notes.text
    closing = joined(chat.say("Ik leer hier nog elke dag."))
    assert says["saved"] in closing
    assert says["low"] not in closing

    [review] = reviews(database)
    assert review.proud_of is None
    assert review.next_step == "stay"
    assert review.next_step_notes == "Ik leer hier nog elke dag."


def test_a_wrong_score_keeps_the_question_open(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = DECEMBER
    meet(engine, chat, database, clock)
    chat.say("jaar")
    chat.say("Mijn eerste project.")
    reply = joined(chat.say("zes"))
    assert SAYS["nl"]["scale_invalid"] in reply
    assert SAYS["nl"]["challenging"] in reply
    assert active_flow(database) == "year"
    assert not reviews(database)


# -- the facilitators' prompt ----------------------------------------------------------------


@LOCALES
def test_facilitators_are_asked_once_per_organisation_and_year(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = DECEMBER
    alice, bob, carol, dave, eve = (
        Chat(engine, user) for user in ("alice", "bob", "carol", "dave", "eve")
    )
    meet(engine, alice, database, clock, "nl", "Alice Jansen")
    meet(engine, bob, database, clock, locale, "Bob de Vries")  # the facilitator
    meet(engine, carol, database, clock, "en", "Carol Smith")
    meet(engine, dave, database, clock, "nl", "Dave Peters")  # an admin, but opted out
    meet(engine, eve, database, clock, "nl", "Eve Bakker")  # a facilitator on a break
    set_role(database, "bob", "facilitator")
    set_role(database, "dave", "admin")
    set_role(database, "eve", "facilitator")
    with Session(database) as session, session.begin():
        find_person(session, "dave").status = "opted_out"
        eve_person = find_person(session, "eve")
        eve_person.status, eve_person.paused_until = "paused", date(2027, 1, 4)

    alice.say("jaar")
    answer_all(alice, "Het project.", "4", "4", "4", "1")
    sent = last_answer(engine, alice, "Het werk zelf.")
    to_bob = [out for out in sent if out.address == bob.address]
    to_alice = [out for out in sent if out.address == alice.address]
    assert len(to_bob) == 1
    prompt = joined([to_bob[0].message])
    assert prompt.startswith("Hoi Bob!" if locale == "nl" else "Hi Bob!")
    assert says["facilitator"] in prompt
    assert "Alice" not in prompt  # who reviewed their year is theirs alone
    assert SAYS["nl"]["saved"] in joined([out.message for out in to_alice])
    assert {out.address for out in sent} == {alice.address, bob.address}

    # Another review of the same year in the organisation asks no one again.
    carol.say("year")
    answer_all(carol, "The move.", "3", "3", "3", "1")
    sent = last_answer(engine, carol, "Good team.")
    assert {out.address for out in sent} == {carol.address}
    # Nor does a second review by the first person.
    alice.say("jaar")
    answer_all(alice, "Nog steeds het project.", "4", "4", "4", "1")
    assert {out.address for out in last_answer(engine, alice, "Idem.")} == {alice.address}

    # A new year is a new occasion.
    clock.now = datetime(2027, 12, 1, 9, 0, tzinfo=UTC)
    alice.say("jaar")
    answer_all(alice, "Weer een jaar.", "4", "4", "4", "1")
    sent = last_answer(engine, alice, "Nog steeds goed.")
    # Eve's break is over by now, so she is asked as well.
    assert {out.address for out in sent} == {alice.address, bob.address, eve.address}
    assert [r.year for r in reviews(database)] == [2026, 2026, 2026, 2027]


def test_a_facilitator_who_reviews_first_is_asked_in_their_own_closing(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = DECEMBER
    meet(engine, chat, database, clock)
    set_role(database, "alice", "facilitator")
    chat.say("jaar")
    answer_all(chat, "Het project.", "4", "4", "4", "1")
    closing = joined(chat.say("Het werk zelf."))  # Chat checks: nothing goes elsewhere
    assert SAYS["nl"]["own_day"] in closing
    assert SAYS["nl"]["everyone_day"] not in closing


def test_facilitators_of_another_organisation_are_not_asked(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = DECEMBER
    [other] = add_records(database, Organisation(slug="elders", name="Elders"))
    add_records(database, Workspace(organisation_id=other, platform="test", tenant="elders"))
    outsider = Chat(engine, "erik")
    outsider.address = outsider.address.__class__("test", "elders", "erik", "dm-erik")
    meet(engine, outsider, database, clock)
    set_role(database, "erik", "facilitator")
    with Session(database) as session:
        assert find_person(session, "erik").organisation_id == other

    meet(engine, chat, database, clock)
    chat.say("jaar")
    answer_all(chat, "Het project.", "4", "4", "4", "1")
    sent = last_answer(engine, chat, "Het werk zelf.")
    assert {out.address for out in sent} == {chat.address}
