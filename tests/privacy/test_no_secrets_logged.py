"""No secret or token ever reaches a log line: the Slack signing secret and bot token, the
Teams app password, login links and session cookies. Each test runs a real exchange over
HTTP with every logger at DEBUG, including failures (a bad signature, a forged Teams token,
a wrong CSRF token, an expired link), then scans everything logged."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import aiohttp
import pytest
from aiohttp import ClientSession, CookieJar

from adapters import logs
from adapters.teams.config import TeamsConfig
from bot.runtime import Runtime
from tests.rigs import slack_rig
from tests.rigs.browser import live_server, login_token
from tests.rigs.slack_rig import BOT_TOKEN, SECRET, dm, sign
from tests.rigs.teams_rig import APP_ID, teams_rig

TEAMS_PASSWORD = "teams-app-password-never-logged"


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{record.name} {record.getMessage()} {record.exc_text or ''} {record.args!r}"
        for record in caplog.records)


def test_slack_secrets_are_never_logged(runtime: Runtime,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        async with slack_rig.slack_rig(runtime) as rig:
            response = await rig.post_json(dm("dagboek"))
            assert response.status == 200
            await rig.posts(1)
            body = json.dumps(dm("hallo", event_id="Ev-bad"))
            headers = {**sign(body, secret="not-the-secret"), "Content-Type": "application/json"}
            async with rig.http.post(f"{rig.url}/slack/events", data=body,
                                     headers=headers) as refused:
                assert refused.status == 401

    asyncio.run(scenario())
    logged = everything_logged(caplog)
    assert caplog.records, "nothing was logged: the scan would prove nothing"
    assert SECRET not in logged
    assert BOT_TOKEN not in logged


def test_the_teams_password_is_never_logged(runtime: Runtime,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        config = TeamsConfig(app_id=APP_ID, app_password=TEAMS_PASSWORD)
        async with teams_rig(runtime, config) as rig:
            status, _ = await rig.post(rig.activity(text="hallo"),
                                       headers={"Authorization": "Bearer forged.token.here"})
            assert status == 401

    asyncio.run(scenario())
    logged = everything_logged(caplog)
    assert TEAMS_PASSWORD not in logged
    assert "forged.token.here" not in logged


def test_login_links_and_session_cookies_are_never_logged(
        runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = login_token(runtime, None)
    spent = login_token(runtime, None)
    cookies: list[str] = []

    async def scenario(base: str) -> None:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as browser:
            async with browser.get(f"{base}/login/{token}") as page:
                assert page.status == 200
            async with browser.post(f"{base}/login", data={"token": token},
                                    allow_redirects=False) as response:
                assert response.status == 303
                cookies.append(response.cookies["leercoach_session"].value)
            async with browser.post(f"{base}/logout", data={"csrf": "wrong"},
                                    allow_redirects=False) as forged:
                assert forged.status == 403
            async with browser.get(f"{base}/dashboard") as dashboard:
                assert dashboard.status == 200
        async with aiohttp.ClientSession() as other:
            async with other.post(f"{base}/login", data={"token": spent}) as first:
                assert first.status < 500
            async with other.post(f"{base}/login", data={"token": spent}) as again:
                assert again.status == 410

    with live_server(runtime) as base:
        asyncio.run(scenario(base))
    logged = everything_logged(caplog)
    assert token not in logged
    assert spent not in logged
    assert cookies and cookies[0] not in logged


PERSONAL = "Mijn collega Pieter huilde vandaag in het overleg"


def test_json_logs_carry_context_and_no_personal_text_or_secret(runtime: Runtime) -> None:
    """LEERCOACH_LOG_FORMAT=json (adapters/logs.py) at DEBUG over a real Slack exchange:
    every line one JSON object with its time, level and logger; the request, the turn,
    its platform and outcome named by ids; nothing a person wrote, no secret."""
    stream = io.StringIO()
    handler = logs.handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    async def scenario() -> None:
        async with slack_rig.slack_rig(runtime) as rig:
            assert (await rig.post_json(dm("dagboek"))).status == 200
            await rig.posts(1)
            assert (await rig.post_json(dm(PERSONAL))).status == 200
            await rig.posts(2)
            body = json.dumps(dm(PERSONAL, event_id="Ev-bad"))
            headers = {**sign(body, secret="not-the-secret"), "Content-Type": "application/json"}
            async with rig.http.post(f"{rig.url}/slack/events", data=body,
                                     headers=headers) as refused:
                assert refused.status == 401

    try:
        asyncio.run(scenario())
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    lines = stream.getvalue().splitlines()
    assert len(lines) > 5, "too little was logged for the scan to prove anything"
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    turns = [r for r in records if r["logger"] == "leercoach.engine" and "turn_id" in r]
    assert turns and all(r["platform"] == "slack" and r["outcome"] == "ok" for r in turns)
    assert all("request_id" in r for r in turns), "a turn's lines name the request too"
    logged = stream.getvalue()
    for never in (PERSONAL, "Pieter", SECRET, BOT_TOKEN):
        assert never not in logged, f"{never!r} was logged"
