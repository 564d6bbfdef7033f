"""The admin pages `/admin/...` over real HTTP: who gets in (a member 403, a facilitator only
what bot.people.admin_rights allows, nobody into another organisation), the CSRF check on
every form, polite 400s for bad input, and that each form changes what it says it does."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from html import unescape
from typing import Any

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from adapters.http_server import create_app
from adapters.web.app import WebAdapter
from bot.people import web_access as access
from bot.runtime import Runtime
from bot.storage.models import (
    Cohort,
    CohortMember,
    Competence,
    DayOff,
    Delivery,
    Goal,
    Organisation,
    PairingRound,
    Person,
    Team,
    TeamMember,
)
from tests.rigs.admin_world import AdminWorld, build_admin_world

PAGE = {"Accept": "text/html"}
SECTIONS = ("people", "teams", "cohorts", "calendar", "goals", "competences", "checklists")
Client = TestClient[Any, Any]


@pytest.fixture
def world(runtime: Runtime) -> AdminWorld:
    return build_admin_world(runtime)


def run(runtime: Runtime, scenario: Callable[[Client], Awaitable[None]]) -> None:
    async def main() -> None:
        app = create_app(runtime, adapters=[WebAdapter(runtime)])
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())


async def log_in(client: Client, runtime: Runtime, person_id: int | None) -> str:
    """Log in as the person; the session's CSRF token."""
    with runtime.database.begin() as connection:
        token = access.issue_link(connection, person_id, runtime.engine.clock())
    response = await client.post("/login", data={"token": token}, allow_redirects=False)
    assert response.status == 303
    page = await (await client.get("/me", headers=PAGE)).text()
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found
    return found.group(1)


async def get(client: Client, path: str) -> tuple[int, str]:
    response = await client.get(path, headers=PAGE, allow_redirects=False)
    return response.status, unescape(await response.text())


async def post(client: Client, path: str, csrf: str | None, **fields: Any
               ) -> tuple[int, str, str]:
    """Post a form (with the CSRF token unless None): status, page text, redirect target."""
    data = {key: str(value) for key, value in fields.items()}
    if csrf is not None:
        data["csrf"] = csrf
    response = await client.post(path, data=data, headers=PAGE, allow_redirects=False)
    return response.status, unescape(await response.text()), response.headers.get("Location", "")


def count(runtime: Runtime, model: Any, *where: Any) -> int:
    with runtime.database.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model).where(*where))
                   .scalar_one())


# -- who gets in ------------------------------------------------------------------------


