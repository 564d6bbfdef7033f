"""The dashboard's grouped queries count what the plain per-person, per-week reading counted,
on organisations with long random histories; history outside the tables' windows changes
nothing; a contract's kept SMART verdict stays right through retention and erasure (SQLite
always, PostgreSQL when configured)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from bot.learning_record.diary import count_streak
from bot.practices.contract.hooks import smart_check
from bot.privacy.erasure import delete_person
from bot.privacy.retention import purge_free_text
from bot.reports import dashboard
from bot.storage.models import (
    Cohort,
    DiaryEntry,
    Goal,
    LearningContract,
    MonthlyReflection,
    Organisation,
    PairingRound,
    PairMember,
    Person,
    Team,
    TeamMember,
    table_of,
)
from tests.rigs.records import insert_row

TODAY = date(2026, 3, 11)  # a Wednesday
JOINED = datetime(2024, 1, 1, 9, tzinfo=UTC)
PATTERNS = ("mon,tue,wed,thu,fri", "mon,tue,thu", "tue,wed,thu,fri,sat", "sat,sun", "")
MEASURABLE = "Eind maart heb ik 5 keer feedback gevraagd."
VAGUE = "Als het goed voelt."


def organisation(connection: Connection, slug: str) -> int:
    return insert_row(connection, Organisation, slug=slug, name=slug, created_at=JOINED)


def people(connection: Connection, org: int, patterns: list[str],
           status: list[str] | None = None) -> list[int]:
    return [
        insert_row(connection, Person, organisation_id=org, display_name="x", locale="nl",
                   timezone="Europe/Amsterdam", workdays=pattern, diary_time=time(16, 30),
                   status=(status or ["active"] * len(patterns))[index], role="participant",
                   schedule_registered=True, created_at=JOINED)
        for index, pattern in enumerate(patterns)
    ]


def teams(connection: Connection, org: int, members: list[list[int]]) -> list[int]:
    found = []
    for number, who in enumerate(members):
        team = insert_row(connection, Team, organisation_id=org, name=f"Team {number}",
                          created_at=JOINED)
        connection.execute(insert(table_of(TeamMember)), [
            {"team_id": team, "person_id": person, "joined_at": JOINED} for person in who])
        found.append(team)
    return found


def diary(connection: Connection, days: dict[int, set[date]]) -> None:
    rows = [{"person_id": person, "local_date": day, "learning": "x", "extra": {},
             "complete": True, "created_at": JOINED}
            for person, written in days.items() for day in sorted(written)]
    # Some days twice: a second entry on a day is still one day.
    rows += [dict(row) for row in rows[::7]]
    if rows:
        connection.execute(insert(table_of(DiaryEntry)), rows)


def history(rng: random.Random, first: date, last: date, keen: float) -> set[date]:
    """Days written from `first` to `last`: runs of every day, and gaps."""
    found: set[date] = set()
    day = first
    while day <= last:
        if rng.random() < keen:
            run = rng.choice((1, 3, 8, 25, 60, 200))
            found.update(day + timedelta(days=i) for i in range(run)
                         if day + timedelta(days=i) <= last and rng.random() < 0.97)
            day += timedelta(days=run)
        day += timedelta(days=rng.randint(1, 4))
    return found


def capped(streak: int) -> int:
    return min(streak, dashboard.STREAK_BUCKETS[-1][0])


# -- the same numbers as the per-person, per-week reading --------------------------------------


def test_streaks_are_the_overviews_count_on_twenty_weeks_whatever_lies_before(db: Engine) -> None:
    for seed in range(6):
        rng = random.Random(seed)
        today = TODAY + timedelta(days=seed)
        with db.begin() as c:
            org = organisation(c, f"streaks{seed}")
            patterns = [rng.choice(PATTERNS) for _ in range(40)]
            who = people(c, org, patterns)
            written = {
                person: history(rng, today - timedelta(weeks=70), today, rng.random())
                for person in who
            }
            diary(c, written)
            found = dashboard._streaks(c, org, dict(zip(who, patterns, strict=True)), today)
        since = today - timedelta(weeks=20)  # all the dashboard ever counted on
        for person, pattern in zip(who, patterns, strict=True):
            dates = {day for day in written[person] if day >= since}
            until = today if today in dates else today - timedelta(days=1)
            assert capped(found[person]) == capped(count_streak(dates, pattern, until)), (
                seed, person, pattern)


def test_writers_of_each_week_are_read_in_one_query_with_the_same_result(db: Engine) -> None:
    rng = random.Random(3)
    with db.begin() as c:
        org = organisation(c, "weeks")
        other = organisation(c, "other")
        who = people(c, org, [rng.choice(PATTERNS) for _ in range(30)])
        stranger = people(c, other, ["mon"])
        written = {person: history(rng, TODAY - timedelta(weeks=60), TODAY, 0.4)
                   for person in who + stranger}
        diary(c, written)
        mondays = [TODAY - timedelta(days=TODAY.weekday(), weeks=back)
                   for back in range(7, -1, -1)]
        masks = dashboard._written_masks(
            c, org, [(monday, monday + timedelta(days=6)) for monday in mondays])
        among = dashboard._written_masks(
            c, org, [(monday, monday + timedelta(days=6)) for monday in mondays],
            among=who[:5])
    for index, monday in enumerate(mondays):
        expected = {person for person in who
                    if any(monday <= day <= monday + timedelta(days=6)
                           for day in written[person])}
        assert {p for p, mask in masks.items() if mask >> index & 1} == expected
        assert {p for p, mask in among.items() if mask >> index & 1} == expected & set(who[:5])
    assert stranger[0] not in masks


def test_peer_reviews_count_each_person_once_per_round(db: Engine) -> None:
    rng = random.Random(5)
    with db.begin() as c:
        org = organisation(c, "peers")
        who = people(c, org, ["mon,tue,wed,thu,fri"] * 36)
        [team] = teams(c, org, [who[:18]])
        cohort = insert_row(c, Cohort, organisation_id=org, name="Cohort", created_at=JOINED)
        said: dict[int, dict[int, list[bool | None]]] = {}
        for number in range(1, 14):
            starts = TODAY - timedelta(weeks=13 - number)
            round_id = insert_row(c, PairingRound, cohort_id=cohort, number=number,
                                  starts_on=starts, ends_on=starts + timedelta(days=6),
                                  created_at=JOINED)
            members = []
            order = who[:]
            rng.shuffle(order)
            groups = [order[i:i + 2] for i in range(0, len(order), 2)]
            mentor = order[0]  # also in two more groups of this round
            groups[3].append(mentor)
            groups[7].append(mentor)
            for group_number, group in enumerate(groups, start=1):
                for person in group:
                    met = rng.choice((True, False, None, None))
                    members.append({"round_id": round_id, "group_number": group_number,
                                    "person_id": person, "met": met})
                    said.setdefault(number, defaultdict(list))[person].append(met)
            c.execute(insert(table_of(PairMember)), members)
        whole = dashboard.peer_reviews(c, org, today=TODAY)
        part = dashboard.peer_reviews(c, org, today=TODAY, team_id=team)

    def expected(scope: set[int]) -> list[tuple[Any, ...]]:
        rows = []
        for number in range(6, 14):  # the rounds that started in the last 8 weeks
            answers = {p: found for p, found in said[number].items() if p in scope}
            met = sum(1 for found in answers.values() if True in found)
            not_met = sum(1 for found in answers.values() if True not in found
                          and False in found)
            cells = dashboard._parts([met, not_met, len(answers) - met - not_met])
            starts = TODAY - timedelta(weeks=13 - number)
            rows.append(("Cohort", number, starts.isoformat(), *dashboard._group(
                len(answers), len(answers), *cells, dashboard._rate(cells[0], len(answers)))))
        return rows

    assert list(whole.rows) == expected(set(who))
    assert list(part.rows) == expected(set(who[:18]))


def test_contracts_count_the_newest_version_by_its_kept_verdict(db: Engine) -> None:
    rng = random.Random(8)
    with db.begin() as c:
        org = organisation(c, "contracts")
        who = people(c, org, ["mon,tue,wed,thu,fri"] * 40)
        [team] = teams(c, org, [who[:20]])
        goals = [insert_row(c, Goal, organisation_id=org, level="business", title=f"Doel {i}",
                            active=True, created_at=JOINED) for i in range(3)]
        newest: dict[tuple[str, int], dict[str, Any]] = {}
        for quarter in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"):
            for person in who:
                for version in range(1, rng.choice((1, 1, 2, 3)) + 1):
                    if rng.random() < 0.2:
                        break
                    row = {"person_id": person, "quarter": quarter, "version": version,
                           "evidence": rng.choice((MEASURABLE, VAGUE, None)),
                           "measurable": rng.choice((True, False, None)),
                           "goal_id": rng.choice((*goals, None)), "competences": [],
                           "share_consent": False, "created_at": JOINED}
                    c.execute(insert(table_of(LearningContract)), [row])
                    newest[(quarter, person)] = row
        tables = {scope: (dashboard.contracts_per_quarter(c, org, today=TODAY, team_id=scope),
                          dashboard.team_goals(c, org, today=TODAY, team_id=scope))
                  for scope in (None, team)}

    for scope, members in ((None, set(who)), (team, set(who[:20]))):
        contracts, goal_table = tables[scope]
        rows = []
        for quarter in ("2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"):
            kept = [row for (q, person), row in newest.items() if q == quarter
                    and person in members]
            measurable = dashboard._count(sum(
                1 for row in kept if (row["measurable"] if row["measurable"] is not None
                                      else smart_check(row["evidence"] or "")["measurable"])))
            rows.append((quarter, *dashboard._group(len(kept), len(kept), measurable,
                                                    dashboard._rate(measurable, len(kept)))))
        assert list(contracts.rows) == rows
        linked = [dashboard._count(sum(1 for (q, person), row in newest.items()
                                       if q == "2026-Q1" and person in members
                                       and row["goal_id"] == goal)) for goal in goals]
        assert goal_table.column("linked_contracts") == linked
    assert any(isinstance(cell, int) and cell for cell in contracts.column("measurable"))


# -- history outside the windows changes nothing ----------------------------------------------


def build(connection: Connection, slug: str, *, old: bool) -> int:
    """The same organisation every time; with `old`, a year of history before what the
    dashboard's windows look at."""
    rng = random.Random(11)
    org = organisation(connection, slug)
    patterns = [rng.choice(PATTERNS[:3]) for _ in range(30)]
    who = people(connection, org, patterns, ["active"] * 28 + ["paused", "opted_out"])
    teams(connection, org, [who[:12], who[12:24], who[24:]])
    recent = TODAY - timedelta(weeks=20) + timedelta(days=1)
    written = {person: history(rng, recent, TODAY, 0.6) for person in who}
    long_ago = {person: history(rng, TODAY - timedelta(weeks=75), recent - timedelta(days=2),
                                0.6) for person in who}
    if old:
        for person, days in long_ago.items():
            written[person] |= days
    diary(connection, written)
    cohort = insert_row(connection, Cohort, organisation_id=org, name="Cohort",
                        created_at=JOINED)
    for number in range(1, 61):
        starts = TODAY - timedelta(weeks=60 - number)
        pairs = [{"group_number": i // 2 + 1, "person_id": person,
                  "met": rng.choice((True, False, None))} for i, person in enumerate(who)]
        if number <= 52 and not old:
            continue
        round_id = insert_row(connection, PairingRound, cohort_id=cohort, number=number,
                              starts_on=starts, ends_on=starts + timedelta(days=6),
                              created_at=JOINED)
        connection.execute(insert(table_of(PairMember)),
                           [{"round_id": round_id, **pair} for pair in pairs])
    for quarter in ("2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"):
        rows = [{"person_id": person, "quarter": quarter, "version": 1,
                 "evidence": rng.choice((MEASURABLE, VAGUE)), "competences": [],
                 "share_consent": False, "created_at": JOINED} for person in who]
        if quarter >= "2025-Q2" or old:
            connection.execute(insert(table_of(LearningContract)), rows)
    for month in range(1, 16):
        focus_month = date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        rows = [{"person_id": person, "month": focus_month, "focus": [rng.choice(
            ("feedback", "samenwerken", "reflecteren"))], "focus_month": focus_month,
            "created_at": JOINED} for person in who]
        if focus_month == TODAY.replace(day=1) or old:
            connection.execute(insert(table_of(MonthlyReflection)), rows)
    return org


