"""`leercoach demo`: a demo organisation that is rebuilt in place, leaves every other
organisation alone, is never messaged, and fills every dashboard table (with the small
management team suppressed)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Engine, func, insert, select

from adapters.cli.main import main
from bot import clock, demo
from bot.due import schedule_store
from bot.practices.pairing import rounds
from bot.practices.work_sessions import records as ws
from bot.reports import dashboard
from bot.reports.dashboard import SUPPRESSED, Suppressed, Term
from bot.storage.models import (
    Base,
    DiaryEntry,
    Goal,
    Organisation,
    Person,
    Team,
    TeamMember,
    table_of,
)
from tests.rigs.records import insert_row

NOW = clock.now().replace(microsecond=0)  # the suite's clock (tests/rigs/clocks.py)
TODAY = NOW.astimezone(ZoneInfo(demo.TIMEZONE)).date()
JOINED = datetime(2026, 1, 1, tzinfo=UTC)


def other_organisation(connection: Connection, slug: str = "acme", name: str = "Acme") -> int:
    org = insert_row(connection, Organisation, slug=slug, name=name, created_at=JOINED)
    team = insert_row(connection, Team, organisation_id=org, name="Servicedesk", created_at=JOINED)
    person = insert_row(connection, Person, organisation_id=org, display_name="Echte Mens",
                 locale="nl", timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri",
                 diary_time=time(16, 30), status="active", role="participant",
                 created_at=JOINED)
    connection.execute(insert(table_of(TeamMember)).values(team_id=team, person_id=person,
                                                           joined_at=JOINED))
    insert_row(connection, DiaryEntry, person_id=person, local_date=TODAY, learning="echt",
               extra={}, complete=True, created_at=JOINED)
    insert_row(connection, Goal, organisation_id=org, team_id=team, level="team", title="Echt doel",
        description="", period="", active=True, created_at=JOINED)
    return org


def snapshot(connection: Connection, org: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of one organisation's own tables, as they are."""
    people = select(Person.id).where(Person.organisation_id == org)
    found = {}
    for model, where in (
        (Organisation, Organisation.id == org),
        (Person, Person.organisation_id == org),
        (Team, Team.organisation_id == org),
        (Goal, Goal.organisation_id == org),
        (DiaryEntry, DiaryEntry.person_id.in_(people)),
        (TeamMember, TeamMember.person_id.in_(people)),
    ):
        table = table_of(model)
        found[table.name] = sorted(tuple(row) for row in connection.execute(
            select(table).where(where)))
    return found


def counts(connection: Connection) -> dict[str, int]:
    return {table.name: int(connection.execute(select(func.count()).select_from(table))
                            .scalar_one())
            for table in Base.metadata.sorted_tables}


def build(db: Engine, **options: Any) -> demo.DemoReport:
    with db.begin() as connection:
        return demo.build_demo(connection, now=NOW, **options)


def test_demo_twice_gives_the_same_counts_and_leaves_others_alone(db: Engine) -> None:
    with db.begin() as connection:
        acme = other_organisation(connection)
        before = snapshot(connection, acme)
    first = build(db)
    with db.connect() as connection:
        once = counts(connection)
    second = build(db)
    with db.connect() as connection:
        assert counts(connection) == once
        assert snapshot(connection, acme) == before
        names = connection.execute(select(Person.display_name).where(
            Person.organisation_id == first.organisation_id)).scalars().all()
        organisation = connection.execute(select(Organisation.name).where(
            Organisation.id == first.organisation_id)).scalar_one()
    assert (first.rebuilt, second.rebuilt) == (False, True)
    assert {**asdict(first), "rebuilt": True} == asdict(second)
    assert organisation == demo.DEMO_NAME
    assert len(names) == first.people == 40 and all(n.endswith(" (demo)") for n in names)
    assert first.teams == 5 and first.rounds == 8 and first.cases == 2
    assert first.diary_entries > 300 and first.contracts > 10 and first.work_sessions >= 2
    assert once["diary_entries"] == first.diary_entries + 1  # and acme's one entry


def test_another_seed_another_demo_and_a_real_organisation_is_refused(db: Engine) -> None:
    with db.begin() as connection:
        real = other_organisation(connection, slug="demo", name="Echt bedrijf")
        before = snapshot(connection, real)
    with pytest.raises(demo.DemoError, match="not a demo organisation"):
        build(db)
    other = build(db, slug="demo2", seed=7)
    with db.connect() as connection:
        assert snapshot(connection, real) == before
    assert other.people == 40 and not other.rebuilt


def test_nobody_in_the_demo_is_ever_messaged(db: Engine) -> None:
    report = build(db)
    later = NOW + timedelta(days=400)
    with db.begin() as connection:
        assert schedule_store.unregistered(connection, 1000) == []
        assert rounds.due_cohorts(connection, later) == []
        assert ws.due_series(connection, later) == []
        statuses = set(connection.execute(select(Person.status).where(
            Person.organisation_id == report.organisation_id)).scalars())
    assert "active" in statuses


