"""Benchmark: the facilitator dashboard on 8 weeks of history against the same on a year.

The dashboard shows the last 8 weeks, so what it costs should not depend on how much
history lies behind them. One organisation of N people (default 10,000; teams of
`--team-size`, most working Monday to Friday, some four days, a few paused or gone) is
made twice from the same seed, each in its own database, with history written in the order
it happens (oldest rows first): once with 8 weeks behind today, once with a year. The
8-week organisation holds exactly the last 8 weeks of the year's one. History is what the
dashboard reads: diary entries (people write on some workdays of some weeks; a few keen
ones every workday), a weekly peer-review round of everyone in pairs, monthly reflections
with a focus, quarterly learning contracts. Building is untimed (bulk inserts; PostgreSQL
then analyses the tables, as its autovacuum would).

Then, in the same run, `bot.reports.dashboard.all_tables` for the whole organisation is
timed on each (`--repeat` runs after one warm-up, the median; the two take turns, so a
change in the machine's load weighs on both alike). Both must show the same
diary response (the same last 8 weeks), which the bench checks.

`--database-url postgresql://…` runs on PostgreSQL: the two organisations go into two
schemas of that database made for the run (`bench_dashboard_8w`, `bench_dashboard_1y`,
dropped again at the end); nothing else in it is touched. Without it: two SQLite files
in a temporary folder.

Prints progress to stderr and one JSON line last:
{"bench": "dashboard", "people": …, "entries_8w": …, "entries_1y": …, "s_8w": …,
 "s_1y": …, "history_ratio": …, "backend": …, "cpu_8w": …, "cpu_1y": …, "load": …}
(`s_*` wall-clock seconds; `cpu_*` this process's CPU seconds of the same runs, which a
machine shared with other work disturbs less; on PostgreSQL they leave out the server's
work. `load`: the one-minute load average at the end.)
Targets: history_ratio <= 1.3; s_1y <= 1 s for 10,000 people on SQLite.
CI runs it as a smoke run: `--people 10`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.engine import make_url

from bot.due.weekdays import WEEKDAYS
from bot.learning_record.periods import quarter_of
from bot.organisation.catalog import load_catalog
from bot.practices.contract.hooks import smart_check
from bot.reports.dashboard import all_tables
from bot.storage import migrate
from bot.storage.bulk import day_writer, insert_many, instant_writer
from bot.storage.database import create_db_engine
from bot.storage.models import (
    Cohort,
    Competence,
    DiaryEntry,
    Organisation,
    PairingRound,
    Team,
    table_of,
)

TODAY = date(2026, 11, 11)  # a Wednesday
WINDOW_WEEKS = 8
YEAR_WEEKS = 52
FULL_TIME = "mon,tue,wed,thu,fri"
WORKDAYS: tuple[tuple[str, int], ...] = (
    (FULL_TIME, 75), ("mon,tue,wed,thu", 10), ("mon,tue,thu", 8), ("tue,wed,thu,fri", 7),
)
# What people write is not read by the dashboard, but it is what fills the rows the
# database pages through when a query is not served by an index alone.
MOMENT = "Een klant belde boos over een levering die twee keer te laat kwam."
APPROACH = "Ik liet hem eerst uitpraten en vatte toen samen wat ik hoorde."
LEARNING = "Eerst samenvatten haalt de angel eruit, dan pas oplossen."
EVIDENCE = "Mijn teamleider ziet in het kwartaaloverleg drie klantgesprekken terug."
VAGUE = "Dat merk ik vanzelf wel aan hoe het loopt."


@dataclass(frozen=True, slots=True)
class Someone:
    number: int
    team: int
    workdays: frozenset[int]  # weekday numbers, Monday 0
    workdays_text: str
    status: str
    diligence: float  # chance of writing on a workday of an engaged week
    keen: bool  # writes every workday


def population(count: int, team_size: int, seed: int) -> list[Someone]:
    rng = random.Random(seed)
    patterns = [text for text, _ in WORKDAYS]
    weights = [weight for _, weight in WORKDAYS]
    found = []
    for number in range(count):
        pattern = rng.choices(patterns, weights)[0]
        status = "active"
        draw = rng.random()
        if draw < 0.01:
            status = "paused"
        elif draw < 0.02:
            status = "opted_out"
        found.append(Someone(
            number, number // team_size,
            frozenset(WEEKDAYS.index(day) for day in pattern.split(",")), pattern, status,
            min(0.98, max(0.05, rng.gauss(0.65, 0.2))), rng.random() < 0.02,
        ))
    return found


def diary_days(people: Sequence[Someone], first: date, seed: int) -> Iterator[
        tuple[date, list[int]]]:
    """(day, numbers of the people who wrote that day), oldest day first, up to TODAY."""
    rng = random.Random(seed + 1)
    engaged = [True] * len(people)
    day = first
    while day <= TODAY:
        weekday = day.weekday()
        if weekday == 0:  # some weeks one writes, some weeks not
            engaged = [someone.keen or rng.random() < 0.85 for someone in people]
        writers = [
            someone.number for someone in people
            if weekday in someone.workdays and someone.status != "opted_out"
            and engaged[someone.number] and (someone.keen or rng.random() < someone.diligence)
        ]
        yield day, writers
        day += timedelta(days=1)


# -- building one organisation ---------------------------------------------------------------


@dataclass(slots=True)
class Built:
    organisation_id: int
    entries: int


def _one(connection: Any, model: Any, **values: Any) -> int:
    table = table_of(model)
    return int(connection.execute(insert(table).values(**values).returning(table.c.id))
               .scalar_one())


def build(engine: Engine, people: Sequence[Someone], weeks: int, seed: int) -> Built:
    """The organisation with `weeks` of history before TODAY, oldest rows first."""
    monday = TODAY - timedelta(days=TODAY.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    since = datetime.combine(TODAY - timedelta(weeks=YEAR_WEEKS + 2), clock(9), tzinfo=UTC)
    codes = [entry["code"] for entry in load_catalog()]
    with engine.begin() as connection:
        at = instant_writer(connection)
        on = day_writer(connection)
        organisation = _one(connection, Organisation, slug="bench", name="Bench",
                            created_at=since)
        connection.execute(insert(table_of(Competence)), [
            {"organisation_id": organisation, **{key: entry.get(key, "") for key in (
                "code", "discipline_nl", "discipline_en", "name_nl", "name_en",
                "description_nl", "description_en")}} for entry in load_catalog()])
        teams = [_one(connection, Team, organisation_id=organisation, name=f"Team {index}",
                      kind="team", created_at=since)
                 for index in range(people[-1].team + 1)] if people else []
        for start in range(0, len(people), 5_000):
            chunk = people[start:start + 5_000]
            rows_into(
                connection, "people", ("organisation_id", "display_name", "locale", "timezone",
                                       "workdays", "diary_time", "status", "role",
                                       "schedule_registered", "created_at"),
                [(organisation, f"Persoon {s.number}", "nl", "Europe/Amsterdam",
                  s.workdays_text, "16:30:00.000000" if connection.dialect.name == "sqlite"
                  else clock(16, 30), s.status, "participant", True, at(since))
                 for s in chunk])
        ids = [int(i) for i in connection.execute(text(
            "SELECT id FROM people WHERE organisation_id = :o ORDER BY id"), {"o": organisation}
        ).scalars()]
        rows_into(connection, "team_members", ("team_id", "person_id", "joined_at"),
                  [(teams[s.team], ids[s.number], at(since)) for s in people])

        entries = 0
        rows: list[tuple[Any, ...]] = []
        for day, writers in diary_days(people, TODAY - timedelta(weeks=YEAR_WEEKS), seed):
            if day < first:
                continue
            written = at(datetime.combine(day, clock(15, 45), tzinfo=UTC))
            rows += [(ids[n], on(day), MOMENT, APPROACH, LEARNING, 4, "{}", True, written)
                     for n in writers]
            if len(rows) >= 20_000:
                entries += _entries(connection, rows)
                rows = []
        entries += _entries(connection, rows)

        cohort = _one(connection, Cohort, organisation_id=organisation, name="Collegagesprek",
                      mode="steady", cadence_weeks=1, weekday=0, repair_quarterly=False,
                      created_at=since)
        paired = [ids[s.number] for s in people if s.status == "active"]
        rng = random.Random(seed + 2)
        for number in range(1, weeks + 1):
            starts = first + timedelta(weeks=number - 1)
            round_id = _one(connection, PairingRound, cohort_id=cohort, number=number,
                            starts_on=starts, ends_on=starts + timedelta(days=6),
                            created_at=datetime.combine(starts, clock(9), tzinfo=UTC))
            current = starts + timedelta(days=6) >= TODAY
            members = []
            for group, start in enumerate(range(0, len(paired) - 1, 2), start=1):
                silent = rng.random() < (0.7 if current else 0.15)
                met = None if silent else rng.random() < 0.7
                members += [(round_id, group, paired[start], met),
                            (round_id, group, paired[start + 1], met)]
            rows_into(connection, "pair_members", ("round_id", "group_number", "person_id",
                                                   "met"), members)

        month = first.replace(day=1)
        reflections = []
        while month <= TODAY:
            following = (month + timedelta(days=32)).replace(day=1)
            written = at(datetime.combine(following - timedelta(days=1), clock(10), tzinfo=UTC))
            for person in paired:
                if rng.random() < 0.8 and following <= TODAY.replace(day=1):
                    focus = json.dumps(rng.sample(codes[:12], 1 if rng.random() < 0.7 else 2))
                    reflections.append((person, on(month), MOMENT, APPROACH, LEARNING, focus,
                                        on(following), written))
            month = following
        rows_into(connection, "monthly_reflections", (
            "person_id", "month", "went_well", "could_be_better", "concrete_next", "focus",
            "focus_month", "created_at"), reflections)

        quarters = sorted({quarter_of(first + timedelta(days=offset))
                           for offset in range(0, (TODAY - first).days + 1, 7)} |
                          {quarter_of(TODAY)})
        contracts = []
        for quarter in quarters:  # the verdict kept as the contract flow keeps it
            for person in paired:
                if rng.random() < 0.7:
                    evidence = EVIDENCE if rng.random() < 0.6 else VAGUE
                    contracts.append((person, quarter, 1, LEARNING, APPROACH, evidence,
                                      smart_check(evidence)["measurable"], "[]", False,
                                      at(since)))
        rows_into(connection, "learning_contracts", (
            "person_id", "quarter", "version", "goal", "approach", "evidence", "measurable",
            "competences", "share_consent", "created_at"), contracts)
    if engine.dialect.name == "postgresql":  # statistics, as its autovacuum keeps them
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return Built(organisation, entries)


def _entries(connection: Any, rows: list[tuple[Any, ...]]) -> int:
    rows_into(connection, "diary_entries", ("person_id", "local_date", "moments", "approach",
                                            "learning", "value", "extra", "complete",
                                            "created_at"), rows)
    return len(rows)


def rows_into(connection: Any, table: str, columns: Sequence[str],
              rows: Sequence[tuple[Any, ...]]) -> None:
    """Many rows at once: COPY on PostgreSQL (ten times faster than INSERTs there),
    multi-row INSERTs on SQLite."""
    if connection.dialect.name != "postgresql":
        insert_many(connection, f"INSERT INTO {table} ({', '.join(columns)})",
                    f"({', '.join('?' for _ in columns)})", rows)
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.close()


# -- timing ----------------------------------------------------------------------------------


def timed(sides: Sequence[tuple[Engine, int]], repeat: int) -> list[tuple[float, float, Any]]:
    """Per side (engine, organisation): the medians of `repeat` runs of all_tables after a
    warm-up (wall clock, and this process's CPU time), and what it showed. The sides take
    turns run by run, so a change in the machine's load weighs on both alike."""
    times: list[list[float]] = [[] for _ in sides]
    cpu: list[list[float]] = [[] for _ in sides]
    shown: list[Any] = [None for _ in sides]
    for run in range(repeat + 1):
        for index, (engine, organisation) in enumerate(sides):
            with engine.connect() as connection:
                start, start_cpu = time.perf_counter(), time.process_time()
                shown[index] = all_tables(connection, organisation, today=TODAY)
                elapsed, used = time.perf_counter() - start, time.process_time() - start_cpu
            if run:
                times[index].append(elapsed)
                cpu[index].append(used)
    return [(statistics.median(times[index]), statistics.median(cpu[index]), shown[index])
            for index in range(len(sides))]


@contextmanager
def databases(url: str | None) -> Iterator[tuple[str, list[Engine]]]:
    """Two migrated, empty databases: SQLite files, or two fresh schemas on PostgreSQL."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engines = [create_db_engine(f"sqlite:///{Path(folder) / f'{name}.db'}")
                       for name in ("8w", "1y")]
            try:
                for engine in engines:
                    migrate.upgrade(engine)
                yield "sqlite", engines
            finally:
                for engine in engines:
                    engine.dispose()
        return
    schemas = ("bench_dashboard_8w", "bench_dashboard_1y")
    admin = create_db_engine(url)
    backend = admin.dialect.name
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines = [create_db_engine(make_url(url).update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False))
        for schema in schemas]
    try:
        for engine in engines:
            migrate.upgrade(engine)
        yield backend, engines
    finally:
        for engine in engines:
            engine.dispose()
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="people (10000)")
    parser.add_argument("--team-size", type=int, default=100, help="people per team (100)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs, median (5)")
    parser.add_argument("--seed", type=int, default=20, help="seed of people and history")
    parser.add_argument("--database-url", help="PostgreSQL to run on (default: SQLite files)")
    args = parser.parse_args()
    people = population(args.people, args.team_size, args.seed)
    with databases(args.database_url) as (backend, (short, long)):
        started = time.perf_counter()
        eight = build(short, people, WINDOW_WEEKS, args.seed)
        year = build(long, people, YEAR_WEEKS, args.seed)
        print(f"built {eight.entries} and {year.entries} diary entries on {backend} in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        (s_8w, cpu_8w, shown_8w), (s_1y, cpu_1y, shown_1y) = timed(
            [(short, eight.organisation_id), (long, year.organisation_id)], args.repeat)
        with long.connect() as connection:
            assert connection.execute(select(func.count()).select_from(
                table_of(DiaryEntry))).scalar_one() == year.entries
    if shown_8w[0] != shown_1y[0]:
        raise AssertionError("the diary response of the same last 8 weeks differs")
    print(f"all_tables: {s_8w:.3f} s on 8 weeks, {s_1y:.3f} s on a year", file=sys.stderr)
    print(json.dumps({
        "bench": "dashboard",
        "people": args.people,
        "entries_8w": eight.entries,
        "entries_1y": year.entries,
        "s_8w": round(s_8w, 4),
        "s_1y": round(s_1y, 4),
        "history_ratio": round(s_1y / s_8w, 3) if s_8w else None,
        "backend": backend,
        "cpu_8w": round(cpu_8w, 4),
        "cpu_1y": round(cpu_1y, 4),
        "load": round(os.getloadavg()[0], 1),
    }))


if __name__ == "__main__":
    main()
