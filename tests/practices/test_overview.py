"""`overzicht` / `overview`, in Dutch and English: where someone stands in the rhythm, with
empty states that read well for someone new."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.core.messages import Text
from bot.privacy.export import find_person
from bot.storage.models import (
    Dialog,
)
from tests.conftest import Chat, Clock, joined
from tests.rigs.overview import THURSDAY, seed
from tests.rigs.records import active_flow, meet

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
OVERVIEW_WORD = {"nl": "overzicht", "en": "overview"}
# Thursday 12 March 2026, afternoon in Amsterdam.

SAYS: dict[str, dict[str, str]] = {
    "nl": {
        "welcome": "Hier komt je overzicht te staan. Het is nog leeg, en dat is prima",
        "header": "Je overzicht, Alice:",
        "no_focus": "• Focus deze maand: nog niet gekozen. Typ *maand*",
        "no_plan": "• Weekplan: nog geen plan voor deze week. Typ *weekplan*",
        "no_streak": "• Dagboek: nog geen reeks. Typ *dagboek*",
        "no_contract": "• Leercontract Q2 2026: nog niet opgesteld. Typ *contract*",
        "no_peer": "• Collegagesprek: nog niet ingepland. Zodra je een vaste collega hebt",
        "focus": "• Focus deze maand: Feedback geven en ontvangen en Samenwerken.",
        "coming": "Volgende maand: Coachen en begeleiden.",
        "plan": "• Weekplan: Feedback geven en ontvangen — In het teamoverleg "
                "(wanneer: dinsdagochtend). Al 3 keer geoefend.",
        "streak": "• Dagboek: 3 werkdagen op rij.",
        "streak_open": "• Dagboek: 2 werkdagen op rij; vandaag nog niet ingevuld.",
        "contract": "• Leercontract Q1 2026: “Elke week feedback vragen.”",
        "peer": "• Collegagesprek: met Bob, nog niet ingepland.",
        "open": "Je maandreflectie loopt nog: antwoord gewoon verder op de open vraag.",
    },
    "en": {
        "welcome": "This is where your overview will be. It's still empty, and that's fine",
        "header": "Your overview, Alice:",
        "no_focus": "• Focus this month: not chosen yet. Type *month*",
        "no_plan": "• Weekly plan: no plan for this week yet. Type *plan*",
        "no_streak": "• Diary: no streak yet. Type *diary*",
        "no_contract": "• Learning contract Q2 2026: not drawn up yet. Type *contract*",
        "no_peer": "• Peer review: not planned yet. Once you have a steady colleague",
        "focus": "• Focus this month: Giving and receiving feedback and Collaboration.",
        "coming": "Next month: Coaching and mentoring.",
        "plan": "• Weekly plan: Giving and receiving feedback — In het teamoverleg "
                "(when: dinsdagochtend). Practised 3 times so far.",
        "streak": "• Diary: 3 workdays in a row.",
        "streak_open": "• Diary: 2 workdays in a row; today's still to come.",
        "contract": "• Learning contract Q1 2026: “Elke week feedback vragen.”",
        "peer": "• Peer review: with Bob, not planned yet.",
        "open": "Your monthly reflection is still open: just carry on answering",
    },
}


pytestmark = pytest.mark.usefixtures("no_failed_turns")




@LOCALES
def test_the_overview_of_someone_new_says_how_to_begin(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    reply = chat.say(OVERVIEW_WORD[locale])
    assert len(reply) == 1 and isinstance(reply[0], Text)
    text = joined(reply)
    for part in ("welcome", "header", "no_focus", "no_plan", "no_streak", "no_contract",
                 "no_peer"):
        assert says[part] in text, part
    assert "0" not in text.replace("2026", "")
    assert active_flow(database) is None


@LOCALES
def test_the_overview_with_focus_plan_streak_contract_and_colleague(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    says = SAYS[locale]
    clock.now = THURSDAY
    person_id = meet(engine, chat, database, clock, locale)
    bob = Chat(engine, "bob")
    bob_id = meet(engine, bob, database, clock, "nl", "Bob de Vries")
    with Session(database) as session, session.begin():
        find_person(session, "alice").steady_colleague_id = bob_id
    seed(database, person_id, written_today=True)

    text = chat.say_text(OVERVIEW_WORD[locale])
    assert says["welcome"] not in text
    for part in ("header", "focus", "coming", "plan", "streak", "contract", "peer"):
        assert says[part] in text, part
    assert "Eerste." not in text and "Oud." not in text


@LOCALES
def test_before_todays_diary_the_streak_up_to_yesterday_counts(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    person_id = meet(engine, chat, database, clock, locale)
    seed(database, person_id, written_today=False)
    text = chat.say_text(OVERVIEW_WORD[locale])
    assert SAYS[locale]["streak_open"] in text
    assert SAYS[locale]["no_peer"] in text


def test_a_plan_of_another_week_is_not_this_weeks(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = datetime(2026, 3, 17, 9, 0, tzinfo=UTC)  # the Tuesday after
    person_id = meet(engine, chat, database, clock)
    seed(database, person_id, written_today=True)
    text = chat.say_text("overzicht")
    assert SAYS["nl"]["no_plan"] in text
    assert SAYS["nl"]["focus"] in text


@LOCALES
def test_the_overview_in_the_middle_of_a_reflection_leaves_it_open(
    locale: str, engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock, locale)
    chat.say("maand" if locale == "nl" else "month")
    text = chat.say_text(OVERVIEW_WORD[locale])
    assert SAYS[locale]["open"] in text
    assert active_flow(database) == "month"
    chat.say("Het ging goed.")
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        assert dialog is not None and dialog.answers == {"went_well": "Het ging goed."}


def test_overview_followed_by_more_words_is_not_the_command(
    engine: Coach, chat: Chat, clock: Clock, database: Engine
) -> None:
    clock.now = THURSDAY
    meet(engine, chat, database, clock)
    chat.say("maand")
    # A whole sentence is an answer to the open question, never the command.
    chat.say("Overzicht houden lukte goed deze maand.")
    with Session(database) as session:
        dialog = session.scalar(select(Dialog).where(Dialog.status == "active"))
        assert dialog is not None
        assert dialog.answers == {"went_well": "Overzicht houden lukte goed deze maand."}
