"""`/me` over real HTTP: a person sees their own history, and nobody else's, whatever they ask."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aiohttp import ClientSession, CookieJar
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from adapters.http_server import create_app
from adapters.web.app import WebAdapter
from adapters.web.markup import chat_markup
from bot.core.messages import Address, InboundEvent
from bot.people import web_access as access
from bot.people.roles import set_role
from bot.runtime import Runtime
from bot.storage.models import (
    Competence,
    ContractResponse,
    DiaryEntry,
    Identity,
    LearningContract,
    MonthlyReflection,
    Person,
    WebSession,
    WeeklyPlan,
    YearlyReview,
    table_of,
)
from tests.rigs.browser import chromium, live_server, login_token, screenshot
from tests.rigs.loopback import serving

__all__ = ["chromium"]  # the browser fixture, used by the last test

HTML = {"Accept": "text/html"}
DATA = re.compile(r'<script type="application/json" id="me-data">(.*?)</script>', re.S)


def person(runtime: Runtime, user: str, role: str = "participant") -> int:
    """Someone who has talked to the coach in Slack, with a role."""
    address = Address("slack", "T1", user, f"D-{user}")
    runtime.engine.handle(InboundEvent(address=address, text="help", display_name=user))
    with runtime.database.begin() as connection:
        person_id = int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())
        set_role(connection, person_id, role)
    return person_id


def diary(runtime: Runtime, person_id: int, learning: str, day: date = date(2026, 3, 11),
          **fields: object) -> None:
    with Session(runtime.database) as session, session.begin():
        session.add(DiaryEntry(person_id=person_id, local_date=day, learning=learning,
                               **fields))


def text(runtime: Runtime, key: str, locale: str = "nl", **variables: object) -> str:
    """A text as the page shows it (escaped)."""
    return html.escape(runtime.engine.prompts.render(f"web.{key}", locale, **variables))


def run(runtime: Runtime, scenario: Callable[[str], Awaitable[None]]) -> None:
    async def main() -> None:
        async with serving(create_app(runtime, adapters=[WebAdapter(runtime)])) as base:
            await scenario(base)

    asyncio.run(main())


async def logged_in(runtime: Runtime, base: str, person_id: int | None) -> ClientSession:
    with runtime.database.begin() as connection:
        token = access.issue_link(connection, person_id, runtime.engine.clock())
    client = ClientSession(cookie_jar=CookieJar(unsafe=True))
    async with client.post(f"{base}/login", data={"token": token},
                           allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    return client


async def page(client: ClientSession, url: str) -> tuple[int, str]:
    async with client.get(url, headers=HTML, allow_redirects=False) as response:
        return response.status, await response.text()


def test_anonymous_is_sent_to_log_in(runtime: Runtime) -> None:
    async def scenario(base: str) -> None:
        async with ClientSession() as client, client.get(
                f"{base}/me", headers=HTML, allow_redirects=False) as response:
            assert response.status == 303
            assert response.headers["Location"] == "/login"

    run(runtime, scenario)


def test_a_participant_sees_only_their_own_history(runtime: Runtime) -> None:
    anna, bob = person(runtime, "anna"), person(runtime, "bob")
    diary(runtime, anna, "Anna leerde: eerst vragen.", moments="Eerste regel\nTweede regel")
    diary(runtime, bob, "Bob zijn geheime les.")

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, anna)
        async with client:
            for url in ("/me", f"/me?person={bob}", f"/me?person_id={bob}&id={bob}"):
                status, body = await page(client, base + url)
                assert status == 200
                assert "Anna leerde: eerst vragen." in body
                assert "Eerste regel\nTweede regel" in body  # line breaks kept (pre-wrap)
                assert "Bob zijn geheime les." not in body
                assert text(runtime, "me.title") in body
            status, _ = await page(client, f"{base}/dashboard")
            assert status == 403

    run(runtime, scenario)


def test_the_focus_chart_data_and_its_scripts(runtime: Runtime) -> None:
    anna = person(runtime, "anna")
    with runtime.database.begin() as connection:
        organisation = connection.execute(select(Person.organisation_id).where(
            Person.id == anna)).scalar_one()
        # A catalog name a facilitator wrote may hold markup; it must not end the JSON.
        connection.execute(insert(table_of(Competence)).values(
            organisation_id=organisation, code="x-sneaky", discipline_nl="D",
            discipline_en="D", name_nl="Sneaky </script><b>x", name_en="Sneaky"))
    with Session(runtime.database) as session, session.begin():
        session.add_all([
            MonthlyReflection(person_id=anna, month=date(2026, 2, 1),
                              focus_month=date(2026, 3, 1), focus=["feedback", "x-sneaky"]),
            WeeklyPlan(person_id=anna, week_start=date(2026, 3, 2), competence_code="feedback"),
            WeeklyPlan(person_id=anna, week_start=date(2026, 3, 9), competence_code="feedback"),
        ])

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, anna)
        async with client:
            status, body = await page(client, f"{base}/me")
            assert status == 200
            assert 'data-chart="focus"' in body
            assert "</script><b>" not in body
            found = DATA.search(body)
            assert found is not None
            data = json.loads(found.group(1))
            assert data["competences"] == ["Feedback geven en ontvangen",
                                           "Sneaky </script><b>x"]
            assert len(data["months"]) == 1
            month = data["months"][0]
            assert {"x": month, "y": "Feedback geven en ontvangen"} in data["chosen"]
            assert data["planned"] == [
                {"x": month, "y": "Feedback geven en ontvangen", "weeks": 2}]
            # Only scripts from this server (CSP script-src 'self'): no inline code.
            for tag in re.findall(r"<script[^>]*>", body):
                assert " src=" in tag or 'type="application/json"' in tag, tag
            scripts = re.findall(r'<script src="([^"]+)"', body)
            assert any("/static/chart.umd.min.js" in s for s in scripts), scripts
            assert any("/static/me.js" in s for s in scripts), scripts
            styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', body)
            for asset in [*scripts, *styles]:
                async with client.get(base + asset) as response:
                    assert response.status == 200, asset

    run(runtime, scenario)


def test_free_text_is_escaped(runtime: Runtime) -> None:
    anna = person(runtime, "anna")
    diary(runtime, anna, "<script>alert(1)</script>", approach='"><img src=x onerror=alert(2)>')

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, anna)
        async with client:
            _, body = await page(client, f"{base}/me")
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
        assert "<img src=x" not in body

    run(runtime, scenario)


def test_the_admin_sees_the_person_chosen_in_the_chat(runtime: Runtime) -> None:
    anna = person(runtime, "anna")
    diary(runtime, anna, "Anna haar les.")

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, None)
        async with client:
            status, body = await page(client, f"{base}/me?person={anna}")
            assert status == 200
            assert text(runtime, "me.pick_person") in body
            assert 'href="/"' in body
            assert "Anna haar les." not in body
            with runtime.database.begin() as connection:
                sessions = table_of(WebSession)
                connection.execute(update(sessions).where(sessions.c.person_id.is_(None))
                                   .values(chat_person_id=anna))
            status, body = await page(client, f"{base}/me")
            assert status == 200
            assert "Anna haar les." in body
            assert text(runtime, "me.title_of", name="anna") in body

    run(runtime, scenario)


def test_a_facilitator_sees_their_own_page_in_their_language(runtime: Runtime) -> None:
    fiona, anna = person(runtime, "fiona", "facilitator"), person(runtime, "anna")
    with runtime.database.begin() as connection:
        connection.execute(update(table_of(Person)).where(table_of(Person).c.id == fiona)
                           .values(locale="en"))
    diary(runtime, fiona, "Fiona's lesson.", value=4)
    diary(runtime, anna, "Anna haar les.")

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, fiona)
        async with client:
            status, body = await page(client, f"{base}/me?person={anna}")
            assert status == 200
            assert "Fiona&#39;s lesson." in body
            assert text(runtime, "me.value", "en", value=4) in body
            assert text(runtime, "me.title", "en") in body
            assert "Anna haar les." not in body
            # Nothing kept yet for the focus: its empty state, and no chart script.
            # chat markup as formatting: *month* is bold, not asterisks
            assert str(chat_markup(text(runtime, "me.focus_empty", "en"))) in body
            assert "*month*" not in body
            assert "me-data" not in body and "me.js" not in body

    run(runtime, scenario)


CHART_DRAWN = """
const canvas = document.querySelector('[data-chart="focus"] canvas');
if (!canvas || !window.Chart || !window.Chart.getChart(canvas)) { return null; }
const blank = document.createElement('canvas');
blank.width = canvas.width; blank.height = canvas.height;
return {width: canvas.width, height: canvas.height,
        drawn: canvas.toDataURL() !== blank.toDataURL()};
