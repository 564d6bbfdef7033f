"""The facilitators' dashboard page `/dashboard` over real HTTP: who gets in, that every
table comes with a chart holder, its table and a CSV that matches bot/reports/dashboard.py, that the
demo's small management team is suppressed, that no free text leaves the database, that a
facilitator sees only their own organisation, and that a canvas is its author's alone."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import insert, select

from adapters.http_server import create_app
from adapters.web import dashboard as web_dashboard
from adapters.web.app import WebAdapter
from bot import demo
from bot.core.prompts import PromptLibrary
from bot.people import roles
from bot.people import web_access as access
from bot.reports import dashboard
from bot.runtime import Runtime
from bot.storage.models import (
    DiaryEntry,
    Goal,
    LearningCanvas,
    Organisation,
    Person,
    Team,
    TeamMember,
    table_of,
)

PAGE = {"Accept": "text/html"}
KEYS = web_dashboard.TABLE_KEYS
TEXTS = PromptLibrary.builtin()


@dataclass(frozen=True)
class World:
    """The demo organisation plus a small other one, and who is who in them."""

    demo_id: int
    facilitator: int  # in the demo
    colleague: int  # another facilitator in the demo
    participant: int  # in the demo
    other_id: int
    outsider: int  # facilitator of the other organisation
    directie: int  # the demo's team of four
    other_team: int


def _person(connection: Any, organisation_id: int, name: str) -> int:
    return int(connection.execute(insert(table_of(Person)).values(
        organisation_id=organisation_id, display_name=name, locale="nl",
        timezone="Europe/Amsterdam", workdays="mon,tue,wed,thu,fri", diary_time=time(16, 30),
        status="active", role="participant", created_at=datetime(2026, 1, 1, tzinfo=UTC),
    ).returning(table_of(Person).c.id)).scalar_one())


@pytest.fixture
def world(runtime: Runtime) -> World:
    now = runtime.engine.clock()
    people, teams = table_of(Person), table_of(Team)
    with runtime.database.begin() as connection:
        demo.build_demo(connection, now=now)
        demo_id = connection.execute(select(table_of(Organisation).c.id).where(
            table_of(Organisation).c.slug == demo.DEMO_SLUG)).scalar_one()
        everyone = list(connection.execute(select(people.c.id).where(
            people.c.organisation_id == demo_id).order_by(people.c.id)).scalars())
        facilitator, colleague, participant = everyone[0], everyone[1], everyone[2]
        roles.set_role(connection, facilitator, "facilitator")
        roles.set_role(connection, colleague, "facilitator")
        directie = connection.execute(select(teams.c.id).where(
            teams.c.organisation_id == demo_id, teams.c.name == demo.SMALL_TEAM)).scalar_one()
        other_id = connection.execute(insert(table_of(Organisation)).values(
            slug="acme", name="Acme", created_at=now).returning(
            table_of(Organisation).c.id)).scalar_one()
        other_team = connection.execute(insert(teams).values(
            organisation_id=other_id, name="Magazijn", created_at=now).returning(
            teams.c.id)).scalar_one()
        outsider = _person(connection, other_id, "Olga Buiten")
        connection.execute(insert(table_of(TeamMember)).values(team_id=other_team,
                                                               person_id=outsider))
        roles.set_role(connection, outsider, "facilitator")
    return World(demo_id, facilitator, colleague, participant, other_id, outsider, directie,
                 other_team)


Scenario = Callable[[TestClient[Any, Any]], Awaitable[None]]


def run(runtime: Runtime, scenario: Scenario) -> None:
    """The app of `leercoach serve` with the web pages, on loopback, for one scenario."""
    async def main() -> None:
        app = create_app(runtime, adapters=[WebAdapter(runtime)])
        async with TestClient(TestServer(app)) as client:
            await scenario(client)

    asyncio.run(main())


async def log_in(client: TestClient[Any, Any], runtime: Runtime, person_id: int | None) -> None:
    with runtime.database.begin() as connection:
        token = access.issue_link(connection, person_id, runtime.engine.clock())
    response = await client.post("/login", data={"token": token}, allow_redirects=False)
    assert response.status == 303, await response.text()


async def page(client: TestClient[Any, Any], query: str = "") -> tuple[int, str]:
    response = await client.get(f"/dashboard{query}", headers=PAGE, allow_redirects=False)
    return response.status, await response.text()


def charts_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>',
                      html, re.S)
    assert found, "the chart data is in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return {chart["key"]: chart for chart in data["charts"]}


def demo_tables(runtime: Runtime, world: World, team_id: int | None = None,
                locale: str = "nl") -> tuple[dashboard.Table, ...]:
    today = runtime.engine.clock().astimezone(ZoneInfo(demo.TIMEZONE)).date()
    with runtime.database.connect() as connection:
        return dashboard.all_tables(connection, world.demo_id, today=today, team_id=team_id,
                                    locale=locale)


# -- who gets in ------------------------------------------------------------------------


def test_anonymous_browsers_go_to_the_login_and_scripts_get_401(runtime: Runtime) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        response = await client.get("/dashboard", headers=PAGE, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == "/login"
        response = await client.get("/dashboard", headers={"Accept": "application/json"},
                                    allow_redirects=False)
        assert response.status == 401
        response = await client.get("/dashboard/streaks.csv", headers={"Accept": "text/csv"},
                                    allow_redirects=False)
        assert response.status == 401

    run(runtime, scenario)


def test_a_participant_is_refused(runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.participant)
        status, html = await page(client)
        assert status == 403
        assert TEXTS.render("web.refused.title", "nl") in unescape(html)
        assert "dashboard-data" not in html
        response = await client.get("/dashboard/streaks.csv", allow_redirects=False)
        assert response.status == 403

    run(runtime, scenario)


# -- what a facilitator sees ------------------------------------------------------------


def test_a_facilitator_sees_every_table_with_a_chart_and_a_csv_link(
        runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        status, html = await page(client)
        assert status == 200, html
        text = unescape(html)
        for key in KEYS:
            assert TEXTS.render(f"dashboard.{key}.title", "nl") in text
            assert re.search(rf'data-chart="{key}">\s*<canvas', html), key
            assert f'href="/dashboard/{key}.csv"' in html
        assert demo.DEMO_NAME in text
        assert "te weinig deelnemers" in text
        assert TEXTS.render("web.dashboard.canvas_title", "nl") not in text  # none held
        # Scripts only from this server: the data is JSON, not code.
        assert "<script>" not in html
        assert 'src="/static/chart.umd.min.js?v=' in html
        assert 'src="/static/dashboard.js?v=' in html
        assert "script-src 'self'" in (await client.get("/dashboard", headers=PAGE)
                                       ).headers["Content-Security-Policy"]
        charts = charts_of(html)
        assert list(charts) == list(KEYS)
        assert charts["diary_response"]["type"] == "line"
        assert charts["peer_reviews"]["stacked"] is True
        assert charts["focus"]["horizontal"] is True
        assert charts["contracts"]["axis2"]

    run(runtime, scenario)


def test_the_team_of_four_is_suppressed_in_table_and_chart(
        runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client)
        rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
        directie = [row for row in rows
                    if re.match(rf"<td>\d{{4}}-W\d\d</td><td>{demo.SMALL_TEAM}</td>", row)]
        assert len(directie) == demo.WEEKS
        for row in directie:
            assert row.count('class="suppressed">te weinig deelnemers') == 3
        lines = charts_of(html)["diary_response"]["datasets"]
        small = [line for line in lines if line["label"].startswith(demo.SMALL_TEAM)]
        assert len(small) == 1
        assert small[0]["data"] == [None] * demo.WEEKS
        assert "te weinig deelnemers" in small[0]["label"]
        others = [line for line in lines if not line["label"].startswith(demo.SMALL_TEAM)]
        assert len(others) == len(demo.TEAMS) + 1  # and the whole organisation
        for line in others:  # a team of ten shows most weeks
            assert sum(value is not None for value in line["data"]) >= demo.WEEKS // 2, line

        # The team itself: nothing but "too few".
        status, html = await page(client, f"?team={world.directie}")
        assert status == 200
        for chart in charts_of(html).values():
            if chart["key"] not in ("practice", "goals"):  # events and KPIs, not people
                assert all(value in (None, 0) for dataset in chart["datasets"]
                           for value in dataset["data"]), chart["key"]  # 0: about no one

    run(runtime, scenario)


def test_the_charts_carry_the_same_numbers_as_the_tables(
        runtime: Runtime, world: World) -> None:
    tables = {table.key: table for table in demo_tables(runtime, world)}

    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        charts = charts_of((await page(client))[1])
        streaks = tables["streaks"]
        assert charts["streaks"]["datasets"][0]["data"] == [
            None if isinstance(cell, dashboard.Suppressed) else cell
            for cell in streaks.column("people")[:-1]]
        reviews = tables["peer_reviews"]
        met = charts["peer_reviews"]["datasets"][0]["data"]
        assert met == [None if isinstance(cell, dashboard.Suppressed) else cell
                       for cell in reviews.column("met")]
        share = charts["contracts"]["datasets"][1]["data"]
        assert share == [None if not isinstance(cell, float | int) else round(cell * 100, 1)
                         for cell in tables["contracts"].column("measurable_share")]
        assert charts["practice"]["labels"] == tables["practice"].column("month")

    run(runtime, scenario)


def test_no_free_text_of_anyone_reaches_the_page_or_a_csv(
        runtime: Runtime, world: World) -> None:
    with runtime.sessions() as session:
        entries = session.scalars(select(DiaryEntry).limit(200)).all()
        written = {text for entry in entries
                   for text in (entry.moments, entry.approach, entry.learning) if text}
        names = set(session.scalars(select(Person.display_name).where(
            Person.organisation_id == world.demo_id, Person.id != world.facilitator)))
    assert len(written) >= 5
    demo_texts = {*demo.DIARY_MOMENTS, *demo.DIARY_APPROACHES, *demo.DIARY_LEARNINGS,
                  *demo.CONTRACT_GOALS, *demo.EVIDENCE_MEASURABLE, *demo.EVIDENCE_VAGUE}

    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client)
        bodies = [unescape(html)]
        for key in KEYS:
            bodies.append(await (await client.get(f"/dashboard/{key}.csv")).text())
        for body in bodies:
            for text in written | demo_texts:
                assert text not in body
            for name in names:  # only the viewer's own name, in the header
                assert name not in body

    run(runtime, scenario)


def test_each_table_downloads_as_the_csv_of_bot_dashboard(
        runtime: Runtime, world: World) -> None:
    tables = {table.key: table for table in demo_tables(runtime, world)}

    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        for key in KEYS:
            response = await client.get(f"/dashboard/{key}.csv")
            assert response.status == 200, key
            assert response.content_type == "text/csv"
            disposition = response.headers["Content-Disposition"]
            assert disposition.startswith("attachment;") and f"-{key}-" in disposition
            # Dutch Excel: a byte order mark, `;` and decimal commas
            assert await response.text() == "\ufeff" + dashboard.to_csv(
                tables[key], "nl", delimiter=";", decimal=",")
            plain = await client.get(f"/dashboard/{key}.csv?format=csv-plain")
            assert await plain.text() == dashboard.to_csv(tables[key], "nl")
        assert (await client.get("/dashboard/nothing.csv")).status == 404
        assert (await client.get("/dashboard/Streaks.csv")).status == 404

        team = await client.get(
            f"/dashboard/diary_response.csv?team={world.directie}&format=csv-plain")
        expected = demo_tables(runtime, world, team_id=world.directie)[0]
        assert await team.text() == dashboard.to_csv(expected, "nl")
        assert "te weinig deelnemers" in await team.text()
        # English (the choice then sticks for the session): a mark, but commas and points
        english = await client.get("/dashboard/streaks.csv?lang=en")
        assert await english.text() == "\ufeff" + dashboard.to_csv(tables["streaks"], "en")
        again = await client.get("/dashboard/streaks.csv")
        assert await again.text() == "\ufeff" + dashboard.to_csv(tables["streaks"], "en")

    run(runtime, scenario)


def test_a_goal_title_cannot_break_out_of_the_page(runtime: Runtime, world: World) -> None:
    """Goal titles are the one text a facilitator writes that the charts carry."""
    title = '</script><script>alert("kpi")</script> & \'1\''
    with runtime.database.begin() as connection:
        connection.execute(insert(table_of(Goal)).values(
            organisation_id=world.demo_id, team_id=None, level="business", title=title,
            period="2026", active=True, target=10, value=12,
            created_at=runtime.engine.clock()))

    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client)
        assert "<script>alert" not in html
        assert html.count("</script>") == 3  # the data and the two scripts, nothing more
        goals = charts_of(html)["goals"]
        index = [i for i, label in enumerate(goals["labels"]) if label.startswith(title)]
        assert len(index) == 1
        assert goals["datasets"][0]["data"][index[0]] == 120.0  # past the target shows
        assert goals["beyond"] is True

    run(runtime, scenario)


def teams_of(runtime: Runtime, organisation_id: int) -> list[tuple[int, str]]:
    with runtime.database.connect() as connection:
        return dashboard.teams(connection, organisation_id)


def team_size(runtime: Runtime, team_id: int) -> int:
    with runtime.database.connect() as connection:
        return len(connection.execute(select(table_of(TeamMember).c.person_id).where(
            table_of(TeamMember).c.team_id == team_id)).all())


def test_the_team_filter_and_bad_input(runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client)
        assert '<form method="get" action="/dashboard"' in html
        assert f'<option value="{world.directie}"' in html
        assert '<select name="organisation"' not in html  # a facilitator has one
        status, html = await page(client, f"?team={world.directie}")
        assert status == 200
        # A team of four: one sentence, not tables of hidden cells
        assert "Dit team heeft minder dan vijf deelnemers." in html
        assert "4 deelnemers" not in html  # not even the team's size
        assert 'id="too-small"' in html and "<table" not in html and "data-chart" not in html
        bigger = next(team for team, name in teams_of(runtime, world.demo_id)
                      if team != world.directie and team_size(runtime, team) >= 5)
        status, html = await page(client, f"?team={bigger}")
        assert status == 200 and 'id="too-small"' not in html
        assert f'href="/dashboard/streaks.csv?team={bigger}"' in html
        # The language switch keeps the team the page shows
        assert f'href="/dashboard?team={bigger}&amp;lang=en"' in html
        assert (await page(client, f"?team={world.other_team}"))[0] == 404
        assert (await page(client, "?team=abc"))[0] == 400
        assert (await page(client, "?team=99999999999999999999"))[0] == 404
        assert (await page(client, "?team="))[0] == 200
        _, html = await page(client, '?lang="><b>')
        assert 'name="lang"' not in html and "<b>" not in html

    run(runtime, scenario)


def test_english_with_lang(runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client, "?lang=en")
        text = unescape(html)
        assert TEXTS.render("dashboard.diary_response.title", "en") in text
        assert "too few participants" in text
        assert "te weinig deelnemers" not in text
        assert 'href="/dashboard/streaks.csv?lang=en"' in html
        assert '<input type="hidden" name="lang" value="en">' in html

    run(runtime, scenario)


# -- whose organisation -----------------------------------------------------------------


def test_a_facilitator_of_another_organisation_cannot_see_the_demo(
        runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.outsider)
        status, html = await page(client)
        assert status == 200
        text = unescape(html)
        assert "Acme" in text
        assert demo.DEMO_NAME not in text
        assert "Verpleegafdeling" not in text and demo.SMALL_TEAM not in text
        status, html = await page(client, f"?organisation={world.demo_id}")
        assert status == 403
        assert demo.DEMO_NAME not in unescape(html)
        assert (await page(client, f"?organisation={world.other_id}"))[0] == 200
        response = await client.get(f"/dashboard/streaks.csv?organisation={world.demo_id}",
                                    allow_redirects=False)
        assert response.status == 403
        # A demo team id is "not found" here, not a way in.
        assert (await page(client, f"?team={world.directie}"))[0] == 404
        response = await client.get(f"/dashboard/streaks.csv?team={world.directie}")
        assert response.status == 404

    run(runtime, scenario)


def test_the_admin_starts_at_the_demo_and_may_choose_any_organisation(
        runtime: Runtime, world: World) -> None:
    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, None)
        status, html = await page(client)
        assert status == 200
        assert demo.DEMO_NAME in unescape(html)
        assert '<select name="organisation"' in html
        assert f'<option value="{world.other_id}"' in html
        assert f'href="/dashboard/streaks.csv?organisation={world.demo_id}"' in html
        status, html = await page(client, f"?organisation={world.other_id}")
        assert status == 200
        assert "Magazijn" in html
        assert "Acme" in html.split("</h1>")[0]
        assert f'<option value="{world.other_id}" selected>' in html
        assert "Verpleegafdeling" not in html
        assert (await page(client, "?organisation=999999"))[0] == 404
        response = await client.get(f"/dashboard/goals.csv?organisation={world.other_id}")
        assert response.status == 200
        assert "acme-goals-" in response.headers["Content-Disposition"]

    run(runtime, scenario)


def test_the_admin_without_a_demo_starts_at_the_first_organisation_with_people(
        runtime: Runtime) -> None:
    now = runtime.engine.clock()
    organisations = table_of(Organisation)
    with runtime.database.begin() as connection:
        connection.execute(insert(organisations).values(slug="leeg", name="Leeg BV",
                                                        created_at=now))
        busy = connection.execute(insert(organisations).values(
            slug="bezig", name="Bezig BV", created_at=now).returning(
            organisations.c.id)).scalar_one()
        _person(connection, busy, "Iemand")

    async def scenario(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, None)
        status, html = await page(client)
        assert status == 200
        assert "Bezig BV" in html.split("</h1>")[0]

    run(runtime, scenario)


# -- the viewer's own canvas ------------------------------------------------------------


def test_a_canvas_is_shown_and_exported_to_its_author_only(
        runtime: Runtime, world: World) -> None:
    secret = "Onze klanten <script>alert(1)</script> vragen om **sneller** advies"
    with runtime.database.begin() as connection:
        canvas_id = connection.execute(insert(table_of(LearningCanvas)).values(
            person_id=world.facilitator, organisation_id=world.demo_id,
            answers={"organisation": "Servicedesk", "customers": secret,
                     "vuca": "Alles verandert\nsteeds sneller"},
            summary="…", confirmed=False, correction="Het moet over het team gaan",
            plan={"year_1": "Beginnen met intervisie"}, created_at=runtime.engine.clock(),
        ).returning(table_of(LearningCanvas).c.id)).scalar_one()

    async def author(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.facilitator)
        _, html = await page(client)
        assert TEXTS.render("web.dashboard.canvas_title", "nl") in unescape(html)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Alles verandert<br>steeds sneller" in html
        assert "<blockquote>Het moet over het team gaan</blockquote>" in html
        assert "Beginnen met intervisie" in html
        assert f'href="/dashboard/canvas/{canvas_id}.md"' in html
        response = await client.get(f"/dashboard/canvas/{canvas_id}.md")
        assert response.status == 200
        assert response.content_type == "text/markdown"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        body = await response.text()
        assert body.startswith("# ") and secret in body
        assert (await client.get(f"/dashboard/canvas/{canvas_id + 1}.md")).status == 404

    async def colleague(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.colleague)
        _, html = await page(client)
        assert "alert(1)" not in html and "Beginnen met intervisie" not in html
        assert TEXTS.render("web.dashboard.canvas_title", "nl") not in unescape(html)
        assert (await client.get(f"/dashboard/canvas/{canvas_id}.md")).status == 404

    async def admin(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, None)
        _, html = await page(client)
        assert "Beginnen met intervisie" not in html
        assert (await client.get(f"/dashboard/canvas/{canvas_id}.md")).status == 404

    async def participant(client: TestClient[Any, Any]) -> None:
        await log_in(client, runtime, world.participant)
        response = await client.get(f"/dashboard/canvas/{canvas_id}.md",
                                    allow_redirects=False)
        assert response.status == 403

    for scenario in (author, colleague, admin, participant):
        run(runtime, scenario)


def test_markdown_blocks_keep_the_canvas_structure() -> None:
    blocks = web_dashboard.markdown_blocks(
        "# Titel\n\n_Door Anna, 2026-03-11_\n\n## Deel\n\n- **Vraag:** een\n  twee\n"
        "- **Ander:** drie\n\n> eerste\n>\n> derde\n\nLos <b>stuk</b>\nnog een regel\n")
    assert [(b.kind, b.level) for b in blocks] == [
        ("heading", 1), ("byline", 0), ("heading", 2), ("list", 0), ("quote", 0),
        ("paragraph", 0)]
    assert blocks[3].items == [("Vraag", "een\ntwee"), ("Ander", "drie")]
    assert blocks[4].text == "eerste\n\nderde"
    assert blocks[5].text == "Los <b>stuk</b>\nnog een regel"  # escaped by the template