def test_a_member_gets_403_everywhere_and_a_stranger_the_login(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        for section in SECTIONS:
            status, _ = await get(client, f"/admin/{section}")
            assert status == 303, section  # anonymous: to the login page
        csrf = await log_in(client, runtime, world.participant)
        for section in SECTIONS:
            status, page = await get(client, f"/admin/{section}")
            assert status == 403 and "Hier kun je niet in" in page, section
            status, _, _ = await post(client, f"/admin/{section}", csrf, action="x")
            assert status == 403, section
        me = await (await client.get("/me", headers=PAGE)).text()
        assert 'href="/admin"' not in me  # no way in is offered either

    run(runtime, scenario)


def test_a_facilitator_runs_a_programme_but_not_roles_teams_or_the_calendar(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        status, page = await get(client, "/admin/people")
        assert status == 200 and "Piet Deelnemer" in page
        assert 'value="link"' not in page and 'name="role"' not in page  # no admin forms
        assert (await post(client, "/admin/people", csrf, action="role",
                           person=world.participant, role="admin"))[0] == 403
        assert (await get(client, "/admin/teams"))[0] == 200
        assert (await post(client, "/admin/teams", csrf, name="Nieuw"))[0] == 403
        assert (await get(client, "/admin/calendar"))[0] == 403
        assert (await post(client, "/admin/calendar", csrf, action="settings",
                           holidays="BE", quiet_hours=""))[0] == 403
        for section in ("cohorts", "goals", "competences", "checklists"):
            assert (await get(client, f"/admin/{section}"))[0] == 200, section
        nav = (await get(client, "/admin/cohorts"))[1]
        assert "/admin/calendar" not in nav  # a section they may not open is not offered
        status, _, to = await post(client, "/admin/cohorts", csrf, name="Bakkers",
                                   mode="steady", weekday="tue", every="1")
        assert status == 303 and to.startswith("/admin/cohorts/")
        # their own organisation only
        assert (await get(client, f"/admin/people?organisation={world.other_organisation}")
                )[0] == 403

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        role = connection.execute(select(Person.role).where(
            Person.id == world.participant)).scalar_one()
    assert role == "participant"


def test_every_form_refuses_a_post_without_the_csrf_token(
        runtime: Runtime, world: AdminWorld) -> None:
    forms = {
        "/admin/people": {"action": "pause", "person": world.participant},
        "/admin/teams": {"name": "Zonder token"},
        "/admin/cohorts": {"name": "Zonder", "mode": "steady", "weekday": "mon", "every": 1},
        "/admin/calendar": {"action": "add_day", "day": "2026-12-24"},
        "/admin/goals": {"action": "add", "level": "team", "title": "Zonder"},
        "/admin/competences": {"action": "save", "code": "x", "name_nl": "x"},
        "/admin/checklists": {"action": "archive", "code": "x"},
        "/admin/teams/1": {"action": "rename", "name": "x"},
        "/admin/cohorts/1": {"action": "pause"},
    }

    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        for path, fields in forms.items():
            status, _, _ = await post(client, path, None, **fields)
            assert status == 403, path
            status, _, _ = await post(client, path, csrf[::-1], **fields)
            assert status == 403, path

    run(runtime, scenario)
    assert count(runtime, Team) == 0 and count(runtime, Cohort) == 0
    assert count(runtime, DayOff) == 0 and count(runtime, Goal) == 0
    with runtime.database.connect() as connection:
        assert connection.execute(select(Person.status).where(
            Person.id == world.participant)).scalar_one() == "active"


def test_an_admin_stays_in_their_own_organisation(runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        assert (await get(client, f"/admin/people?organisation={world.other_organisation}")
                )[0] == 403
        status, page = await get(client, "/admin/people")
        assert "Olga Buiten" not in page
        status, page, _ = await post(client, "/admin/people", csrf, action="pause",
                                     person=world.outsider)
        assert status == 400 and "bestaat (niet meer) in deze organisatie" in page
        assert (await get(client, "/admin/people?organisation=abc"))[0] == 400

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        assert connection.execute(select(Person.status).where(
            Person.id == world.outsider)).scalar_one() == "active"


# -- people -----------------------------------------------------------------------------


def test_people_search_role_pause_resume_and_a_login_link(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        status, page = await get(client, "/admin/people?q=bram")
        assert status == 200 and "Bram Smit" in page and "Anna de Wit" not in page
        assert "slack" in page
        assert "Anna de Wit" in (await get(client, "/admin/people?q=U0"))[1]  # by user id
        status, page = await get(client, f"/admin/people?q=%23{world.participant}")
        assert "Piet Deelnemer" in page and "Bram Smit" not in page

        status, _, to = await post(client, "/admin/people", csrf, action="role",
                                   person=world.participant, role="facilitator")
        assert status == 303 and to == "/admin/people?done=role"
        assert "De rol is aangepast." in (await get(client, to))[1]
        status, page, _ = await post(client, "/admin/people", csrf, action="role",
                                     person=world.participant, role="koning")
        assert status == 400 and "Kies een van de rollen" in page
        status, page, _ = await post(client, "/admin/people", csrf, action="role",
                                     person=world.admin, role="participant")
        assert status == 400 and "Je eigen rol" in page
        assert (await post(client, "/admin/people", csrf, action="pause",
                           person=world.colleagues[0]))[0] == 303
        assert "gepauzeerd" in (await get(client, "/admin/people?q=Anna"))[1]
        assert (await post(client, "/admin/people", csrf, action="resume",
                           person=world.colleagues[0]))[0] == 303
        for bad in ("abc", "", "1" * 30):
            assert (await post(client, "/admin/people", csrf, action="pause",
                               person=bad))[0] == 400

        status, page, _ = await post(client, "/admin/people", csrf, action="link",
                                     person=world.colleagues[1])
        assert status == 200
        token = re.search(r"/login/([A-Za-z0-9_-]+)", page)
        assert token
        with runtime.database.connect() as connection:
            assert access.link_is_valid(connection, token.group(1), runtime.engine.clock())

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        rows = dict(connection.execute(select(Person.id, Person.role).where(
            Person.id.in_([world.participant, world.admin]))).all())
        assert rows == {world.participant: "facilitator", world.admin: "admin"}
        assert connection.execute(select(Person.status).where(
            Person.id == world.colleagues[0])).scalar_one() == "active"


def test_made_facilitator_on_the_page_they_open_the_dashboard(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        await post(client, "/admin/people", csrf, action="role", person=world.participant,
                   role="facilitator")

    run(runtime, scenario)

    async def as_them(client: Client) -> None:
        await log_in(client, runtime, world.participant)
        assert (await get(client, "/dashboard"))[0] == 200
        assert (await get(client, "/admin/cohorts"))[0] == 200

    run(runtime, as_them)


# -- teams ------------------------------------------------------------------------------


def test_a_team_made_renamed_filled_and_removed(runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        status, _, to = await post(client, "/admin/teams", csrf, name="  Oven   ploeg ")
        assert status == 303 and re.fullmatch(r"/admin/teams/\d+\?done=team_added", to)
        team = to.split("?")[0]
        status, page = await get(client, to)
        assert status == 200 and "Team Oven ploeg" in page and "Wie hoort erbij?" in page
        for name in ("", " ", "x" * 201, "Oven ploeg"):
            status, page, _ = await post(client, "/admin/teams", csrf, name=name)
            assert status == 400, name
        assert "al in gebruik" in page
        for someone in world.colleagues[:2]:
            assert (await post(client, team, csrf, action="add", person=someone))[0] == 303
        assert (await post(client, team, csrf, action="add", person=world.outsider))[0] == 400
        assert (await post(client, team, csrf, action="drop",
                           person=world.colleagues[1]))[0] == 303
        assert (await post(client, team, csrf, action="rename", name="Deeg"))[0] == 303
        assert "Team Deeg" in (await get(client, team))[1]
        status, page, _ = await post(client, team, csrf, action="remove")
        assert status == 400 and "Vink eerst aan" in page
        assert count(runtime, Team) == 1 and count(runtime, TeamMember) == 1
        status, _, to = await post(client, team, csrf, action="remove", confirm="yes")
        assert status == 303 and to == "/admin/teams?done=team_removed"
        assert (await get(client, team))[0] == 404

    run(runtime, scenario)
    assert count(runtime, Team) == 0 and count(runtime, TeamMember) == 0


# -- cohorts ----------------------------------------------------------------------------


def test_a_cohort_with_a_team_previewed_run_and_paused(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        _, _, to = await post(client, "/admin/teams", csrf, name="Winkel")
        team_id = int(re.findall(r"\d+", to)[0])
        for someone in world.colleagues[:4]:
            await post(client, f"/admin/teams/{team_id}", csrf, action="add", person=someone)
        for bad in ({"mode": "chaos"}, {"weekday": "zon"}, {"every": "3"}, {"name": ""},
                    {"channel": "slack"}, {"every": "x"}):
            fields = {"name": "Fout", "mode": "steady", "weekday": "mon", "every": "1", **bad}
            status, page, _ = await post(client, "/admin/cohorts", csrf, **fields)
            assert status == 400, bad
        status, _, to = await post(client, "/admin/cohorts", csrf, name="Verkoop",
                                   mode="rotating", weekday="wed", every="2", team=team_id)
        assert status == 303
        cohort = to.split("?")[0]
        status, page = await get(client, to)
        assert "4 deelnemers" in page and "woensdag" in page
        assert (await post(client, cohort, csrf, action="enrol",
                           person=world.colleagues[4], role="participant"))[0] == 303
        assert (await post(client, cohort, csrf, action="enrol", person=world.colleagues[4],
                           role="baas"))[0] == 400
        status, page, _ = await post(client, cohort, csrf, action="preview")
        assert status == 200 and "Zo ziet ronde 1 eruit" in page and "niets opgeslagen" in page
        assert page.count('class="round-group"') == 2
        assert count(runtime, PairingRound) == 0
        assert (await post(client, cohort, csrf, action="pause"))[0] == 303
        assert "gepauzeerd" in (await get(client, cohort))[1]
        status, page, _ = await post(client, cohort, csrf, action="run")
        assert status == 200 and "Ronde 1 is gestart" in page
        assert count(runtime, PairingRound) == 1
        assert "gepauzeerd" in (await get(client, cohort))[1]  # running by hand keeps it so
        assert (await post(client, cohort, csrf, action="resume"))[0] == 303
        assert (await post(client, cohort, csrf, action="leave",
                           person=world.colleagues[0]))[0] == 303
        assert (await post(client, cohort, csrf, action="dance"))[0] == 400
        assert (await get(client, "/admin/cohorts/999999"))[0] == 404

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        cohort = connection.execute(select(Cohort.mode, Cohort.cadence_weeks, Cohort.weekday,
                                           Cohort.next_round_at)).one()
        assert (cohort.mode, cohort.cadence_weeks, cohort.weekday) == ("rotating", 2, 2)
        assert cohort.next_round_at is not None  # resumed
        taking_part = connection.execute(select(func.count()).select_from(CohortMember).where(
            CohortMember.left_at.is_(None))).scalar_one()
        assert taking_part == 4
        welcomes = connection.execute(select(func.count()).select_from(Delivery).where(
            Delivery.flow_id == "cohort_joined")).scalar_one()
        assert welcomes == 5


# -- calendar, goals, competences -------------------------------------------------------


def test_the_calendar_changes_and_refuses_nonsense(runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        assert (await post(client, "/admin/calendar", csrf, action="settings",
                           holidays="be", quiet_hours="22:00-06:30"))[0] == 303
        status, page, _ = await post(client, "/admin/calendar", csrf, action="settings",
                                     holidays="XX", quiet_hours="")
        assert status == 400 and "Die landcode ken ik niet" in page
        status, page, _ = await post(client, "/admin/calendar", csrf, action="settings",
                                     holidays="NL", quiet_hours="9-5")
        assert status == 400 and "Stille uren schrijf je als 21:00-07:00" in page
        assert (await post(client, "/admin/calendar", csrf, action="add_day",
                           day="2026-12-24", name="Kerstavond"))[0] == 303
        assert (await post(client, "/admin/calendar", csrf, action="add_day",
                           day="24-12-2026"))[0] == 400
        page = (await get(client, "/admin/calendar"))[1]
        assert "2026-12-24 · Kerstavond" in page and 'value="BE"' in page
        assert (await post(client, "/admin/calendar", csrf, action="remove_day",
                           day="2026-12-24"))[0] == 303

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        found = connection.execute(select(Organisation.holiday_country,
                                          Organisation.quiet_hours).where(
            Organisation.id == world.organisation_id)).one()
    assert tuple(found) == ("BE", "22:00-06:30")
    assert count(runtime, DayOff) == 0


def test_goals_and_kpis_on_three_levels(runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        with runtime.database.begin() as connection:
            from bot.organisation import teams

            team_id = teams.create_team(connection, world.organisation_id, "Oven",
                                        runtime.engine.clock())
        assert (await post(client, "/admin/goals", csrf, action="add", level="business",
                           title="Meer omzet", period="2026"))[0] == 303
        assert (await post(client, "/admin/goals", csrf, action="add", level="personal",
                           title="Beter feedback geven", team=team_id))[0] == 303
        assert (await post(client, "/admin/goals", csrf, action="kpi", title="Broden per uur",
                           team=team_id, target="1.250,5", value="900"))[0] == 303
        status, page, _ = await post(client, "/admin/goals", csrf, action="add", level="team",
                                     title="Iets", period="volgend jaar")
        assert status == 400 and "zoals 2026 of 2026-Q4" in page
        for bad in ({"level": "galaxy"}, {"title": ""}, {"period": "volgend jaar"}):
            fields = {"action": "add", "level": "team", "title": "Iets", **bad}
            assert (await post(client, "/admin/goals", csrf, **fields))[0] == 400, bad
        status, page, _ = await post(client, "/admin/goals", csrf, action="kpi",
                                     title="Broden", target="veel")
        assert status == 400 and "Vul een getal in" in page
        page = (await get(client, "/admin/goals"))[1]
        assert "Bedrijfsresultaat" in page and "Meer omzet" in page and "900.0 / 1250.5" in page
        with runtime.database.connect() as connection:
            goal_id = connection.execute(select(Goal.id).where(
                Goal.title == "Meer omzet")).scalar_one()
        assert (await post(client, "/admin/goals", csrf, action="archive",
                           goal=goal_id))[0] == 303
        assert (await post(client, "/admin/goals", csrf, action="archive",
                           goal=999999))[0] == 400

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        rows = {row.title: (row.level, row.active, row.target) for row in connection.execute(
            select(Goal.title, Goal.level, Goal.active, Goal.target))}
    assert rows["Meer omzet"] == ("business", False, None)
    assert rows["Broden per uur"][2] == 1250.5


def test_the_competence_catalog_edited_imported_and_downloaded(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.admin)
        fields = {"action": "save", "code": "deeg-kneden", "discipline_nl": "Bakken",
                  "discipline_en": "Baking", "name_nl": "Deeg kneden",
                  "name_en": "Kneading dough", "description_nl": "", "description_en": ""}
        assert (await post(client, "/admin/competences", csrf, **fields))[0] == 303
        status, page, _ = await post(client, "/admin/competences", csrf,
                                     **{**fields, "code": ""})
        assert status == 400 and "code" in page
        status, page, _ = await post(client, "/admin/competences", csrf,
                                     **{**fields, "name_en": ""})
        assert status == 400 and "niet ingelezen" in page
        upload = FormData()
        upload.add_field("csrf", csrf)
        upload.add_field("action", "import")
        upload.add_field("file", "code,discipline_nl,discipline_en,name_nl,name_en\n"
                         "oven,Bakken,Baking,Oven stoken,Firing the oven\n",
                         filename="catalogus.csv", content_type="text/csv")
        response = await client.post("/admin/competences", data=upload, headers=PAGE,
                                     allow_redirects=False)
        assert response.status == 303
        broken = FormData()
        broken.add_field("csrf", csrf)
        broken.add_field("action", "import")
        broken.add_field("file", b"\xff\xfe\x00", filename="kapot.csv")
        response = await client.post("/admin/competences", data=broken, headers=PAGE)
        assert response.status == 400
        page = (await get(client, "/admin/competences"))[1]
        assert "Deeg kneden" in page and "Oven stoken" in page
        download = await client.get("/admin/competences.csv")
        assert download.status == 200 and "deeg-kneden" in await download.text()

    run(runtime, scenario)
    assert count(runtime, Competence, Competence.organisation_id == world.organisation_id) == 2


def test_the_pages_follow_the_viewers_language(runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        await log_in(client, runtime, world.admin)
        page = (await get(client, "/admin/cohorts?lang=en"))[1]
        assert "Make the cohort" in page and "Cohort aanmaken" not in page
        assert page.count("<h1") == 1

    run(runtime, scenario)


def test_two_people_kept_apart_and_the_current_pairs(
        runtime: Runtime, world: AdminWorld) -> None:
    anna, bram = world.colleagues[0], world.colleagues[1]

    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        status, _, to = await post(client, "/admin/cohorts", csrf, action="apart",
                                   first=anna, second=bram, reason="baas")
        assert status == 303 and to.endswith("done=apart")
        page = (await get(client, "/admin/cohorts"))[1]
        assert "Anna de Wit + Bram Smit" in page and "(baas)" in page
        status, page, _ = await post(client, "/admin/cohorts", csrf, action="apart",
                                     first=anna, second=anna)
        assert status == 400 and "twee verschillende mensen" in page
        assert (await post(client, "/admin/cohorts", csrf, action="apart", first=anna,
                           second=world.outsider))[0] == 400
        _, _, to = await post(client, "/admin/cohorts", csrf, name="Duo", mode="steady",
                              weekday="mon", every="1")
        cohort = to.split("?")[0]
        for someone in (anna, bram, world.colleagues[2]):
            await post(client, cohort, csrf, action="enrol", person=someone)
        status, page, _ = await post(client, cohort, csrf, action="run")
        assert status == 200 and "Ronde 1 is gestart" in page
        page = (await get(client, cohort))[1]
        current = page.split('id="current-pairs"')[1].split("</section>")[0]
        assert "Ronde 1 (" in current and "nog niet gesproken" in current
        assert "Cees Bos" in current  # paired with one of the two ...
        assert not ("Anna de Wit" in current and "Bram Smit" in current)  # ... never both
        assert (await post(client, "/admin/cohorts", csrf, action="meet", first=bram,
                           second=anna))[0] == 303
        assert "(baas)" not in (await get(client, "/admin/cohorts"))[1]

    run(runtime, scenario)


def test_a_community_session_planned_in_the_organisations_time(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        assert (await post(client, "/admin/goals", csrf, action="community",
                           title="Feedback oefenen", starts="2036-12-10T15:00",
                           location="Zaal 2"))[0] == 303
        for bad in ("morgen", "2036-12-10", ""):
            assert (await post(client, "/admin/goals", csrf, action="community",
                               title="Fout", starts=bad))[0] == 400, bad
        page = (await get(client, "/admin/goals"))[1]
        assert "10 dec. 2036 15:00 · Feedback oefenen" in page and "@ Zaal 2" in page

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        from bot.storage.models import CommunitySession

        starts = connection.execute(select(CommunitySession.starts_at)).scalar_one()
    assert starts.isoformat().startswith("2036-12-10T14:00")  # 15:00 in Amsterdam, in UTC


def _file(csrf: str, action: str, name: str, body: str | bytes, **extra: str) -> FormData:
    form = FormData()
    for key, value in {"csrf": csrf, "action": action, **extra}.items():
        form.add_field(key, value)
    form.add_field("file", body, filename=name)
    return form


def test_checklists_imported_archived_and_restored(
        runtime: Runtime, world: AdminWorld) -> None:
    good = ("- code: sluiten\n  name_nl: Winkel sluiten\n  name_en: Closing the shop\n"
            "  items:\n    - {item_nl: Kassa tellen, item_en: Count the till}\n")

    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        response = await client.post("/admin/checklists", headers=PAGE, allow_redirects=False,
                                     data=_file(csrf, "import", "lijst.yaml", good))
        assert response.status == 303
        response = await client.post("/admin/checklists", headers=PAGE,
                                     data=_file(csrf, "import", "kapot.yaml", "- code: [\n"))
        assert response.status == 400 and "niet ingelezen" in unescape(await response.text())
        response = await client.post("/admin/checklists", headers=PAGE,
                                     data=_file(csrf[::-1], "import", "lijst.yaml", good))
        assert response.status == 403
        page = (await get(client, "/admin/checklists"))[1]
        assert "Winkel sluiten" in page and "1 stap" in page
        assert (await post(client, "/admin/checklists", csrf, action="archive",
                           code="sluiten"))[0] == 303
        assert "niet meer aangeboden" in (await get(client, "/admin/checklists"))[1]
        assert (await post(client, "/admin/checklists", csrf, action="restore",
                           code="sluiten"))[0] == 303
        assert (await post(client, "/admin/checklists", csrf, action="archive",
                           code="bestaat-niet"))[0] == 400

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        from bot.storage.models import Checklist

        assert connection.execute(select(Checklist.archived)).scalar_one() is False


def test_the_embedded_admin_chooses_the_organisation_and_stays_in_it(
        runtime: Runtime, world: AdminWorld) -> None:
    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, None)
        elders = f"?organisation={world.other_organisation}"
        page = (await get(client, f"/admin/people{elders}"))[1]
        assert "Olga Buiten" in page and "Piet Deelnemer" not in page
        assert f'href="/admin/teams{elders}"' in page  # the choice is kept on every link
        status, _, to = await post(client, f"/admin/teams{elders}", csrf, name="Magazijn")
        assert status == 303 and to.endswith(f"{elders}&done=team_added")
        assert (await get(client, "/admin/people?organisation=999999"))[0] == 404

    run(runtime, scenario)
    with runtime.database.connect() as connection:
        owner = connection.execute(select(Team.organisation_id)).scalar_one()
    assert owner == world.other_organisation


def test_a_facilitator_plans_and_stops_a_teams_work_sessions(
        runtime: Runtime, world: AdminWorld) -> None:
    with runtime.database.begin() as connection:
        from bot.organisation import teams

        team_id = teams.create_team(connection, world.organisation_id, "Oven",
                                    runtime.engine.clock())
    team = f"/admin/teams/{team_id}/worksessions"

    async def scenario(client: Client) -> None:
        csrf = await log_in(client, runtime, world.facilitator)
        plan = {"action": "plan", "channel": "slack:T1:C9", "every": "2", "weekday": "thu",
                "time": "14:00", "facilitator": str(world.facilitator), "first": ""}
        for bad in ({"channel": "kanaal"}, {"every": "3"}, {"time": "later"},
                    {"weekday": "zon"}, {"facilitator": str(world.outsider)},
                    {"first": "morgen"}):
            status, page, _ = await post(client, team, csrf, **{**plan, **bad})
            assert status == 400, bad
        assert (await post(client, team, None, **plan))[0] == 403
        status, _, to = await post(client, team, csrf, **plan)
        assert status == 303 and to == f"/admin/teams/{team_id}?done=work_sessions"
        page = (await get(client, to))[1]
        assert "Elke 2 weken op donderdag om 14:00, in slack:T1:C9" in page
        assert (await post(client, team, csrf, action="stop"))[0] == 303
        assert "gestopt" in (await get(client, f"/admin/teams/{team_id}"))[1]

    run(runtime, scenario)

    async def as_member(client: Client) -> None:
        csrf = await log_in(client, runtime, world.participant)
        assert (await post(client, team, csrf, action="stop"))[0] == 403

    run(runtime, as_member)