def test_the_dashboard_on_the_demo(db: Engine) -> None:
    report = build(db)
    org = report.organisation_id
    with db.connect() as connection:
        tables = {t.key: t for t in dashboard.all_tables(connection, org, today=TODAY)}
        small = dict(dashboard.teams(connection, org))
        [management] = [i for i, name in small.items() if name == demo.SMALL_TEAM]
        alone = dashboard.all_tables(connection, org, today=TODAY, team_id=management)
        per_team = [dashboard.all_tables(connection, org, today=TODAY, team_id=i, locale="en")
                    for i in small]
    assert all(table.rows for table in tables.values())

    diary = tables["diary_response"]
    assert len(diary.rows) == 8 * 6  # eight weeks, five teams and the organisation
    whole = [row for row in diary.rows if row[1] == Term("organisation")]
    assert all(isinstance(row[2], int) and row[2] >= 35 for row in whole)
    assert all(isinstance(row[4], float) and 0 < row[4] <= 1 for row in whole[:-1])
    rates = {row[4] for row in diary.rows if isinstance(row[4], float)}
    assert len(rates) > 3  # response varies per team and week
    assert all(row[2:] == (SUPPRESSED,) * 3 for row in diary.rows if row[1] == demo.SMALL_TEAM)
    assert sum(isinstance(row[3], int) for row in diary.rows) > 12  # many numbers show

    streaks = tables["streaks"]
    assert streaks.rows[-1][0] == Term("total") and streaks.rows[-1][1] == 38
    assert streaks.column("people")[-2] not in (0, None)  # the keen ones: 20+ or hidden
    peer = tables["peer_reviews"]
    assert [row[1] for row in peer.rows] == list(range(1, 9))
    assert all(row[3] == 38 for row in peer.rows)
    assert any(isinstance(row[4], int) and row[4] >= 5 for row in peer.rows)
    focus = tables["focus"]
    assert len(focus.rows) >= 3 and isinstance(focus.rows[0][1], int)
    contracts = tables["contracts"]
    assert isinstance(contracts.rows[-1][1], int) and contracts.rows[-1][1] >= 10
    assert isinstance(contracts.rows[-1][3], float)
    practice = tables["practice"].rows
    assert sum(row[1] for row in practice if isinstance(row[1], int)) == 2
    assert sum(row[2] for row in practice if isinstance(row[2], int)) == report.work_sessions
    goals = tables["goals"]
    assert len(goals.rows) == 6 and all(isinstance(row[4], float) for row in goals.rows)

    # The management team of four: nothing of its people shows, whatever the table (a
    # quarter without any contract stays 0: that is about no one).
    for table in alone:
        for row in table.rows:
            for cell, column in zip(row, table.columns, strict=True):
                if column.kind in ("count", "rate") and table.key != "goals":
                    assert isinstance(cell, Suppressed) or cell in (0, None), (table.key, row)
    assert all(isinstance(cell, Suppressed) for table in alone[:4] for row in table.rows
               for cell in row[-2:])
    assert any(table.suppressed for table in tables.values())

    # What the demo people wrote, and their names, appear nowhere.
    written = {*demo.DIARY_MOMENTS, *demo.DIARY_APPROACHES, *demo.DIARY_LEARNINGS,
               *demo.PLAN_SITUATIONS, *demo.PLAN_APPROACHES, *demo.PLAN_MOMENTS,
               *demo.REFLECTION_TEXTS, *demo.CONTRACT_GOALS, *demo.EVIDENCE_MEASURABLE,
               *demo.EVIDENCE_VAGUE, *demo.CASE_QUESTIONS, *demo.CASE_ADVICE,
               *demo.CASE_LESSONS, *demo.WORK_ITEMS, *(text for _, text in demo.WORK_OUTCOMES),
               *(text for case in demo.CASES for text in case.values())}
    for table in (*tables.values(), *alone, *(t for view in per_team for t in view)):
        found = [cell for row in table.rows for cell in row if isinstance(cell, str)]
        assert not [cell for cell in found if cell in written
                    or ("(demo)" in cell and table.key != "peer_reviews")], table.key
        csv_text = dashboard.to_csv(table)
        assert not [text for text in written if text in csv_text], table.key


def test_leercoach_demo_kpi_and_dashboard_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LEERCOACH_PROMPTS_DIR", raising=False)
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'leercoach.db'}")
    assert main(["demo"]) == 0
    assert "made demo organisation 'demo'" in capsys.readouterr().out
    assert main(["demo", "--seed", "1"]) == 0
    assert "rebuilt demo organisation 'demo'" in capsys.readouterr().out
    assert main(["kpi", "set", "--organisation", "demo", "--team", "Sales", "--name",
                 "Offertes binnen twee werkdagen (%)", "--period", _quarter(),
                 "--value", "70"]) == 0
    assert "updated KPI" in capsys.readouterr().out
    assert main(["kpi", "set", "--name", "NPS"]) == 2
    assert "give --target, --value or both" in capsys.readouterr().err
    assert main(["dashboard", "--organisation", "demo", "--locale", "en"]) == 0
    out = capsys.readouterr().out
    assert "Learning diary: response per week and team" in out
    assert "too few participants" in out and "Offertes binnen twee werkdagen (%)" in out
    assert main(["dashboard", "--organisation", "demo", "--team", "Directie", "--csv",
                 str(tmp_path / "csv")]) == 0
    written = sorted(path.name for path in (tmp_path / "csv").iterdir())
    assert written == sorted(f"{key}.csv" for key in (
        "diary_response", "streaks", "peer_reviews", "focus", "contracts", "practice",
        "goals"))
    assert "te weinig deelnemers" in (tmp_path / "csv" / "streaks.csv").read_text("utf-8")
    assert main(["dashboard", "--organisation", "demo", "--team", "Niemand"]) == 2


def _quarter() -> str:
    return f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}"