"""


def test_the_page_draws_its_focus_chart_in_a_browser(
        runtime: Runtime, chromium: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    anna, bob = person(runtime, "Anna de Vries"), person(runtime, "Bob Bakker")
    at = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
    for day, learning in ((date(2026, 3, 9), "Eerst vragen, dan adviseren."),
                          (date(2026, 3, 11), "Een stilte laten vallen werkt.")):
        diary(runtime, anna, learning, day, moments="Het teamoverleg liep anders.\nDaarna "
              "een lastig klantgesprek.", approach="Ik vroeg door.", value=4,
              extra={"plan_check": True})
    with Session(runtime.database) as session, session.begin():
        first = WeeklyPlan(person_id=anna, week_start=date(2026, 3, 2),
                           competence_code="feedback", situation="Teamoverleg",
                           approach="Eerst twee vragen stellen", moment="dinsdag",
                           practised=2, checked=3)
        session.add(first)
        session.flush()
        contract = LearningContract(person_id=anna, quarter="2026-Q1", version=1,
                                    goal="Elke week feedback vragen.", competences=["feedback"],
                                    share_consent=True, shared_with_id=bob, created_at=at)
        session.add_all([
            WeeklyPlan(person_id=anna, week_start=date(2026, 3, 9), competence_code="feedback",
                       previous_id=first.id, follows="continue", learned="Vragen werkt."),
            WeeklyPlan(person_id=anna, week_start=date(2026, 2, 9),
                       competence_code="samenwerken"),
            MonthlyReflection(person_id=anna, month=date(2026, 1, 1),
                              focus_month=date(2026, 2, 1), focus=["samenwerken"]),
            MonthlyReflection(person_id=anna, month=date(2026, 2, 1),
                              focus_month=date(2026, 3, 1), focus=["feedback", "samenwerken"],
                              went_well="De retro.", concrete_next="Om feedback vragen."),
            contract,
            YearlyReview(person_id=anna, year=2025, challenging=4, inspiring=3, rewarding=4,
                         next_step="within_job", proud_of="Het nieuwe team."),
        ])
        session.flush()
        session.add(ContractResponse(contract_id=contract.id, responder_id=bob,
                                     response="Mooi doel!", created_at=at))
    driver = chromium
    driver.set_window_size(1280, 2700)
    with live_server(runtime) as base:
        driver.get(f"{base}/login/{login_token(runtime, anna)}")
        driver.find_element(By.ID, "login-button").click()
        WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith("/me"))
        chart = WebDriverWait(driver, 15).until(
            lambda d: result if (result := d.execute_script(CHART_DRAWN)) and result["drawn"]
            else False)
        assert chart["width"] > 0 and chart["height"] > 0
        assert "Mooi doel!" in driver.find_element(By.TAG_NAME, "main").text
        screenshot(driver, tmp_path, "me")
        errors = [entry["message"] for entry in driver.get_log("browser")
                  if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]
        assert errors == []


def test_the_overview_at_the_top_and_nothing_of_anyone_else(runtime: Runtime) -> None:
    anna, bob = person(runtime, "Anna de Vries"), person(runtime, "Bob Bakker")
    at = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    diary(runtime, anna, "Anna haar les.", date(2026, 3, 10))
    diary(runtime, anna, "Nog een les.", date(2026, 3, 11))
    diary(runtime, bob, "Bob zijn geheime les.", date(2026, 3, 9))
    with Session(runtime.database) as session, session.begin():
        contract = LearningContract(person_id=anna, quarter="2026-Q1", version=1,
                                    goal="Elke week feedback vragen.", share_consent=True,
                                    shared_with_id=bob, created_at=at)
        other = LearningContract(person_id=bob, quarter="2026-Q1", version=1,
                                 goal="Bobs eigen doel.", created_at=at)
        session.add_all([contract, other])
        session.flush()
        session.add(ContractResponse(contract_id=contract.id, responder_id=bob,
                                     response="Mooi doel, Anna!", created_at=at))
        session.add(WeeklyPlan(person_id=bob, week_start=date(2026, 3, 9),
                               situation="Bobs geheime plan"))

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, anna)
        async with client:
            status, body = await page(client, f"{base}/me")
        assert status == 200
        top = body.index('id="overview"')
        assert top < body.index('id="calendar"') < body.index('id="diary"')
        overview = body[top:body.index('id="calendar"')]
        # The engine's home, as Slack's App Home shows it: the streak, the contract's goal
        assert "Dagboek vandaag" in overview and "2 werkdagen op rij" in overview
        assert "Elke week feedback vragen." in overview
        assert "Mooi doel, Anna!" in overview and "Reactie van Bob" in overview
        assert 'id="overview-nudge"' in overview
        # The year's calendar: Anna's two days written, Bob's day not hers
        assert body.count('class="day written" title=') == 2
        assert "2 dagen geschreven" in body
        for secret in ("Bob zijn geheime les.", "Bobs eigen doel.", "Bobs geheime plan"):
            assert secret not in body

    run(runtime, scenario)


def test_the_timeline_folds_what_is_older(runtime: Runtime) -> None:
    anna = person(runtime, "Anna")
    for day in range(1, 13):  # twelve entries: ten open, two folded
        diary(runtime, anna, f"Les {day}.", date(2026, 3, day))

    async def scenario(base: str) -> None:
        client = await logged_in(runtime, base, anna)
        async with client:
            _, body = await page(client, f"{base}/me")
        folded = body[body.index('id="diary-more"'):]
        folded = folded[:folded.index("</details>")]
        assert "Toon 2 oudere" in folded
        assert "Les 1." in folded and "Les 2." in folded and "Les 12." not in folded

    run(runtime, scenario)
