"""A person's overview as a page (`Coach.home`: the Slack App Home, a Teams tab, the web) and
the open question as it was asked (`Coach.open_question`, for a form's modal), in Dutch and
English: both only read, and neither creates anyone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Address, Form, Home, InboundEvent
from bot.organisation import cohorts
from bot.practices.pairing import rounds
from bot.privacy.export import find_person
from bot.storage.models import Cohort, Dialog, Identity, Organisation, Person
from tests.conftest import Chat, Clock
from tests.rigs.overview import THURSDAY, seed
from tests.rigs.records import active_flow, meet

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
ACTIONS = ("diary", "weekplan", "month", "contract", "year", "settings")

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Je overzicht, Alice",
        "headings": "Dagboek vandaag|Focus in maart|Weekplan|Collegagesprek|Leercontract Q2 2026",
        "new_diary": "Nog niets geschreven. Een goede eerste stap: druk op *Dagboek*.",
        "no_focus": "Nog niet gekozen. Druk op *Maandreflectie*",
        "no_plan": "Nog geen plan voor deze week. Druk op *Weekplan*",
        "no_peer": "Nog niet ingepland. Typ *koppel mij*",
        "no_contract": "Nog niet opgesteld. Druk op *Leercontract*",
        "diary": "Vandaag ingevuld: 3 werkdagen op rij.",
        "diary_open": "Vandaag nog niet ingevuld. Je staat op 2 werkdagen op rij; druk op "
                      "*Dagboek* om er 3 van te maken.",
        "focus": "Feedback geven en ontvangen en Samenwerken. Volgende maand: Coachen en "
                 "begeleiden.",
        "plan": "Feedback geven en ontvangen — In het teamoverleg\nWanneer: dinsdagochtend\n"
                "Al 3 keer geoefend.",
        "contract": "“Elke week feedback vragen.”",
        "colleague": "Met Bob, nog niet ingepland.",
        "round": "Met Bob de Vries: plan samen een half uur, uiterlijk woensdag 18 maart.",
        "paused": "Je overzicht, Alice · op pauze tot en met vrijdag 20 maart",
        "stopped": "Je overzicht, Alice · je coaching staat uit",
        "diary_button": "Dagboek",
        "resume_button": "Hervatten",
    },
    "en": {
        "title": "Your overview, Alice",
        "headings": "Today's diary|Focus in March|This week's plan|Peer review|"
                    "Learning contract Q2 2026",
        "new_diary": "Nothing written yet. A good first step: press *Diary*.",
        "no_focus": "Not chosen yet. Press *Monthly reflection*",
        "no_plan": "No plan for this week yet. Press *Weekly plan*",
        "no_peer": "Not planned yet. Type *pair me*",
        "no_contract": "Not drawn up yet. Press *Learning contract*",
        "diary": "Written today: 3 workdays in a row.",
        "diary_open": "Not written yet today. You're on 2 workdays in a row; press *Diary* "
                      "to make it 3.",
        "focus": "Giving and receiving feedback and Collaboration. Next month: Coaching and "
                 "mentoring.",
        "plan": "Giving and receiving feedback — In het teamoverleg\nWhen: dinsdagochtend\n"
                "Practised 3 times so far.",
        "contract": "“Elke week feedback vragen.”",
        "colleague": "With Bob, not planned yet.",
        "round": "With Bob de Vries: plan half an hour together, by Wednesday 18 March.",
        "paused": "Your overview, Alice · paused up to and including Friday 20 March",
        "stopped": "Your overview, Alice · your coaching is off",
        "diary_button": "Diary",
        "resume_button": "Resume",
    },
}


pytestmark = pytest.mark.usefixtures("no_failed_turns")


def home_of(engine: Coach, chat: Chat) -> Home:
    home = engine.home(chat.address)
    assert home is not None
    return home


def section(home: Home, index: int) -> str:
    return home.sections[index].text


def count(database: Engine, model: type[object]) -> int:
    with Session(database) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def bob(engine: Coach, database: Engine, clock: Clock) -> int:
    return meet(engine, Chat(engine, "bob"), database, clock, "nl", "Bob de Vries")


def dialog_row(database: Engine) -> tuple[object, ...]:
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).order_by(Dialog.id.desc()))
        assert dialog is not None
        return (dialog.status, dialog.step_id, dialog.updated_at, dialog.expires_at,
                dialog.end_noticed, dialog.version, dict(dialog.answers))


def last_seen(database: Engine) -> datetime:
    with Session(database) as session:
        return session.scalars(select(Identity.last_seen_at)).one()


# -- the home page -----------------------------------------------------------------------------


def test_a_stranger_has_no_home_and_is_not_created(
    engine: Coach, database: Engine
) -> None:
    stranger = Address("test", "acme", "nobody", "dm-nobody")
    assert engine.home(stranger) is None
    assert engine.open_question(stranger) is None
    assert count(database, Person) == 0 and count(database, Identity) == 0


@LOCALES
def test_someone_new_sees_empty_states_that_say_what_to_press(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    home = home_of(engine, chat)
    assert home.title == says["title"]
    assert "|".join(s.heading for s in home.sections) == says["headings"]
    for index, part in enumerate(("new_diary", "no_focus", "no_plan", "no_peer", "no_contract")):
        assert section(home, index).startswith(says[part]), part
    assert tuple(a.value for a in home.actions) == (*ACTIONS, "pause")
    assert home.actions[0].label == says["diary_button"]
    assert all(engine.prompts.command(a.value) is not None for a in home.actions)
    assert len({a.label for a in home.actions}) == len(home.actions)
    assert active_flow(database) is None and count(database, Dialog) == 0


@LOCALES
def test_diary_focus_plan_and_contract_appear(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = THURSDAY
    person_id = meet(engine, chat, database, clock, locale)
    seed(database, person_id, written_today=True)
    home = home_of(engine, chat)
    assert section(home, 0) == says["diary"]
    assert section(home, 1) == says["focus"]
    assert section(home, 2).startswith(says["plan"].split("\n")[0])
    for line in says["plan"].split("\n"):
        assert line in section(home, 2)
    assert section(home, 4) == says["contract"]
    assert section(home, 3).startswith(says["no_peer"])


@LOCALES
def test_before_todays_diary_the_streak_so_far_counts(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    person_id = meet(engine, chat, database, clock, locale)
    seed(database, person_id, written_today=False)
    assert section(home_of(engine, chat), 0) == SAYS[locale]["diary_open"]


@LOCALES
def test_the_steady_colleague_when_there_is_no_round(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    bob_id = bob(engine, database, clock)
    with Session(database) as session, session.begin():
        find_person(session, "alice").steady_colleague_id = bob_id
    assert section(home_of(engine, chat), 3) == SAYS[locale]["colleague"]


@LOCALES
def test_the_partner_of_the_current_round_and_when_it_ends(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    alice_id = meet(engine, chat, database, clock, locale)
    bob_id = bob(engine, database, clock)
    with database.begin() as connection:
        organisation_id = connection.execute(select(Organisation.id)).scalar_one()
        cohort_id = connection.execute(insert(Cohort).values(
            organisation_id=organisation_id, name="Servicedesk", mode="steady",
            cadence_weeks=1, weekday=3, repair_quarterly=False, next_round_at=THURSDAY,
            created_at=THURSDAY,
        ).returning(Cohort.id)).scalar_one()
        for person in (alice_id, bob_id):
            cohorts.join(connection, cohort_id, person, THURSDAY)
        result = rounds.run_round(connection, cohort_id, THURSDAY, engine.settings.periodic_time)
        assert result.ends_on == date(2026, 3, 18)
        assert cohorts.latest_partners(connection, alice_id) == (("Bob de Vries",),
                                                                 date(2026, 3, 18))
    assert section(home_of(engine, chat), 3) == SAYS[locale]["round"]

    clock.now = datetime(2026, 3, 19, 9, 0, tzinfo=UTC)  # the round is over
    assert section(home_of(engine, chat), 3).startswith(SAYS[locale]["no_peer"])
    clock.now = THURSDAY
    with database.begin() as connection:
        cohorts.leave(connection, cohort_id, alice_id, THURSDAY)
        assert cohorts.latest_partners(connection, alice_id) is None
    assert section(home_of(engine, chat), 3).startswith(SAYS[locale]["no_peer"])


@LOCALES
def test_a_paused_person_gets_resume_and_sees_until_when(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    with Session(database) as session, session.begin():
        person = find_person(session, "alice")
        person.status, person.paused_until = "paused", date(2026, 3, 20)
    home = home_of(engine, chat)
    assert home.title == SAYS[locale]["paused"]
    assert home.actions[-1].value == "resume"
    assert home.actions[-1].label == SAYS[locale]["resume_button"]

    clock.now = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # the pause is over, not yet told
    home = home_of(engine, chat)
    assert home.title == SAYS[locale]["title"] and home.actions[-1].value == "pause"
    with Session(database) as session:
        assert find_person(session, "alice").status == "paused"  # looking changes nothing

    with Session(database) as session, session.begin():
        person = find_person(session, "alice")
        person.status, person.paused_until = "opted_out", None
    home = home_of(engine, chat)
    assert home.title == SAYS[locale]["stopped"] and home.actions[-1].value == "resume"


def test_a_button_runs_its_command(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock)
    diary = home_of(engine, chat).actions[0]
    engine.handle(InboundEvent(chat.address, command=diary.value))
    assert active_flow(database) == "diary"


def test_every_home_text_exists_in_both_languages(engine: Coach) -> None:
    keys = [f"home.{key}" for key in ("title", *(f"{part}.{kind}" for part in (
        "diary", "focus", "week", "peer", "contract") for kind in ("heading", "text")))]
    keys += [f"home.action.{name}" for name in (*ACTIONS, "pause", "resume")]
    for key in keys:
        assert engine.prompts.has_text(key, "nl") and engine.prompts.has_text(key, "en"), key


# -- the open question -------------------------------------------------------------------------


@LOCALES
def test_the_open_question_is_the_contracts_form_and_reading_it_changes_nothing(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    assert engine.open_question(chat.address) is None  # no dialog yet
    asked = [m for m in chat.say("contract") if isinstance(m, Form)]
    assert len(asked) == 1
    before, seen = dialog_row(database), last_seen(database)

    clock.advance(hours=2)  # long enough that a real message would count as a visit
    found = engine.open_question(chat.address)
    assert isinstance(found, Form) and found == asked[0] and found.ref == asked[0].ref
    assert engine.home(chat.address) is not None
    assert dialog_row(database) == before and last_seen(database) == seen
    assert active_flow(database) == "contract"


def test_an_expired_dialog_has_no_open_question_and_is_left_for_the_next_message(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock)
    chat.say("contract")
    before = dialog_row(database)
    clock.advance(days=30)
    assert engine.open_question(chat.address) is None
    assert dialog_row(database) == before  # still active: ended (and told) when they write
    reply = chat.say("hallo")
    # ended now; nothing was written in it, so no "bleef halverwege liggen" (issue 18: a
    # notice about nothing kept, such as a passive partner's, is left out)
    assert not any(getattr(m, "level", None) == "warning" for m in reply)
    assert active_flow(database) is None


def test_the_open_question_of_another_step_is_that_step(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock)
    asked = chat.say("maand")[-1]
    found = engine.open_question(chat.address)
    assert found == asked and not isinstance(found, Form)
    clock.advance(minutes=1)
    assert engine.open_question(chat.address) == found
