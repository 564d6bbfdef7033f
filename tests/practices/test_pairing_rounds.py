"""Cohorts and their rounds against a real database (SQLite always, PostgreSQL when set):
who is paired, what each person hears, "did you meet?", joining and leaving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from bot.core.messages import Question
from bot.organisation import cohorts
from bot.practices.pairing import rounds
from bot.storage.models import (
    Cohort,
    CohortMember,
    Delivery,
    Identity,
    NeverPair,
    Organisation,
    PairMember,
)
from tests.conftest import Chat, joined
from tests.rigs.scheduler_rig import MONDAY, Rig, open_rig

ROUND_START = MONDAY.replace(hour=8, minute=30)  # 09:30 in Amsterdam


@pytest.fixture
def rig(database_url: str) -> Rig:
    rig = open_rig(database_url, reminder_minutes=0)
    yield rig  # type: ignore[misc]
    rig.engine.close()
    rig.database.dispose()


def people(rig: Rig, count: int) -> dict[str, Chat]:
    chats = {}
    for number in range(count):
        name = f"p{number}"
        rig.clock.now = MONDAY.replace(hour=7)
        chat = Chat(rig.engine, name, platform="fake")
        chat.send(text="hallo", display_name=f"Persoon {number}")
        chat.say("stop")
        chats[name] = chat
    return chats


def person_id(rig: Rig, chat: Chat) -> int:
    with rig.database.connect() as connection:
        return int(connection.execute(
            select(Identity.person_id).where(Identity.external_id == chat.address.person)
        ).scalar_one())


def cohort(rig: Rig, chats: dict[str, Chat], mode: str = "steady", **members: object) -> int:
    ids = {name: person_id(rig, chat) for name, chat in chats.items()}
    with rig.database.begin() as connection:
        organisation_id = connection.execute(select(Organisation.id)).scalar_one()
        cohort_id = connection.execute(insert(Cohort.__table__).values(
            organisation_id=organisation_id, name="Servicedesk", mode=mode, cadence_weeks=1,
            weekday=0, repair_quarterly=False, next_round_at=ROUND_START, created_at=MONDAY,
        ).returning(Cohort.id)).scalar_one()
        for name in chats:
            role = members.get(name, "participant")
            cohorts.join(connection, cohort_id, ids[name], MONDAY,
                        role=str(role).split(":")[0],
                        capacity=int(str(role).split(":")[1]) if ":" in str(role) else 1)
    return cohort_id


def run(rig: Rig, cohort_id: int, at: datetime) -> rounds.RoundResult:
    rig.clock.now = at
    with rig.database.begin() as connection:
        return rounds.run_round(connection, cohort_id, at, rig.engine.settings.periodic_time)


def groups_of(result: rounds.RoundResult) -> set[frozenset[int]]:
    return {frozenset(group) for group in result.groups}


def test_an_odd_cohort_gets_one_trio_and_everyone_hears_their_partners(rig: Rig) -> None:
    chats = people(rig, 5)
    cohort_id = cohort(rig, chats)
    result = run(rig, cohort_id, ROUND_START)
    sizes = sorted(len(group) for group in result.groups)
    assert sizes == [2, 3]
    assert sorted(p for group in result.groups for p in group) == sorted(
        person_id(rig, chat) for chat in chats.values())
    rig.dispatch(ROUND_START)
    texts = rig.platform.texts()
    assert texts.count("Tijd voor jullie peer review!") == 5
    assert "Persoon" in texts and "Plan-Do-Check-Act" in texts
    assert "Hebben jullie al een moment?" in texts


def test_steady_partners_stay_and_a_leaver_mid_cycle_leaves_no_one_alone(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, chats)
    first = run(rig, cohort_id, ROUND_START)
    second = run(rig, cohort_id, ROUND_START + timedelta(weeks=1))
    assert groups_of(second) == groups_of(first)
    leaver = first.groups[0][0]
    with rig.database.begin() as connection:
        cohorts.leave(connection, cohort_id, leaver, MONDAY + timedelta(days=8))
    third = run(rig, cohort_id, ROUND_START + timedelta(weeks=2))
    assert [len(group) for group in third.groups] == [3]  # the orphan joins the other pair
    assert leaver not in {p for group in third.groups for p in group}


def test_paused_people_are_left_out_and_told_nothing(rig: Rig) -> None:
    chats = people(rig, 3)
    cohort_id = cohort(rig, chats)
    rig.clock.now = MONDAY.replace(hour=7, minute=30)
    chats["p2"].say("pauze tot en met vrijdag")
    result = run(rig, cohort_id, ROUND_START)
    paused = person_id(rig, chats["p2"])
    assert result.left_out == [paused] and len(result.groups) == 1
    with rig.database.connect() as connection:
        told = connection.execute(select(Delivery.person_id)).scalars().all()
    assert paused not in told


def test_rotating_pairs_avoid_repeats_round_after_round(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, chats, mode="rotating")
    seen: set[frozenset[int]] = set()
    for week in range(3):
        result = run(rig, cohort_id, ROUND_START + timedelta(weeks=week))
        assert not seen & groups_of(result)
        seen |= groups_of(result)
    assert len(seen) == 6  # every possible pair once


def test_never_pair_rules_are_honoured(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, chats, mode="rotating")
    boss, report = person_id(rig, chats["p0"]), person_id(rig, chats["p1"])
    with rig.database.begin() as connection:
        organisation_id = connection.execute(select(Organisation.id)).scalar_one()
        connection.execute(insert(NeverPair.__table__).values(
            organisation_id=organisation_id, person_a=min(boss, report),
            person_b=max(boss, report), reason="manager and report"))
    for week in range(4):
        result = run(rig, cohort_id, ROUND_START + timedelta(weeks=week))
        assert frozenset((boss, report)) not in groups_of(result)


def test_mentors_take_no_more_mentees_than_their_capacity(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, chats, mode="mentoring", p0="mentor:2", p1="mentee",
                       p2="mentee", p3="mentee")
    result = run(rig, cohort_id, ROUND_START)
    mentor = person_id(rig, chats["p0"])
    assert len(result.groups) == 2 and all(group[0] == mentor for group in result.groups)
    assert len(result.alone) == 1  # the third mentee: no capacity left, and told so
    rig.dispatch(ROUND_START)
    texts = rig.platform.texts()
    assert "niemand om mee te koppelen" in texts
    # the programme's own check-in, for both sides; the mentor's names both mentees
    assert texts.count("Tijd voor een check-in met je mentor") == 2
    mentor_intro = next(line for line in texts.split("\n")
                        if line.startswith("Tijd voor een check-in met ") and "jij bent mentor"
                        in line)
    mentees = [n for n, chat in chats.items() if n != "p0"
               and person_id(rig, chat) in {g[1] for g in result.groups}]
    assert all(f"Persoon {name[1:]}" in mentor_intro or name in mentor_intro
               for name in mentees), mentor_intro
    assert "Tijd voor jullie peer review" not in texts


def test_a_single_participant_is_told_there_is_nobody_this_round(rig: Rig) -> None:
    chats = people(rig, 1)
    cohort_id = cohort(rig, chats)
    result = run(rig, cohort_id, ROUND_START)
    assert result.groups == [] and len(result.alone) == 1
    rig.dispatch(ROUND_START)
    assert "niemand om mee te koppelen" in rig.platform.texts()


def test_did_you_meet_then_next_weeks_plan(rig: Rig) -> None:
    chats = people(rig, 2)
    cohort_id = cohort(rig, chats)
    run(rig, cohort_id, ROUND_START)
    rig.dispatch(ROUND_START)
    chat = chats["p0"]
    rig.clock.now = ROUND_START + timedelta(minutes=5)
    chat.say("1")  # it's in the calendar
    sunday = ROUND_START + timedelta(days=6)
    rig.dispatch(sunday)
    assert "elkaar deze week gesproken?" in rig.platform.texts()
    rig.clock.now = sunday + timedelta(minutes=5)
    assert "Wat neem je mee" in chat.say_text("ja")
    after = chat.say("Doorvragen werkt")
    assert "Laten we meteen je plan" in joined(after)
    assert any(isinstance(message, Question) for message in after)  # the weekly plan starts
    with rig.database.connect() as connection:
        met = connection.execute(select(PairMember.met).where(
            PairMember.person_id == person_id(rig, chat))).scalar_one()
    assert met is True


def test_three_rounds_without_meeting_bring_the_pause_question(rig: Rig) -> None:
    chats = people(rig, 2)
    cohort_id = cohort(rig, chats)
    chat = chats["p0"]
    for week in range(3):
        start = ROUND_START + timedelta(weeks=week)
        run(rig, cohort_id, start)
        rig.dispatch(start)
        rig.clock.now = start + timedelta(minutes=5)
        chat.say("1")
        check = start + timedelta(days=6)
        rig.dispatch(check)
        rig.clock.now = check + timedelta(minutes=5)
        reply = chat.say_text("nee")
        if week < 2:
            assert "Volgende ronde een nieuwe kans" in reply
    assert "Zal ik je voorlopig niet meer koppelen?" in reply
    assert "ik koppel je voorlopig niet meer" in chat.say_text("ja")
    with rig.database.connect() as connection:
        left = connection.execute(select(CohortMember.left_at).where(
            CohortMember.person_id == person_id(rig, chat))).scalar_one()
    assert left is not None


def test_joining_leaving_and_a_new_partner_from_the_chat(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, {})
    for chat in chats.values():
        assert "Je doet mee met de peer review in *Servicedesk*" in chat.say_text("koppel mij")
    assert "al mee" in chats["p0"].say_text("koppel mij")
    first = run(rig, cohort_id, ROUND_START)
    rig.clock.now = ROUND_START + timedelta(days=1)
    assert "andere collega" in chats["p0"].say_text("nieuwe collega")
    second = run(rig, cohort_id, ROUND_START + timedelta(weeks=1))
    me = person_id(rig, chats["p0"])
    mine = next(group for group in first.groups if me in group)
    assert frozenset(mine) not in groups_of(second)
    assert "niet meer mee" in chats["p3"].say_text("niet meer koppelen")
    assert "doet nu niet mee" in chats["p3"].say_text("niet meer koppelen")


def test_joining_without_any_cohort_says_so(rig: Rig) -> None:
    chats = people(rig, 1)
    assert "Er is nog geen peer-reviewgroep" in chats["p0"].say_text("koppel mij")
    assert "doet nu niet mee" in chats["p0"].say_text("nieuwe collega")


def test_the_scheduler_starts_due_rounds_and_moves_the_next(rig: Rig) -> None:
    from scheduler.ticks import Ticks

    chats = people(rig, 2)
    cohort_id = cohort(rig, chats)
    runtime = type("RuntimeLike", (), {"database": rig.database, "settings": rig.engine.settings,
                                       "engine": rig.engine})()
    ticks = Ticks(runtime, {"fake": rig.platform})  # type: ignore[arg-type]
    assert ticks.start_rounds(ROUND_START - timedelta(minutes=1)) == []
    started = ticks.start_rounds(ROUND_START)
    assert [(r.cohort, r.number) for r in started] == [("Servicedesk", 1)]
    assert ticks.start_rounds(ROUND_START) == []  # not twice
    with rig.database.connect() as connection:
        following = connection.execute(select(Cohort.next_round_at).where(
            Cohort.id == cohort_id)).scalar_one()
    assert following == ROUND_START + timedelta(weeks=1)


def test_steady_partners_change_at_the_quarter_when_so_configured(rig: Rig) -> None:
    chats = people(rig, 4)
    cohort_id = cohort(rig, chats)
    with rig.database.begin() as connection:
        connection.execute(Cohort.__table__.update().values(repair_quarterly=True))
    december = datetime(2026, 12, 28, 8, 30, tzinfo=UTC)
    first = run(rig, cohort_id, december)
    assert groups_of(run(rig, cohort_id, december + timedelta(days=1))) == groups_of(first)
    january = run(rig, cohort_id, datetime(2027, 1, 4, 8, 30, tzinfo=UTC))
    assert not groups_of(january) & groups_of(first)  # a new quarter: everyone re-paired


@pytest.mark.parametrize("cadence", [1, 2, 4])
def test_the_next_round_is_a_whole_cadence_after_this_one(cadence: int) -> None:
    from datetime import time as clock_time

    start = datetime(2026, 6, 1, 7, 30, 5, tzinfo=UTC)  # Monday 09:30:05 in Amsterdam
    following = rounds.next_round_at(0, clock_time(9, 30), "Europe/Amsterdam", start, cadence)
    assert following == datetime(2026, 6, 1, 7, 30, tzinfo=UTC) + timedelta(weeks=cadence)
    first = rounds.next_round_at(0, clock_time(9, 30), "Europe/Amsterdam",
                                 datetime(2026, 5, 31, 12, tzinfo=UTC), cadence, first=True)
    assert first == datetime(2026, 6, 1, 7, 30, tzinfo=UTC)
