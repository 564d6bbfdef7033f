"""bot.reports.personal_page: one person's own history for their page, and nobody else's in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.people.directory import default_organisation
from bot.reports.personal_page import history
from bot.storage.models import (
    ContractResponse,
    DiaryEntry,
    LearningCanvas,
    LearningContract,
    MonthlyReflection,
    Person,
    WeeklyPlan,
    YearlyReview,
    table_of,
)
from tests.rigs.records import add_records

AT = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


def people(database: Engine, settings: Settings, *names: str) -> list[int]:
    """People of the default organisation (its catalog seeded), in the order named."""
    with Session(database) as session, session.begin():
        organisation = default_organisation(session, settings).id
    return add_records(database, *(
        Person(organisation_id=organisation, display_name=name, locale="nl",
               timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri",
               diary_time=datetime(2026, 1, 1, 16, 30).time())
        for name in names))


def test_the_diary_newest_first_with_the_weeks_plan_it_asked_about(
        database: Engine, settings: Settings) -> None:
    anna, bob = people(database, settings, "Anna de Vries", "Bob Bakker")
    add_records(database,
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 9), competence_code="feedback",
                   situation="Teamoverleg", approach="Eerst vragen", practised=1, checked=2),
        DiaryEntry(person_id=anna, local_date=date(2026, 3, 9), moments="Maandag",
                   learning="Les 1", value=3, extra={"plan_check": False}),
        DiaryEntry(person_id=anna, local_date=date(2026, 3, 11), moments="Regel 1\nRegel 2",
                   approach="Doorgevraagd", learning="Les 2", value=4,
                   extra={"plan_check": True}),
        DiaryEntry(person_id=anna, local_date=date(2026, 3, 10), learning="Half",
                   complete=False),
        DiaryEntry(person_id=bob, local_date=date(2026, 3, 11), learning="Van Bob"))
    with database.connect() as connection:
        found = history(connection, anna, "nl")
        english = history(connection, anna, "en")
        short = history(connection, anna, "nl", diary_limit=2)
    assert found is not None and english is not None and short is not None
    assert [d.local_date.day for d in found.diary] == [11, 10, 9]
    latest = found.diary[0]
    assert (latest.moments, latest.approach, latest.learning, latest.value) == (
        "Regel 1\nRegel 2", "Doorgevraagd", "Les 2", 4)
    assert (latest.competence, latest.practised) == ("Feedback geven en ontvangen", True)
    assert english.diary[0].competence == "Giving and receiving feedback"
    assert (found.diary[1].competence, found.diary[1].practised, found.diary[1].complete) == (
        "", None, False)
    assert found.diary[2].practised is False
    assert "Van Bob" not in repr(found)
    assert (len(short.diary), short.diary_total) == (2, 3)


def test_plans_with_what_became_of_them(database: Engine, settings: Settings) -> None:
    (anna,) = people(database, settings, "Anna")
    first, revised = add_records(
        database,
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 2), competence_code="feedback",
                   situation="Eerst", practised=1, checked=1),
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 2), competence_code="feedback",
                   situation="Herzien", practised=1, checked=2))
    add_records(database,
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 9), competence_code="samenwerken",
                   previous_id=revised, follows="done", learned="Het werkte."),
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 16), competence_code="gone-code"))
    with database.connect() as connection:
        found = history(connection, anna, "nl")
    assert found is not None and first
    assert [(p.week_start.day, p.competence) for p in found.plans] == [
        (16, "gone-code"), (9, "Samenwerken"), (2, "Feedback geven en ontvangen")]
    march2 = found.plans[-1]
    assert (march2.situation, march2.practised, march2.checked) == ("Herzien", 2, 3)
    assert (march2.outcome, march2.learned) == ("done", "Het werkte.")
    assert found.plans[0].outcome is None


def test_focus_per_month_for_the_chart(database: Engine, settings: Settings) -> None:
    (anna,) = people(database, settings, "Anna")
    add_records(database,
        MonthlyReflection(person_id=anna, month=date(2026, 1, 1), focus_month=date(2026, 2, 1),
                          focus=["feedback"], went_well="Goed"),
        MonthlyReflection(person_id=anna, month=date(2026, 2, 1), focus_month=date(2026, 3, 1),
                          focus=["samenwerken", "feedback"]),
        # A later reflection that stopped before the focus does not undo the choice.
        MonthlyReflection(person_id=anna, month=date(2026, 2, 1), focus_month=date(2026, 3, 1),
                          focus=[]),
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 2), competence_code="feedback"),
        WeeklyPlan(person_id=anna, week_start=date(2026, 3, 9), competence_code="feedback"),
        WeeklyPlan(person_id=anna, week_start=date(2026, 4, 6), competence_code="adviseren"))
    with database.connect() as connection:
        found = history(connection, anna, "nl")
    assert found is not None
    assert [(f.month, f.chosen, f.planned) for f in found.focus] == [
        (date(2026, 2, 1), ("Feedback geven en ontvangen",), ()),
        (date(2026, 3, 1), ("Samenwerken", "Feedback geven en ontvangen"),
         (("Feedback geven en ontvangen", 2),)),
        (date(2026, 4, 1), (), (("Adviesvaardigheid", 1),)),
    ]
    assert [m.month.month for m in found.months] == [2, 2, 1]
    assert found.months[-1].went_well == "Goed"


def test_contracts_per_quarter_with_the_colleagues_response(
        database: Engine, settings: Settings) -> None:
    anna, bob = people(database, settings, "Anna de Vries", "Bob Bakker")
    v1, v2, q4, bobs = add_records(
        database,
        LearningContract(person_id=anna, quarter="2026-Q1", version=1, goal="Eerste",
                         share_consent=True, shared_with_id=bob),
        LearningContract(person_id=anna, quarter="2026-Q1", version=2, goal="Herzien",
                         competences=["feedback"], share_consent=True, shared_with_id=bob),
        LearningContract(person_id=anna, quarter="2025-Q4", version=1, goal="Vorig",
                         share_consent=False, shared_with_id=bob),
        LearningContract(person_id=bob, quarter="2026-Q1", version=1, goal="Van Bob"))
    add_records(database,
        ContractResponse(contract_id=v1, responder_id=bob, response="Mooi begin",
                         created_at=AT),
        ContractResponse(contract_id=v2, responder_id=bob, response="Nog beter",
                         created_at=AT.replace(hour=16)),
        ContractResponse(contract_id=bobs, responder_id=anna, response="Anna aan Bob",
                         created_at=AT))
    with database.connect() as connection:
        found = history(connection, anna, "nl")
    assert found is not None and q4
    assert [(c.label, c.version, c.goal) for c in found.contracts] == [
        ("Q1 2026", 2, "Herzien"), ("Q4 2025", 1, "Vorig")]
    q1 = found.contracts[0]
    assert q1.competences == ("Feedback geven en ontvangen",)
    assert q1.shared_with == "Bob"
    assert [(r.responder, r.text) for r in q1.responses] == [
        ("Bob", "Mooi begin"), ("Bob", "Nog beter")]
    assert (found.contracts[1].shared_with, found.contracts[1].responses) == ("", ())
    assert "Van Bob" not in repr(found) and "Anna aan Bob" not in repr(found)


def test_reviews_canvases_and_an_empty_or_gone_person(
        database: Engine, settings: Settings) -> None:
    anna, new, gone = people(database, settings, "Anna", "Nieuw", "Weg")
    add_records(database,
        YearlyReview(person_id=anna, year=2025, challenging=4, inspiring=2, rewarding=5,
                     next_step="within_job", next_step_notes="Teamleider", proud_of="Het team"),
        LearningCanvas(person_id=anna, organisation_id=1, summary="Samenvatting",
                       confirmed=False, correction="Klopt niet helemaal",
                       plan={"year_1": "Beginnen", "year_3": "Verder"}, created_at=AT))
    with database.begin() as connection:
        connection.execute(update(table_of(Person)).where(table_of(Person).c.id == gone)
                           .values(status="deleted"))
    with database.connect() as connection:
        found = history(connection, anna, "nl")
        empty = history(connection, new, "nl")
        assert history(connection, gone, "nl") is None
        assert history(connection, 999_999, "nl") is None
    assert found is not None and empty is not None
    assert [(r.year, r.challenging, r.next_step, r.proud_of) for r in found.reviews] == [
        (2025, 4, "within_job", "Het team")]
    (canvas,) = found.canvases
    assert (canvas.summary, canvas.correction, canvas.plan) == (
        "Samenvatting", "Klopt niet helemaal", ("Beginnen", "", "Verder", "", ""))
    assert not found.empty
    assert empty.empty and empty.name == "Nieuw" and empty.diary_total == 0
