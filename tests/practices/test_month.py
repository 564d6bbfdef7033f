"""The monthly self-reflection (seed 004), in Dutch and English: the digest of the month just
past, the questions, the focus of one (at most two) competences and the SOL session."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Message, Question
from bot.practices.month.hooks import reflection_months
from bot.storage.models import (
    CommunitySession,
    DiaryEntry,
    LearningContract,
    MonthlyReflection,
    WeeklyPlan,
)
from tests.conftest import Chat, Clock, joined
from tests.rigs.records import FIRST_WORKDAY, active_flow, add_records, meet, organisation_of

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
MONTH_WORD = {"nl": "maand", "en": "month"}

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "hour": "Neem er een uur voor",
        "looked": "Zo zag maart eruit:",
        "diary": "Je dagboek: 3 keer ingevuld",
        "plans": "Je weekplannen:",
        "plan_line": "week van 2 maart: Feedback geven en ontvangen (3 van 4 keer geoefend); "
                     "daarna paste je het aan: “Korter en concreter.”",
        "plan_done": "week van 9 maart: Samenwerken; daarna rondde je het af",
        "contract": "Het doel van je leercontract (Q1 2026): “Elke week feedback vragen.”",
        "no_contract": "Je hebt nog geen leercontract voor Q2 2026",
        "empty": "Voor maart staat er nog niets in je dagboek of je weekplannen",
        "contract_progress": "Hoe vorder je daarmee?",
        "went_well": "Wat ging er goed de afgelopen weken?",
        "could_be_better": "En wat kan er beter?",
        "concrete_next": "Wat ga je concreet doen",
        "focus": "Op welke competentie wil je je de komende maand focussen?",
        "too_many": "Ik houd het bewust bij één, hoogstens twee competenties per maand",
        "saved": "Je maandreflectie is bewaard.",
        "focus_for": "Je focus voor april: Feedback geven en ontvangen en Samenwerken.",
        "month_focus": "• Je focus: Feedback geven en ontvangen.",
        "sol": "Kom naar de volgende SOL-bijeenkomst: SOL-middag, dinsdag 14 april om 15:30 "
               "(Utrecht, zaal 2).",
        "choose_some": "Kies een of meer opties",
    },
    "en": {
        "hour": "Take an hour for it",
        "looked": "This is what March looked like:",
        "diary": "Your diary: filled in 3 times",
        "plans": "Your weekly plans:",
        "plan_line": "week of 2 March: Giving and receiving feedback (practised 3 of 4 times); "
                     "afterwards you adjusted it: “Korter en concreter.”",
        "plan_done": "week of 9 March: Collaboration; afterwards you wrapped it up",
        "contract": "The goal of your learning contract (Q1 2026): “Elke week feedback vragen.”",
        "no_contract": "You don't have a learning contract for Q2 2026 yet",
        "empty": "There's nothing in your diary or weekly plans for March yet",
        "contract_progress": "How are you getting on with it?",
        "went_well": "What went well over the past weeks?",
        "could_be_better": "And what could be better?",
        "concrete_next": "What will you do, concretely",
        "focus": "Which competence would you like to focus on in the coming month?",
        "too_many": "I deliberately keep it to one, at most two competences a month",
        "saved": "Your monthly reflection is saved.",
        "focus_for": "Your focus for April: Giving and receiving feedback and Collaboration.",
        "month_focus": "• Your focus: Giving and receiving feedback.",
        "sol": "Join the next SOL meeting: SOL-middag, Tuesday 14 April at 15:30 "
               "(Utrecht, zaal 2).",
        "choose_some": "Choose one or more",
    },
}

# 1 April 2026 is a Wednesday, the first workday of the month: the scheduler's moment.


pytestmark = pytest.mark.usefixtures("no_failed_turns")


# -- helpers ---------------------------------------------------------------------------------


def reflections(database: Engine) -> list[MonthlyReflection]:
    with Session(database) as session:
        return list(session.scalars(select(MonthlyReflection).order_by(MonthlyReflection.id)))


def question(messages: list[Message]) -> Question:
    found = [m for m in messages if isinstance(m, Question)]
    assert len(found) == 1, messages
    return found[0]


def seed_march(database: Engine, person_id: int) -> None:
    """A month of learning: diary entries (one in February and one in April that do not
    belong to March), two weekly plans and what followed them, and a Q1 contract."""
    def entry(day: date, learning: str | None) -> DiaryEntry:
        return DiaryEntry(person_id=person_id, local_date=day, moments="m", learning=learning)

    add_records(
        database,
        entry(date(2026, 2, 27), "Een les uit februari."),
        entry(date(2026, 3, 3), "Eerst luisteren, dan pas antwoorden."),
        entry(date(2026, 3, 12), None),
        entry(date(2026, 3, 30), "Vragen stellen werkt beter dan oplossen."),
        entry(date(2026, 4, 1), "Een les uit april."),
        # The focus chosen for March (at the start of March), and a later stopped reflection.
        MonthlyReflection(person_id=person_id, month=date(2026, 2, 1),
                          focus_month=date(2026, 3, 1), focus=["feedback"]),
        MonthlyReflection(person_id=person_id, month=date(2026, 2, 1),
                          focus_month=date(2026, 3, 1), focus=[], went_well="Half."),
        LearningContract(person_id=person_id, quarter="2026-Q1", version=1, goal="Oud doel."),
        LearningContract(person_id=person_id, quarter="2026-Q1", version=2,
                         goal="Elke week feedback vragen."),
    )
    [first] = add_records(database, WeeklyPlan(
        person_id=person_id, week_start=date(2026, 3, 2), competence_code="feedback",
        situation="In het teamoverleg", practised=2, checked=3,
    ))
    # A revision of that week's plan: the latest row is the plan, the counts add up.
    add_records(database, WeeklyPlan(
        person_id=person_id, week_start=date(2026, 3, 2), competence_code="feedback",
        situation="In het klantoverleg", practised=1, checked=1,
    ))
    [second] = add_records(database, WeeklyPlan(
        person_id=person_id, week_start=date(2026, 3, 9), competence_code="samenwerken",
        previous_id=first, follows="adjust", learned="Korter en concreter.",
    ))
    add_records(database, WeeklyPlan(
        person_id=person_id, week_start=date(2026, 3, 16), competence_code="samenwerken",
        previous_id=second, follows="done", learned="",
    ))


def plan_session(database: Engine, organisation_id: int) -> None:
    add_records(
        database,
        CommunitySession(organisation_id=organisation_id, title="Voorbij",
                         starts_at=datetime(2026, 3, 20, 14, 0, tzinfo=UTC)),
        CommunitySession(organisation_id=organisation_id, title="SOL-middag",
                         starts_at=datetime(2026, 4, 14, 13, 30, tzinfo=UTC),
                         location="Utrecht, zaal 2"),
        CommunitySession(organisation_id=organisation_id, title="Later",
                         starts_at=datetime(2026, 5, 12, 13, 30, tzinfo=UTC)),
    )


# -- which month -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "month", "focus_month"),
    [
        (date(2026, 4, 1), date(2026, 3, 1), date(2026, 4, 1)),  # first workday: look back
        (date(2026, 4, 23), date(2026, 3, 1), date(2026, 4, 1)),
        (date(2026, 4, 24), date(2026, 4, 1), date(2026, 5, 1)),  # last week: look ahead
        (date(2026, 12, 28), date(2026, 12, 1), date(2027, 1, 1)),
        (date(2027, 1, 4), date(2026, 12, 1), date(2027, 1, 1)),
        (date(2026, 2, 21), date(2026, 1, 1), date(2026, 2, 1)),
        (date(2026, 2, 22), date(2026, 2, 1), date(2026, 3, 1)),
    ],
)
def test_the_month_reflected_on_and_the_month_of_the_focus(
    today: date, month: date, focus_month: date
) -> None:
    assert reflection_months(today) == (month, focus_month)


# -- the whole reflection --------------------------------------------------------------------


@LOCALES
def test_a_full_monthly_reflection_with_digest_contract_focus_and_sol_session(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = FIRST_WORKDAY
    person_id = meet(engine, chat, database, clock, locale)
    seed_march(database, person_id)
    plan_session(database, organisation_of(database, person_id))

    opening = chat.say(MONTH_WORD[locale])
    intro = joined(opening)
    assert intro.startswith("Hoi Alice!" if locale == "nl" else "Hi Alice!")
    assert says["hour"] in intro
    assert says["looked"] in intro
    assert says["month_focus"] in intro
    assert says["diary"] in intro
    # The one-sentence lessons of March, oldest first; not those of other months.
    assert intro.index("Eerst luisteren, dan pas antwoorden.") < intro.index(
        "Vragen stellen werkt beter dan oplossen."
    )
    assert "februari" not in intro and "april." not in intro
    assert says["plans"] in intro
    assert says["plan_line"] in intro
    assert intro.count("2 maart" if locale == "nl" else "2 March") == 1
    assert says["plan_done"] in intro
    # The latest version of the contract; on 1 April that is still Q1's.
    assert says["contract"] in intro
    assert "Oud doel" not in intro
    assert says["contract_progress"] in question(opening).text

    assert says["went_well"] in question(chat.say("Op weg, het vragen lukt steeds vaker.")).text
    assert says["could_be_better"] in question(chat.say("Ik vroeg elke week om feedback.")).text
    assert says["concrete_next"] in question(chat.say("Ik praat te snel over oplossingen.")).text
    focus = question(chat.say("Bij elk overleg eerst drie vragen stellen."))
    assert says["focus"] in focus.text
    assert focus.multiple
    # What March was about comes first (its focus, then its plans), to continue with easily.
    assert [choice.value for choice in focus.choices[:2]] == ["feedback", "samenwerken"]

    closing = joined(chat.send(values=("samenwerken", "feedback")))
    assert says["saved"] in closing
    assert says["focus_for"] in closing
    assert "“Bij elk overleg eerst drie vragen stellen.”" in closing
    assert says["sol"] in closing
    assert "Voorbij" not in closing and "Later" not in closing
    assert active_flow(database) is None

    kept = reflections(database)[-1]
    assert kept.person_id == person_id
    assert (kept.month, kept.focus_month) == (date(2026, 3, 1), date(2026, 4, 1))
    assert kept.contract_progress == "Op weg, het vragen lukt steeds vaker."
    assert kept.went_well == "Ik vroeg elke week om feedback."
    assert kept.could_be_better == "Ik praat te snel over oplossingen."
    assert kept.concrete_next == "Bij elk overleg eerst drie vragen stellen."
    assert sorted(kept.focus) == ["feedback", "samenwerken"]


@LOCALES
def test_a_third_competence_is_refused_with_an_explanation(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = FIRST_WORKDAY
    meet(engine, chat, database, clock, locale)
    chat.say(MONTH_WORD[locale])
    for answer in ("Goed.", "Beter.", "Concreet."):
        chat.say(answer)

    refused = chat.say("1, 2, 3")
    assert says["too_many"] in joined(refused)
    assert says["focus"] in question(refused).text  # the question stays open
    assert active_flow(database) == "month"
    assert says["too_many"] in joined(chat.send(values=("feedback", "samenwerken", "coachen")))
    assert not reflections(database)

    assert says["saved"] in joined(chat.send(values=("feedback",)))
    [kept] = reflections(database)
    assert kept.focus == ["feedback"]


@LOCALES
def test_an_empty_month_reads_well_for_someone_new(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = FIRST_WORKDAY
    meet(engine, chat, database, clock, locale)

    opening = chat.say(MONTH_WORD[locale])
    intro = joined(opening)
    assert says["empty"] in intro
    assert says["no_contract"] in intro
    assert "0" not in intro.replace("2026", "")  # no zero counts; the year may be named
    # Without a contract there is no progress to ask about: the first question is the next.
    assert says["went_well"] in question(opening).text
    for answer in ("Goed.", "Beter.", "Concreet."):
        chat.say(answer)
    closing = joined(chat.send(values=("reflecteren",)))
    assert says["saved"] in closing
    assert "SOL" not in closing


def test_an_unknown_competence_keeps_the_question_open(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = FIRST_WORKDAY
    meet(engine, chat, database, clock)
    chat.say("maand")
    for answer in ("Goed.", "Beter.", "Concreet."):
        chat.say(answer)
    reply = chat.say("iets wat niet in de lijst staat")
    assert SAYS["nl"]["choose_some"] in joined(reply)
    # Skipping is not possible either: the focus is what the month is for.
    assert active_flow(database) == "month"
    chat.say("overslaan")
    assert active_flow(database) == "month"


def test_late_in_the_month_the_focus_is_for_the_next_month(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    person_id = meet(engine, chat, database, clock)
    seed_march(database, person_id)

    intro = joined(chat.say("maand"))
    assert "Zo zag maart eruit:" in intro
    for answer in ("Voortgang.", "Goed.", "Beter.", "Concreet."):
        chat.say(answer)
    closing = joined(chat.send(values=("coachen",)))
    assert "Je focus voor april: Coachen en begeleiden." in closing
    kept = reflections(database)[-1]
    assert (kept.month, kept.focus_month) == (date(2026, 3, 1), date(2026, 4, 1))


def test_a_reflection_stopped_halfway_is_kept(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = FIRST_WORKDAY
    meet(engine, chat, database, clock)
    chat.say("maand")
    chat.say("Het ging goed met vragen stellen.")
    chat.say("stop")
    [kept] = reflections(database)
    assert kept.went_well == "Het ging goed met vragen stellen."
    assert kept.focus == []
    assert (kept.month, kept.focus_month) == (date(2026, 3, 1), date(2026, 4, 1))


def test_the_scheduler_starts_the_reflection_with_its_digest(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = FIRST_WORKDAY
    person_id = meet(engine, chat, database, clock, "en")
    seed_march(database, person_id)
    sent = engine.start_flow(person_id, "month")
    text = joined([out.message for out in sent])
    assert "This is what March looked like:" in text
    assert all(out.address == chat.address for out in sent)
    assert active_flow(database) == "month"


def test_only_sessions_of_the_persons_own_organisation_are_shown(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    from bot.storage.models import Organisation

    clock.now = FIRST_WORKDAY
    meet(engine, chat, database, clock)
    [other] = add_records(database, Organisation(slug="elders", name="Elders"))
    plan_session(database, other)
    chat.say("maand")
    for answer in ("Goed.", "Beter.", "Concreet."):
        chat.say(answer)
    closing = joined(chat.send(values=("feedback",)))
    assert "SOL" not in closing
