"""The quarter a learning contract plans: it looks three months ahead, so one written in a
quarter's last month is labelled with (and stored for) the coming quarter, and the overview
shows it as the current contract from then on; the previous one stays until it is written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.conversation.coach import Coach
from bot.learning_record.periods import contract_quarters, planned_quarter
from bot.storage.models import LearningContract
from tests.conftest import Clock, joined
from tests.practices.test_contract import SAYS, Person, answers_of, contracts, write_contract
from tests.rigs.records import meet

pytestmark = pytest.mark.usefixtures("no_failed_turns")

OVERVIEW = {"nl": "overzicht", "en": "overview"}
LINE = {"nl": "Leercontract {}: “{}”", "en": "Learning contract {}: “{}”"}
OLD_GOAL = "Vorig kwartaal: beter luisteren."
NEW_GOAL = "Zelf drie klantgesprekken leiden."


@pytest.mark.parametrize(("day", "quarter"), [
    (date(2026, 1, 5), "2026-Q1"),
    (date(2026, 2, 28), "2026-Q1"),
    (date(2026, 3, 1), "2026-Q2"),
    (date(2026, 3, 11), "2026-Q2"),
    (date(2026, 4, 1), "2026-Q2"),
    (date(2026, 6, 30), "2026-Q3"),
    (date(2026, 9, 15), "2026-Q4"),
    (date(2026, 12, 31), "2027-Q1"),
])
def test_a_contract_plans_the_quarter_ahead_of_a_quarters_last_month(
    day: date, quarter: str
) -> None:
    assert planned_quarter(day) == quarter


def test_the_current_contract_is_the_coming_quarters_once_written_else_this_ones() -> None:
    assert contract_quarters(date(2026, 2, 11)) == ("2026-Q1",)
    assert contract_quarters(date(2026, 3, 11)) == ("2026-Q2", "2026-Q1")
    assert contract_quarters(date(2026, 4, 1)) == ("2026-Q2",)
    assert contract_quarters(date(2026, 12, 31)) == ("2027-Q1", "2026-Q4")


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_written_in_march_it_is_labelled_q2_and_in_february_q1(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    clock.now = datetime(2026, 2, 11, 9, 0, tzinfo=UTC)
    alice = Person(engine, "alice")
    meet(engine, alice, database, clock, locale, "Alice")
    assert SAYS[locale]["saved"].format("Q1 2026") in write_contract(alice, locale)
    clock.now = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    assert SAYS[locale]["saved"].format("Q2 2026") in write_contract(alice, locale)
    clock.now = datetime(2026, 12, 31, 9, 0, tzinfo=UTC)
    assert SAYS[locale]["saved"].format("Q1 2027") in write_contract(alice, locale)
    assert [(c.quarter, c.version) for c in contracts(database)] == [
        ("2026-Q1", 1), ("2026-Q2", 1), ("2027-Q1", 1)]


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_overview_shows_the_contract_just_written_in_march(
    locale: str, engine: Coach, clock: Clock, database: Engine
) -> None:
    clock.now = datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    alice = Person(engine, "alice")
    alice_id = meet(engine, alice, database, clock, locale, "Alice")
    with Session(database) as session, session.begin():
        session.add(LearningContract(person_id=alice_id, quarter="2026-Q1", version=1,
                                     goal=OLD_GOAL))
    # Until the next one is written, this quarter's contract stays the current one.
    assert LINE[locale].format("Q1 2026", OLD_GOAL) in joined(alice.say(OVERVIEW[locale]))

    write_contract(alice, locale, values=answers_of(goal=NEW_GOAL))
    shown = joined(alice.say(OVERVIEW[locale]))
    assert LINE[locale].format("Q2 2026", NEW_GOAL) in shown and OLD_GOAL not in shown

    clock.now = datetime(2026, 4, 8, 9, 0, tzinfo=UTC)  # … and in April it is the current one
    assert LINE[locale].format("Q2 2026", NEW_GOAL) in joined(alice.say(OVERVIEW[locale]))
