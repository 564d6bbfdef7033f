"""`leercoach people list`, `leercoach team …` and `leercoach cohort pause|resume`: the
admin tasks that had no command, on the same functions as the admin pages.

In-process (`adapters.cli.main.main`) on a SQLite file named by LEERCOACH_DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot import clock
from bot.config import Settings
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Cohort, Goal, Team, TeamMember
from tests.rigs.admin_world import AdminWorld, build_admin_world
from tests.rigs.cli import invoke

ORG = ("--organisation", "bakkerij")


@pytest.fixture
def opened(database_file: str) -> Iterator[Runtime]:
    runtime = open_runtime(Settings(database_url=database_file))
    yield runtime
    runtime.close()


@pytest.fixture
def world(opened: Runtime) -> AdminWorld:
    return build_admin_world(opened)


def test_people_list_shows_ids_platforms_teams_roles_and_searches(
        world: AdminWorld, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "people", "list", *ORG)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 8 and not any("Olga" in line for line in lines)  # own org only
    ada = next(line for line in lines if "Ada Beheer" in line)
    assert ada.startswith(f"#{world.admin}") and "slack:UADMIN" in ada and "admin" in ada
    assert "last seen 20" in ada
    code, out, _ = invoke(capsys, "people", "list", *ORG, "--search", "smit")
    assert code == 0 and out.count("\n") == 1 and "Bram Smit" in out
    code, out, _ = invoke(capsys, "people", "list", *ORG, "--search", "niemand-hier")
    assert code == 0 and out.strip() == "nobody found"
    code, _, err = invoke(capsys, "people", "list", "--organisation", "nergens")
    assert code == 2 and "no organisation 'nergens'" in err


def test_a_team_from_add_to_remove(world: AdminWorld, opened: Runtime,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke(capsys, "team", "add", *ORG, "Oven")[1] == "team Oven made\n"
    code, _, err = invoke(capsys, "team", "add", *ORG, "Oven")
    assert code == 2 and "already" in err
    assert invoke(capsys, "team", "add", *ORG, "  ")[0] == 2
    code, out, _ = invoke(capsys, "team", "members", *ORG, "Oven", "--add", "U1")
    assert code == 0 and "U1 joins Oven" in out and "Bram Smit" in out
    code, out, _ = invoke(capsys, "team", "members", *ORG, "Oven", "--add", "U1")
    assert "U1 is in Oven" in out
    assert "Oven: 1 member\n" in invoke(capsys, "team", "list", *ORG)[1]
    code, out, _ = invoke(capsys, "team", "rename", *ORG, "Oven", "Deeg")
    assert code == 0 and "is now called Deeg" in out
    assert invoke(capsys, "team", "members", *ORG, "Oven")[0] == 2  # the old name is gone
    code, out, _ = invoke(capsys, "team", "members", *ORG, "Deeg", "--remove", "U1")
    assert "U1 left Deeg" in out and "Deeg has no members yet" in out
    invoke(capsys, "goals", "add", *ORG, "--level", "team", "--title", "Lekker",
           "--team", "Deeg")
    code, out, _ = invoke(capsys, "team", "remove", *ORG, "Deeg")
    assert code == 0 and "team Deeg removed" in out
    assert invoke(capsys, "team", "remove", *ORG, "Deeg")[0] == 2
    with opened.database.connect() as connection:
        for model in (Team, TeamMember, Goal):
            assert connection.execute(select(func.count()).select_from(model)).scalar() == 0


def test_a_cohort_paused_and_resumed(world: AdminWorld, opened: Runtime,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(capsys, "cohort", "add", *ORG, "Bakkers", "--weekday", "thu")
    assert code == 0 and "first round" in out
    assert invoke(capsys, "cohort", "add", *ORG, "Bakkers")[0] == 2
    with pytest.raises(SystemExit):  # argparse refuses a channel that is no channel
        invoke(capsys, "cohort", "add", *ORG, "Kanaal", "--channel", "x")
    code, out, _ = invoke(capsys, "cohort", "pause", *ORG, "Bakkers")
    assert code == 0 and "paused" in out
    assert "Bakkers: steady, every 1 week(s) on thu, 0 taking part, paused" in invoke(
        capsys, "cohort", "list", *ORG)[1]
    for user in ("U0", "U1", "U2"):
        assert invoke(capsys, "cohort", "join", *ORG, "Bakkers", "--user", user)[0] == 0
    code, out, _ = invoke(capsys, "pair", *ORG, "--cohort", "Bakkers")
    assert code == 0 and "round 1 of Bakkers" in out
    with opened.database.connect() as connection:
        assert connection.execute(select(Cohort.next_round_at)).scalar() is None
    code, out, _ = invoke(capsys, "cohort", "resume", *ORG, "Bakkers")
    assert code == 0 and "runs again; next round" in out
    with opened.database.connect() as connection:
        moment = connection.execute(select(Cohort.next_round_at)).scalar()
    assert moment is not None and moment > clock.now()
