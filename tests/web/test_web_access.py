"""Who gets into which web page: one-time links, sessions, roles and CSRF, over real HTTP.

Every route of the web adapter is listed in ROUTES with what an anonymous browser, a
participant, a facilitator and the admin get, so a new page cannot slip in unguarded.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar
from sqlalchemy import select

from adapters.cli.main import main
from bot.config import Settings
from bot.core.messages import Address, InboundEvent
from bot.people import web_access as access
from bot.people.roles import set_role
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Identity
from tests.conftest import Clock
from tests.rigs.browser import live_server, login_token

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def clocked(sqlite_url: str, clock: Clock) -> Iterator[Runtime]:
    opened = open_runtime(Settings(database_url=sqlite_url), clock=clock)
    yield opened
    opened.close()


def person(runtime: Runtime, user: str, role: str = "participant") -> int:
    """Someone who has talked to the coach in Slack, with a role."""
    address = Address("slack", "T1", user, f"D-{user}")
    runtime.engine.handle(InboundEvent(address=address, text="help", display_name=user))
    with runtime.database.begin() as connection:
        person_id = int(connection.execute(select(Identity.person_id).where(
            Identity.external_id == user)).scalar_one())
        set_role(connection, person_id, role)
    return person_id


def run(runtime: Runtime, scenario: Callable[[str], Awaitable[None]]) -> None:
    with live_server(runtime) as base:
        asyncio.run(scenario(base))


async def logged_in(base: str, token: str) -> ClientSession:
    client = ClientSession(cookie_jar=CookieJar(unsafe=True))
    async with client.post(f"{base}/login", data={"token": token},
                           allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    return client


# (method, path, anonymous, participant, facilitator, admin): the status each one gets with
# a browser's Accept; 303 means "sent elsewhere" (the login page, or one's own landing page).
ROUTES = [
    ("GET", "/healthz", 200, 200, 200, 200),
    ("GET", "/readyz", 200, 200, 200, 200),
    ("GET", "/", 303, 303, 303, 200),
    ("GET", "/me", 303, 200, 200, 200),
    ("GET", "/dashboard", 303, 403, 200, 200),
    ("GET", "/dashboard/diary_response.csv", 303, 403, 200, 200),
]


def test_every_route_keeps_to_its_access_rule(clocked: Runtime) -> None:
    participant = person(clocked, "U-part")
    facilitator = person(clocked, "U-faci", "facilitator")
    tokens = {"participant": login_token(clocked, participant),
              "facilitator": login_token(clocked, facilitator),
              "admin": login_token(clocked, None)}

    async def scenario(base: str) -> None:
        clients = {"anonymous": ClientSession()}
        for who, token in tokens.items():
            clients[who] = await logged_in(base, token)
        try:
            for method, path, *expected in ROUTES:
                for who, status in zip(("anonymous", "participant", "facilitator", "admin"),
                                       expected, strict=True):
                    async with clients[who].request(method, f"{base}{path}", headers=HTML,
                                                    allow_redirects=False) as response:
                        assert response.status == status, (who, path, response.status)
                        if status == 303 and who == "anonymous":
                            assert response.headers["Location"] == "/login"
            # what a script gets instead of a redirect
            async with clients["anonymous"].get(f"{base}/dashboard", headers=JSON,
                                                allow_redirects=False) as response:
                assert response.status == 401
            async with clients["participant"].get(f"{base}/", headers=HTML,
                                                  allow_redirects=False) as response:
                assert response.headers["Location"] == "/me"
            async with clients["facilitator"].get(f"{base}/", headers=HTML,
                                                  allow_redirects=False) as response:
                assert response.headers["Location"] == "/dashboard"
        finally:
            for client in clients.values():
                await client.close()

    run(clocked, scenario)


def test_a_link_works_once_within_15_minutes_and_sets_a_safe_cookie(
        clocked: Runtime, clock: Clock) -> None:
    someone = person(clocked, "U-once")
    token = login_token(clocked, someone)
    late = login_token(clocked, someone)

    async def scenario(base: str) -> None:
        async with ClientSession() as browser:
            # opening the link (a chat app's preview does that) does not spend it
            async with browser.get(f"{base}/login/{token}", headers=HTML) as response:
                assert response.status == 200
                assert 'name="token"' in await response.text()
            async with browser.post(f"{base}/login", data={"token": token},
                                    allow_redirects=False) as response:
                assert response.status == 303
                assert response.headers["Location"] == "/me"
                cookie = response.headers["Set-Cookie"]
                assert "HttpOnly" in cookie
                assert "SameSite=Lax" in cookie
                assert "Path=/" in cookie
            async with browser.post(f"{base}/login", data={"token": token},
                                    allow_redirects=False) as response:
                assert response.status == 410  # used
            async with browser.get(f"{base}/login/{token}", headers=HTML) as response:
                assert response.status == 410
            clock.advance(minutes=16)
            async with browser.post(f"{base}/login", data={"token": late},
                                    allow_redirects=False) as response:
                assert response.status == 410  # expired
            for bad in ("", "x" * 5000, "nope"):
                async with browser.post(f"{base}/login", data={"token": bad},
                                        allow_redirects=False) as response:
                    assert response.status in (400, 410)
            async with browser.get(f"{base}/login/{'y' * 300}", headers=HTML) as response:
                assert response.status == 410

    run(clocked, scenario)


def test_sessions_end_by_logout_with_csrf_and_by_time(clocked: Runtime, clock: Clock) -> None:
    someone = person(clocked, "U-out")

    async def scenario(base: str) -> None:
        client = await logged_in(base, login_token(clocked, someone))
        try:
            async with client.get(f"{base}/me", headers=HTML) as response:
                assert response.status == 200
                page = await response.text()
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', page)
            assert csrf is not None
            async with client.post(f"{base}/logout", data={"csrf": "wrong"},
                                   allow_redirects=False) as response:
                assert response.status == 403
            async with client.get(f"{base}/me", headers=HTML,
                                  allow_redirects=False) as response:
                assert response.status == 200  # a forged logout changed nothing
            async with client.post(f"{base}/logout", data={"csrf": csrf.group(1)},
                                   allow_redirects=False) as response:
                assert response.status == 303
            async with client.get(f"{base}/me", headers=HTML,
                                  allow_redirects=False) as response:
                assert response.status == 303
        finally:
            await client.close()
        client = await logged_in(base, login_token(clocked, someone))
        try:
            clock.advance(hours=access.SESSION_LIFETIME.total_seconds() / 3600 + 1)
            async with client.get(f"{base}/me", headers=HTML,
                                  allow_redirects=False) as response:
                assert response.status == 303
            # a cookie that was never issued
            client.cookie_jar.update_cookies({"leercoach_session": "made-up"})
            async with client.get(f"{base}/me", headers=HTML,
                                  allow_redirects=False) as response:
                assert response.status == 303
        finally:
            await client.close()

    run(clocked, scenario)


def test_a_role_taken_away_takes_effect_at_once(clocked: Runtime) -> None:
    facilitator = person(clocked, "U-was", "facilitator")

    async def scenario(base: str) -> None:
        client = await logged_in(base, login_token(clocked, facilitator))
        try:
            async with client.get(f"{base}/dashboard", headers=HTML) as response:
                assert response.status == 200
            with clocked.database.begin() as connection:
                set_role(connection, facilitator, "participant")
            async with client.get(f"{base}/dashboard", headers=HTML,
                                  allow_redirects=False) as response:
                assert response.status == 403
                assert "procesbegeleiders" in await response.text()
        finally:
            await client.close()

    run(clocked, scenario)


def test_pages_forbid_framing_and_foreign_scripts(clocked: Runtime) -> None:
    async def scenario(base: str) -> None:
        client = await logged_in(base, login_token(clocked, None))
        try:
            async with client.get(f"{base}/dashboard", headers=HTML) as response:
                assert response.headers["X-Frame-Options"] == "DENY"
                policy = response.headers["Content-Security-Policy"]
                assert "script-src 'self'" in policy
                assert "frame-ancestors 'none'" in policy
                assert response.headers["Cache-Control"] == "no-store"
                assert "https://" not in await response.text()  # nothing from a CDN
        finally:
            await client.close()

    run(clocked, scenario)


def test_the_dashboard_command_sends_a_link_to_the_dm_only(runtime: Runtime) -> None:
    facilitator = person(runtime, "U-lead", "facilitator")
    assert facilitator
    dm = Address("slack", "T1", "U-lead", "D-U-lead")
    replies = runtime.engine.handle(InboundEvent(address=dm, text="dashboard"))
    text = " ".join(getattr(reply.message, "text", "") for reply in replies)
    link = re.search(r"http://127\.0\.0\.1:3978/login/(\S+)", text)
    assert link is not None, text
    assert "15 minuten" in text
    with runtime.database.connect() as connection:
        assert access.link_is_valid(connection, link.group(1).rstrip("."),
                                    runtime.engine.clock())

    # typed in a channel thread: the link goes to the DM, the thread only hears where it went
    thread = Address("slack", "T1", "U-lead", "C-team", thread="1700000000.1")
    replies = runtime.engine.handle(InboundEvent(address=thread, text="dashboard"))
    for reply in replies:
        if "/login/" in getattr(reply.message, "text", ""):
            assert reply.address.conversation == "D-U-lead"
            assert reply.address.thread is None
    assert any(reply.address.conversation == "C-team" for reply in replies)
    assert any("/login/" in getattr(reply.message, "text", "") for reply in replies)

    participant = person(runtime, "U-member")
    assert participant
    replies = runtime.engine.handle(InboundEvent(
        address=Address("slack", "T1", "U-member", "D-U-member"), text="mijn pagina"))
    assert any("eigen pagina" in getattr(reply.message, "text", "") for reply in replies)


def test_login_link_command_prints_a_working_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", url)
    monkeypatch.setenv("LEERCOACH_PUBLIC_URL", "https://coach.example.org/")
    assert main(["login-link", "--admin"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith("https://coach.example.org/login/")
    assert main(["login-link", "--user", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err
    runtime = open_runtime(Settings(database_url=url))
    try:
        with runtime.database.connect() as connection:
            assert access.link_is_valid(connection, printed.rsplit("/", 1)[1],
                                        runtime.engine.clock() + timedelta(minutes=14))
            assert not access.link_is_valid(connection, printed.rsplit("/", 1)[1],
                                            runtime.engine.clock() + timedelta(minutes=16))
    finally:
        runtime.close()
