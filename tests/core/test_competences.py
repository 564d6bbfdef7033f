"""The competence catalog as a choice (`choices_from = "competences"`) and its helpers."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from adapters.terminal import TerminalChat
from bot.conversation.coach import Coach
from bot.core.messages import Question
from bot.core.registry import ChoiceQuery
from bot.learning_record.focus import focus_competences
from bot.organisation.competences import catalog, competence_name, competence_names
from bot.practices import build_registry
from bot.practices.focus.hooks import competence_choices
from bot.privacy.export import find_person
from bot.storage.models import Competence, MonthlyReflection, Organisation, WeeklyPlan
from tests.conftest import Chat

LOCALES = pytest.mark.parametrize("locale", ["nl", "en"])
NAMES = {
    "nl": ("Reflecteren op je werk", "Feedback geven en ontvangen", "Samenwerken"),
    "en": ("Reflecting on your work", "Giving and receiving feedback", "Collaboration"),
}


@pytest.fixture
def organisation_id(chat: Chat, database: Engine) -> int:
    """The default organisation, created (and its catalog seeded) by a first message."""
    chat.say("hallo")
    chat.say("stop")
    with Session(database) as session:
        return find_person(session, "alice").organisation_id


def choices(
    database: Engine, organisation_id: int, locale: str, **context: object
) -> list[tuple[str, str | None]]:
    with database.connect() as connection:
        found = competence_choices(ChoiceQuery(connection, organisation_id, locale, context))
    return [(c.value, c.text) for c in found]


def test_the_source_is_registered() -> None:
    assert build_registry().choice_sources["competences"] is competence_choices


@LOCALES
def test_the_catalog_in_the_persons_language(
    locale: str, database: Engine, organisation_id: int
) -> None:
    listed = choices(database, organisation_id, locale)
    assert len(listed) == 20
    assert listed[0] == ("reflecteren", NAMES[locale][0])
    assert ("feedback", NAMES[locale][1]) in listed
    assert len({value for value, _ in listed}) == 20
    assert all(text for _, text in listed)


def test_codes_first_come_on_top_in_their_order(
    database: Engine, organisation_id: int
) -> None:
    listed = choices(
        database, organisation_id, "nl",
        competences_first=["samenwerken", "feedback", "bestaat-niet", "samenwerken"],
    )
    assert [value for value, _ in listed[:3]] == ["samenwerken", "feedback", "reflecteren"]
    assert len(listed) == 20


def test_a_malformed_first_list_is_ignored(database: Engine, organisation_id: int) -> None:
    listed = choices(database, organisation_id, "nl", competences_first="feedback")
    assert listed[0][0] == "reflecteren"
    listed = choices(database, organisation_id, "nl", competences_first=[3, None, "feedback"])
    assert listed[0][0] == "feedback"


def test_without_a_connection_there_are_no_choices() -> None:
    assert competence_choices(ChoiceQuery(None, 1, "nl", {})) == ()


def test_each_organisation_has_its_own_catalog(
    database: Engine, organisation_id: int
) -> None:
    with Session(database) as session:
        other = Organisation(slug="other", name="Other")
        empty = Organisation(slug="empty", name="Empty")
        session.add_all([other, empty])
        session.flush()
        session.add(
            Competence(
                organisation_id=other.id, code="veilig-werken", discipline_nl="Vak",
                discipline_en="Craft", name_nl="Veilig werken", name_en="Working safely",
            )
        )
        session.commit()
        other_id, empty_id = other.id, empty.id
    assert choices(database, other_id, "en") == [("veilig-werken", "Working safely")]
    # An organisation without a catalog of its own gets the starter catalog.
    assert len(choices(database, empty_id, "nl")) == 20
    with database.connect() as connection:
        assert len(catalog(connection, organisation_id)) == 20
        assert catalog(connection, other_id)[0].discipline("nl") == "Vak"


@LOCALES
def test_names_by_code(locale: str, database: Engine, organisation_id: int) -> None:
    with database.connect() as connection:
        assert competence_name(connection, organisation_id, "feedback", locale) == NAMES[
            locale
        ][1]
        assert competence_name(connection, organisation_id, "weg", locale) == "weg"
        assert competence_name(connection, organisation_id, None, locale) == ""
        assert competence_names(
            connection, organisation_id, ["samenwerken", "", "reflecteren"], locale
        ) == [NAMES[locale][2], NAMES[locale][0]]


def test_focus_competences_of_this_month(database: Engine, organisation_id: int) -> None:
    with Session(database) as session:
        me = find_person(session, "alice").id

        def reflect(focus: list[str], focus_month: date, at: datetime) -> None:
            session.add(
                MonthlyReflection(
                    person_id=me, month=date(2026, 2, 1), focus=focus,
                    focus_month=focus_month, created_at=at,
                )
            )

        reflect(["reflecteren"], date(2026, 2, 1), datetime(2026, 1, 30, tzinfo=UTC))
        session.commit()
        today = date(2026, 3, 11)
        assert focus_competences(session.connection(), me, today) == []
        reflect(["feedback"], date(2026, 3, 1), datetime(2026, 3, 2, tzinfo=UTC))
        reflect(["samenwerken", "feedback"], date(2026, 3, 1), datetime(2026, 3, 5, tzinfo=UTC))
        session.commit()
        assert focus_competences(session.connection(), me, today) == ["samenwerken", "feedback"]
        assert focus_competences(session.connection(), me, date(2026, 2, 20)) == ["reflecteren"]
        assert focus_competences(session.connection(), me + 1, today) == []


@pytest.mark.parametrize(
    "answer", ["Feedback geven en ontvangen", "feedback geven en ontvangen", "FEEDBACK", "5"]
)
def test_choosing_by_name_code_or_number(
    answer: str, chat: Chat, database: Engine
) -> None:
    first = chat.say("weekplan")
    assert next(m for m in first if isinstance(m, Question)).choices[4].value == "feedback"
    chat.say(answer)
    chat.say("teamoverleg")
    chat.say("Ik stel drie vragen.")
    chat.say("morgen")
    with Session(database) as session:
        [plan] = session.scalars(select(WeeklyPlan))
        assert plan.competence_code == "feedback"


def test_the_terminal_lists_numbers_and_takes_a_name(
    engine: Coach, database: Engine
) -> None:
    output = io.StringIO()
    lines = iter(
        ["weekplan", "Samenwerken", "In het project.", "Ik deel elke ochtend een update.",
         "morgen om 9:00"]
    )
    TerminalChat(engine, "tess", output).run(lines)
    shown = output.getvalue()
    assert "  1) Reflecteren op je werk" in shown
    assert "  20) Coachen en begeleiden" in shown
    assert "Je weekplan staat" in shown
    with Session(database) as session:
        [plan] = session.scalars(select(WeeklyPlan))
        assert plan.competence_code == "samenwerken"
