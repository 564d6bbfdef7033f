"""`leercoach catalog import|export`, `leercoach goals …` and `leercoach community …`: what
facilitators use to keep the organisation's competence catalog, goals and SOL sessions.

The command runs in-process (`adapters.cli.main.main`) on a SQLite file named by
LEERCOACH_DATABASE_URL, the way an administrator runs it.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from adapters.cli.main import main
from bot.storage.database import create_db_engine
from bot.storage.models import CommunitySession, Competence, Goal, Organisation, Team
from tests.rigs.cli import invoke

STARTER_SIZE = 20


def competences(url: str, slug: str = "default") -> dict[str, Competence]:
    database = create_db_engine(url)
    try:
        with Session(database) as session:
            rows = session.scalars(
                select(Competence)
                .join(Organisation, Organisation.id == Competence.organisation_id)
                .where(Organisation.slug == slug)
            )
            return {row.code: row for row in rows}
    finally:
        database.dispose()


def count_competences(url: str) -> int:
    database = create_db_engine(url)
    try:
        with Session(database) as session:
            return int(session.scalar(select(func.count()).select_from(Competence)) or 0)
    finally:
        database.dispose()


NEW = {
    "code": "gesprekken-leiden",
    "discipline_nl": "Samenwerken en communiceren",
    "discipline_en": "Collaboration and communication",
    "name_nl": "Gesprekken leiden",
    "name_en": "Leading conversations",
    "description_nl": "Je zet een gesprek neer: doel, tijd en rollen.\nJe vat samen.",
    "description_en": "You set up a conversation: aim, time and roles.\nYou sum up.",
}


# -- catalog ---------------------------------------------------------------------------------


def test_yaml_round_trip_updates_by_code_and_adds_new_ones(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "catalog.yaml"
    code, out, _ = invoke(capsys, "catalog", "export", str(exported))
    assert code == 0 and f"exported {STARTER_SIZE} competences" in out
    data = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert len(data["competences"]) == STARTER_SIZE
    assert set(data["competences"][0]) == set(NEW)

    data["competences"][0]["name_nl"] = "Reflecteren op je eigen werk"
    data["competences"].append(NEW)
    changed = tmp_path / "changed.yml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, out, err = invoke(capsys, "catalog", "import", str(changed))
    assert (code, err) == (0, "")
    assert "1 added, 1 updated, 19 unchanged" in out

    stored = competences(database_file)
    assert len(stored) == STARTER_SIZE + 1
    assert stored["reflecteren"].name_nl == "Reflecteren op je eigen werk"
    assert stored["gesprekken-leiden"].description_en == NEW["description_en"]

    again = tmp_path / "again.yaml"
    invoke(capsys, "catalog", "export", str(again))
    assert yaml.safe_load(again.read_text(encoding="utf-8")) == {
        "competences": data["competences"]
    }
    code, out, _ = invoke(capsys, "catalog", "import", str(again))
    assert f"0 added, 0 updated, {STARTER_SIZE + 1} unchanged" in out


def test_csv_round_trip_with_newlines_quotes_and_excel_semicolons(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "new.csv"
    # Excel in Dutch writes semicolons and a byte order mark.
    with source.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(NEW), delimiter=";")
        writer.writeheader()
        writer.writerow({**NEW, "name_nl": 'Gesprekken "echt" leiden; met structuur'})
    code, out, err = invoke(capsys, "catalog", "import", str(source))
    assert (code, err) == (0, "")
    assert "1 added, 0 updated, 0 unchanged" in out

    exported = tmp_path / "catalog.csv"
    assert invoke(capsys, "catalog", "export", str(exported))[0] == 0
    with exported.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == STARTER_SIZE + 1
    assert rows[-1] == {**NEW, "name_nl": 'Gesprekken "echt" leiden; met structuur'}
    code, out, _ = invoke(capsys, "catalog", "import", str(exported))
    assert f"0 added, 0 updated, {STARTER_SIZE + 1} unchanged" in out

    # The same catalog through YAML and CSV is the same catalog.
    as_yaml = tmp_path / "catalog.yaml"
    invoke(capsys, "catalog", "export", str(as_yaml))
    assert yaml.safe_load(as_yaml.read_text(encoding="utf-8"))["competences"] == rows


BAD_FILES = [
    ("bad.yaml", "competences:\n  - code: a\n    name_nl: [unclosed\n", "not valid YAML"),
    ("missing.yaml",
     "- code: gesprekken\n  name_nl: Gesprekken\n  discipline_nl: D\n  discipline_en: D\n",
     "line 1: competence 'gesprekken': name_en is missing"),
    ("unknown.yaml",
     "- code: a\n  name_nl: A\n  name_en: A\n  discipline_nl: D\n  discipline_en: D\n"
     "  nam_en: typo\n",
     "line 6: competence 'a': unknown field 'nam_en'"),
    ("twice.yaml",
     "- {code: a, name_nl: A, name_en: A, discipline_nl: D, discipline_en: D}\n"
     "- {code: a, name_nl: B, name_en: B, discipline_nl: D, discipline_en: D}\n",
     "line 2: code 'a' appears twice (also on line 1)"),
    ("notext.yaml",
     "- {code: a, name_nl: yes, name_en: A, discipline_nl: D, discipline_en: D}\n",
     "name_nl must be text"),
    ("shape.yaml", "title: my catalog\n", "expected a list of competences"),
    ("empty.yaml", "", "the file has no competences"),
    ("header.csv", "code,name_nl,name_en\na,A,A\n",
     "line 1: the header lacks the column(s) discipline_nl, discipline_en"),
    ("code.csv",
     "code,discipline_nl,discipline_en,name_nl,name_en\nGood one,D,D,A,A\n",
     "line 2: code 'Good one' may only hold lowercase letters"),
    ("extra.csv",
     "code,discipline_nl,discipline_en,name_nl,name_en\n"
     "a,D,D,A,A\n\n\"b\",D,\"D\nD\",B,B,surplus\n",
     "line 4: more values than the header has columns"),
    ("catalog.txt", "code\n", "use a .yaml, .yml or .csv file"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_line_and_nothing_is_imported(
    database_file: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: str,
    message: str,
) -> None:
    invoke(capsys, "catalog", "export", str(tmp_path / "before.yaml"))  # the starter catalog
    before = count_competences(database_file)
    path = tmp_path / name
    # A good new competence before the bad part: it must not be imported either.
    if name.endswith(".yaml") and content.startswith("- "):
        content = (
            "- {code: goed, name_nl: Goed, name_en: Good, discipline_nl: D, "
            "discipline_en: D}\n" + content
        )
        message = message.replace("line 1:", "line 2:").replace("line 2: code", "line 3: code")
        message = message.replace("also on line 1", "also on line 2").replace(
            "line 6:", "line 7:"
        )
    path.write_text(content, encoding="utf-8")
    code, out, err = invoke(capsys, "catalog", "import", str(path))
    assert code == 2
    assert out == ""
    assert message in err
    assert count_competences(database_file) == before
    assert "goed" not in competences(database_file)


def test_a_missing_file_and_an_unknown_organisation_are_clear_errors(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = invoke(capsys, "catalog", "import", str(tmp_path / "nowhere.csv"))
    assert code == 2 and "cannot read the file" in err
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump([NEW]), encoding="utf-8")
    code, _, err = invoke(capsys, "catalog", "import", str(good), "--organisation", "acme")
    assert code == 2 and "there is no organisation 'acme'" in err


def test_import_into_a_fresh_database_creates_the_default_organisation(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump({"competences": [NEW]}), encoding="utf-8")
    code, out, _ = invoke(capsys, "catalog", "import", str(good))
    assert code == 0 and "into organisation 'default': 1 added" in out
    assert len(competences(database_file)) == STARTER_SIZE + 1  # with the starter catalog


def test_each_organisation_has_its_own_catalog(
    database_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoke(capsys, "catalog", "export", str(tmp_path / "default.yaml"))
    database = create_db_engine(database_file)
    with Session(database) as session, session.begin():
        session.add(Organisation(slug="acme", name="Acme"))
    database.dispose()
    good = tmp_path / "good.csv"
    with good.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(NEW))
        writer.writeheader()
        writer.writerow(NEW)
    code, out, _ = invoke(capsys, "catalog", "import", str(good), "--organisation", "acme")
    assert code == 0 and "into organisation 'acme'" in out
    assert list(competences(database_file, "acme")) == ["gesprekken-leiden"]
    assert "gesprekken-leiden" not in competences(database_file)


# -- goals -----------------------------------------------------------------------------------


def goals_in(url: str) -> list[tuple[str, str, str | None, str, bool]]:
    database = create_db_engine(url)
    try:
        with Session(database) as session:
            rows = session.execute(
                select(Goal.level, Goal.title, Team.name, Goal.period, Goal.active)
                .outerjoin(Team, Team.id == Goal.team_id)
                .order_by(Goal.id)
            ).all()
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        database.dispose()


@pytest.mark.slow
def test_goals_on_three_levels_per_team_and_period(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = invoke(capsys, "goals", "add", "--level", "business",
                       "--title", "Minder klachten", "--period", "2026")
    assert code == 0 and "added goal #1 (business)" in out
    code, out, _ = invoke(capsys, "goals", "add", "--level", "team", "--title",
                       "Klanttevredenheid naar een 8", "--team", "Servicedesk",
                       "--period", "2026-q4", "--description", "Gemeten per kwartaal")
    assert code == 0
    assert "created team 'Servicedesk'" in out and "added goal #2 (team)" in out
    code, out, _ = invoke(capsys, "goals", "add", "--level", "personal", "--title",
                       "Iedereen een leercontract", "--team", "Servicedesk")
    assert code == 0 and "created team" not in out

    assert goals_in(database_file) == [
        ("business", "Minder klachten", None, "2026", True),
        ("team", "Klanttevredenheid naar een 8", "Servicedesk", "2026-Q4", True),
        ("personal", "Iedereen een leercontract", "Servicedesk", "", True),
    ]
    code, out, _ = invoke(capsys, "goals", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert "#1" in lines[0] and "business" in lines[0] and "(organisation)" in lines[0]
    assert "Servicedesk" in lines[1] and "2026-Q4" in lines[1]
    code, out, _ = invoke(capsys, "goals", "list", "--team", "Servicedesk")
    assert len(out.strip().splitlines()) == 2

    code, out, _ = invoke(capsys, "goals", "archive", "1")
    assert code == 0 and "archived goal #1: Minder klachten" in out
    _, out, _ = invoke(capsys, "goals", "list")
    assert "Minder klachten" not in out
    _, out, _ = invoke(capsys, "goals", "list", "--all")
    assert "Minder klachten  [archived]" in out
    assert goals_in(database_file)[0][4] is False


def test_goal_mistakes_are_refused_clearly(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = invoke(capsys, "goals", "add", "--level", "team", "--title", "X",
                       "--period", "Q4")
    assert code == 2 and "period must look like 2026 or 2026-Q4" in err
    code, _, err = invoke(capsys, "goals", "archive", "99")
    assert code == 2 and "has no goal 99" in err
    code, _, err = invoke(capsys, "goals", "list", "--team", "Nobody")
    assert code == 2 and "has no team 'Nobody'" in err
    code, _, err = invoke(capsys, "goals", "add", "--level", "team", "--title", "   ")
    assert code == 2 and "a goal needs a title" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["goals", "add", "--level", "world", "--title", "X"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'world'" in capsys.readouterr().err
    assert goals_in(database_file) == []
    _, out, _ = invoke(capsys, "goals", "list")
    assert "has no active goals" in out


# -- community sessions ----------------------------------------------------------------------


def test_community_sessions_in_the_organisations_time_zone(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = invoke(capsys, "community", "add", "--title", "SOL: leren van fouten",
                       "--starts", "2099-12-10T15:00", "--location", "Utrecht, zaal 2")
    assert code == 0
    assert "added community session #1 on 2099-12-10 15:00 (Europe/Amsterdam)" in out
    invoke(capsys, "community", "add", "--title", "Lang geleden", "--starts", "2001-06-01 10:00")
    invoke(capsys, "community", "add", "--title", "Zomer", "--starts", "2099-07-01T10:00+02:00")

    database = create_db_engine(database_file)
    with Session(database) as session:
        stored = {row.title: row.starts_at for row in session.scalars(select(CommunitySession))}
    database.dispose()
    assert stored["SOL: leren van fouten"] == datetime(2099, 12, 10, 14, 0, tzinfo=UTC)
    assert stored["Zomer"] == datetime(2099, 7, 1, 8, 0, tzinfo=UTC)

    code, out, _ = invoke(capsys, "community", "list")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == "times in Europe/Amsterdam"
    assert "2099-07-01 10:00  Zomer" in lines[1]
    assert "2099-12-10 15:00  SOL: leren van fouten  @ Utrecht, zaal 2" in lines[2]
    assert "Lang geleden" not in out
    _, out, _ = invoke(capsys, "community", "list", "--all")
    assert "2001-06-01 10:00  Lang geleden" in out


def test_community_mistakes_are_refused_clearly(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = invoke(capsys, "community", "add", "--title", "SOL", "--starts", "morgen")
    assert code == 2 and "like 2026-12-10T15:00" in err
    code, _, err = invoke(capsys, "community", "add", "--title", "SOL", "--starts", "2099-12-10")
    assert code == 2 and "needs a time as well" in err
    _, out, _ = invoke(capsys, "community", "list")
    assert "has no upcoming community sessions" in out
