"""What every page shares, over real HTTP: the nl/en switch that sticks for the session,
the login page in the browser's language with every way to get a link on this install, the
404/410 page, and chat markup shown as formatting without ever becoming other markup."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from aiohttp import ClientSession, CookieJar
from sqlalchemy import select, update
from yarl import URL

from adapters.http_server import create_app
from adapters.web.app import WebAdapter
from adapters.web.markup import chat_markup
from adapters.web.site import LANG_COOKIE
from bot.core.messages import Address, InboundEvent
from bot.people import web_access as access
from bot.runtime import Runtime
from bot.storage.models import Identity, Person
from tests.rigs.loopback import serving

HTML = {"Accept": "text/html"}
LANG = re.compile(r'<html lang="(\w+)">')


def run(runtime: Runtime, scenario: Callable[[str, ClientSession], Awaitable[None]]) -> None:
    async def main() -> None:
        async with serving(create_app(runtime, adapters=[WebAdapter(runtime)])) as base, \
                ClientSession(cookie_jar=CookieJar(unsafe=True)) as client:
            await scenario(base, client)

    asyncio.run(main())


async def get(client: ClientSession, url: str, **headers: str) -> tuple[int, str]:
    async with client.get(url, headers={**HTML, **headers}, allow_redirects=False) as response:
        return response.status, await response.text()


def language(page: str) -> str:
    found = LANG.search(page)
    assert found is not None
    return found.group(1)


def slack_person(runtime: Runtime, user: str, text: str = "help") -> int:
    runtime.engine.handle(InboundEvent(address=Address("slack", "T1", user, f"D-{user}"),
                                       text=text, display_name=user))
    with runtime.database.connect() as connection:
        return int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())


def test_chat_markup_is_escaped_first_then_formatted() -> None:
    assert str(chat_markup("typ *dagboek* of _maand_, `leercoach login-link`")) == (
        "typ <strong>dagboek</strong> of <em>maand</em>, <code>leercoach login-link</code>")
    hostile = str(chat_markup('*<script>alert(1)</script>* <img src=x onerror="y"> `<b>`'))
    assert "<script" not in hostile and "<img" not in hostile and "<b>" not in hostile
    assert hostile.startswith("<strong>&lt;script&gt;")
    assert str(chat_markup("Zo:\n• een\n• *twee*\nklaar")) == (
        "Zo:<br><ul><li>een</li><li><strong>twee</strong></li></ul>klaar")
    # Words with underscores and sums with stars stay as they are
    assert str(chat_markup("snake_case_name en 2*3*4")) == "snake_case_name en 2*3*4"


def test_the_login_page_follows_the_browser_and_the_switch_sticks(runtime: Runtime) -> None:
    async def scenario(base: str, client: ClientSession) -> None:
        status, page = await get(client, f"{base}/login",
                                 **{"Accept-Language": "en-GB,en;q=0.9,nl;q=0.8"})
        assert status == 401 and language(page) == "en" and "How do you get a link?" in page
        _, page = await get(client, f"{base}/login", **{"Accept-Language": "de, nl;q=0.5"})
        assert language(page) == "nl"
        _, page = await get(client, f"{base}/login", **{"Accept-Language": "nl;q=0.2, en"})
        assert language(page) == "en"
        # The switch is on the page, both ways, and keeps the page's own query
        assert 'href="/login?lang=en"' in page and 'href="/login?lang=nl"' in page
        _, page = await get(client, f"{base}/login?lang=nl",
                            **{"Accept-Language": "en"})
        assert language(page) == "nl"
        assert client.cookie_jar.filter_cookies(URL(base)).get(LANG_COOKIE) is not None
        _, page = await get(client, f"{base}/login", **{"Accept-Language": "en"})
        assert language(page) == "nl"  # the choice sticks over the browser's language
        _, page = await get(client, f"{base}/no-such-page?lang=en")
        _, page = await get(client, f"{base}/login")
        assert language(page) == "en"
        _, page = await get(client, f"{base}/login?lang=xx")
        assert language(page) == "en"  # an unknown language changes nothing

    run(runtime, scenario)


def test_a_person_sees_their_chat_language_until_they_switch(runtime: Runtime) -> None:
    anna = slack_person(runtime, "anna")
    with runtime.database.begin() as connection:
        connection.execute(update(Person).where(Person.id == anna).values(locale="en"))
        token = access.issue_link(connection, anna, runtime.engine.clock())

    async def scenario(base: str, client: ClientSession) -> None:
        async with client.post(f"{base}/login", data={"token": token},
                               allow_redirects=False) as response:
            assert response.status == 303
        _, page = await get(client, f"{base}/me", **{"Accept-Language": "nl"})
        assert language(page) == "en"  # the person's chat language, not the browser's
        _, page = await get(client, f"{base}/me?lang=nl")
        assert language(page) == "nl"
        _, page = await get(client, f"{base}/me")
        assert language(page) == "nl"  # navigation keeps the choice

    run(runtime, scenario)


def test_every_way_to_get_a_link_on_this_install(runtime: Runtime) -> None:
    async def scenario(base: str, client: ClientSession) -> None:
        _, page = await get(client, f"{base}/login")
        # Nobody chats anywhere yet: only the command on the server
        assert "<code>leercoach login-link --admin</code>" in page
        assert "Slack" not in page and "Teams" not in page
        slack_person(runtime, "anna")
        status, page = await get(client, f"{base}/login/expired-or-made-up")
        assert status == 410
        assert "Deze link werkt niet meer" in page
        assert "in Slack." in page and "Teams" not in page
        assert "<strong>dashboard</strong>" in page and "*dashboard*" not in page
        assert "leercoach login-link" in page

    run(runtime, scenario)


def test_a_page_that_is_not_there(runtime: Runtime) -> None:
    async def scenario(base: str, client: ClientSession) -> None:
        status, page = await get(client, f"{base}/no/such/page")
        assert status == 404
        assert "<h1>Deze pagina bestaat niet</h1>" in page and 'href="/login"' in page
        assert "Content-Security-Policy" not in page  # a page, not aiohttp's bare text
        async with client.get(f"{base}/no/such/page",
                              headers={"Accept": "application/json"}) as response:
            assert response.status == 404 and "<h1>" not in await response.text()
        async with client.get(f"{base}/static/nothing.css") as response:
            assert response.status == 404 and "<h1>" not in await response.text()
        status, page = await get(client, f"{base}/no/such/page?lang=en")
        assert status == 404 and "<h1>This page does not exist</h1>" in page

    run(runtime, scenario)