def test_history_before_the_windows_changes_no_table(db: Engine) -> None:
    with db.begin() as c:
        recent, year = build(c, "recent", old=False), build(c, "year", old=True)
        shown = dashboard.all_tables(c, recent, today=TODAY)
        assert dashboard.all_tables(c, year, today=TODAY) == shown
    assert any(isinstance(cell, int) and cell > 0 for table in shown for row in table.rows
               for cell in row)


# -- the kept verdict through retention and erasure ----------------------------------------------


def test_the_kept_verdict_survives_the_purge_and_leaves_with_the_person(db: Engine) -> None:
    with db.begin() as c:
        org = organisation(c, "kept")
        who = people(c, org, ["mon,tue,wed,thu,fri"] * 7)
        c.execute(insert(table_of(LearningContract)), [
            {"person_id": person, "quarter": "2026-Q1", "version": 1,
             "evidence": MEASURABLE, "measurable": smart_check(MEASURABLE)["measurable"],
             "competences": [], "share_consent": False,
             "created_at": datetime(2026, 1, 5, tzinfo=UTC)} for person in who])

    def measurable_now() -> list[Any]:
        with db.connect() as c:
            return dashboard.contracts_per_quarter(c, org, today=TODAY).rows[-1][1:3]

    assert measurable_now() == (7, 7)
    with db.begin() as c:  # a year on, with a month of retention: the text goes
        assert purge_free_text(c, datetime(2027, 3, 1, tzinfo=UTC), 1) >= 7
        assert set(c.execute(select(table_of(LearningContract).c.evidence)).scalars()) <= {
            None, ""}
    assert measurable_now() == (7, 7)  # the verdict stays: the counts stay right
    with db.begin() as c:
        delete_person(c, who[0], datetime(2026, 3, 12, tzinfo=UTC))
        delete_person(c, who[1], datetime(2026, 3, 12, tzinfo=UTC))
    assert measurable_now() == (5, 5)
