"""Socket Mode never stands in the way of the server: a refused app token stops `serve`
with one clear line, an unreachable Slack is retried in the background (one log line per
change) while /healthz and the rest answer, `link_disabled` is not retried, and a 429's
Retry-After on apps.connections.open is honoured by the one loop that connects.

Slack's side is the mock Web API (apps.connections.open) and a websocket server on
loopback that says `hello` and `disconnect` as https://api.slack.com/apis/connections/socket
describes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from adapters.http_server import SHUTDOWN_KEY, create_app
from adapters.slack.app import SlackAdapter, build_slack
from adapters.slack.config import SlackConfig
from bot.runtime import Runtime
from tests.rigs.cli import clean_env, free_port, leercoach_command
from tests.rigs.loopback import serving, until
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import BOT_TOKEN
from tests.rigs.slack_socket import FakeSocketSlack

APP_TOKEN = "xapp-1-test"
TIMEOUT = 30


# -- `leercoach serve` as an operator runs it ------------------------------------------------


def _serve(tmp_path: Path, api_url: str, app_token: str, port: int) -> subprocess.Popen[str]:
    env = clean_env(SLACK_APP_TOKEN=app_token, SLACK_BOT_TOKEN=BOT_TOKEN,
                    LEERCOACH_SLACK_API_URL=api_url)
    return subprocess.Popen([*leercoach_command(), "serve", "--port", str(port),
                             "--no-scheduler"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate(timeout=TIMEOUT)


def test_serve_stops_with_one_clear_line_when_slack_refuses_the_app_token(
        tmp_path: Path) -> None:
    with MockSlackApi.running() as api:
        api.app_tokens = {"xapp-1-the-right-one"}
        process = _serve(tmp_path, api.base_url, "xapp-1-wrong", free_port())
        try:
            process.wait(timeout=TIMEOUT)
        finally:
            out, err = _stop(process)
        assert api.calls_to("apps.connections.open")[0].response["error"] == "invalid_auth"
    assert process.returncode == 2, (out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    about = [line for line in lines if "invalid_auth" in line or "Socket Mode" in line]
    assert about == [lines[-1]], err  # said once, as the last word
    assert lines[-1].startswith("leercoach: Slack refused SLACK_APP_TOKEN (invalid_auth)")
    assert "Traceback" not in err


@pytest.mark.slow
def test_serve_answers_while_slack_is_unreachable_and_says_so(tmp_path: Path) -> None:
    port = free_port()
    unreachable = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    process = _serve(tmp_path, unreachable, APP_TOKEN, port)
    try:
        body = _healthz(process, port, until=lambda b: str(b.get("slack", "")).startswith(
            "retrying"))
        assert body["status"] == "ok"
        threading.Event().wait(3.5)  # a few more attempts (1 s, 2 s, …): no new lines
        assert process.poll() is None
        try:  # the web chat answers meanwhile (behind its login)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                status = page.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        assert status in (200, 401)
    finally:
        out, err = _stop(process)
    assert "Leercoach listening" in out
    socket_lines = [line for line in err.splitlines() if "Socket Mode" in line]
    assert len(socket_lines) == 1 and "retrying" in socket_lines[0], err
    assert "cannot reach Slack" in socket_lines[0]
    assert "Traceback" not in err


def _healthz(process: subprocess.Popen[str], port: int, until: Any) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/healthz"
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}: {_stop(process)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body: dict[str, Any] = json.loads(response.read())
            if until(body):
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        threading.Event().wait(0.1)
    pytest.fail("serve never answered /healthz as expected")


# -- the link in-process, against a websocket on loopback ------------------------------------


class Rig:
    def __init__(self, api: MockSlackApi, slack: FakeSocketSlack, adapter: SlackAdapter,
                 app: web.Application, url: str, http: aiohttp.ClientSession) -> None:
        self.api, self.slack, self.adapter = api, slack, adapter
        self.app, self.url, self.http = app, url, http

    async def health(self) -> dict[str, Any]:
        async with self.http.get(f"{self.url}/healthz") as response:
            assert response.status == 200
            body: dict[str, Any] = await response.json()
            return body


def run(runtime: Runtime, scenario: Any, prepare: Any = None) -> None:
    async def main() -> None:
        slack = FakeSocketSlack()
        socket_app = web.Application()
        socket_app.router.add_get("/link", slack.handle)
        async with serving(socket_app) as socket_url:
            api = MockSlackApi(users={"U1": {"real_name": "Anna"}})
            api.socket_url = socket_url.replace("http://", "ws://") + "/link"
            if prepare is not None:
                prepare(api)
            base = await api.start()
            config = SlackConfig(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=base,
                                 socket_ping_seconds=0.3)
            adapter = build_slack(runtime, config)
            app = create_app(runtime, None, [adapter])
            try:
                async with serving(app) as url, aiohttp.ClientSession() as http:
                    await scenario(Rig(api, slack, adapter, app, url, http))
            finally:
                await api.stop()

    asyncio.run(main())



def test_a_failing_start_is_retried_in_the_background_with_one_line_per_change(
        runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    def prepare(api: MockSlackApi) -> None:
        api.fail_next("apps.connections.open", "internal_error", status=500, count=2)

    async def scenario(rig: Rig) -> None:
        assert (await rig.health())["slack"].startswith(("starting", "retrying"))
        await until(lambda: rig.slack.connections == 1)
        await until(lambda: rig.adapter.link is not None
                     and rig.adapter.link.state == "connected")
        assert (await rig.health())["slack"] == "connected"

    with caplog.at_level(logging.INFO, logger="leercoach.slack"):
        run(runtime, scenario, prepare)
    changes = [r.getMessage() for r in caplog.records
               if r.getMessage().startswith("Slack Socket Mode: ")
               and "asked for a new socket" not in r.getMessage()]
    assert len(changes) == 2, changes  # retrying (once, for two failures), connected
    assert "retrying" in changes[0] and "internal_error" in changes[0]
    assert changes[1] == "Slack Socket Mode: connected"


def test_link_disabled_is_an_error_and_is_not_retried(
        runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario(rig: Rig) -> None:
        await until(lambda: rig.slack.connections == 1 and rig.slack.sockets)
        await until(lambda: rig.adapter.link is not None
                     and rig.adapter.link.state == "connected")
        socket = rig.slack.sockets[-1]
        await socket.send_json({"type": "disconnect", "reason": "link_disabled",
                                "debug_info": {"host": "applink-1"}})
        await socket.close()
        await asyncio.sleep(2.0)  # several watchdog rounds of 0.3 s
        assert len(rig.api.calls_to("apps.connections.open")) == 1
        assert rig.slack.connections == 1
        assert (await rig.health())["slack"].startswith("disabled")

    with caplog.at_level(logging.INFO, logger="leercoach.slack"):
        run(runtime, scenario)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("link_disabled" in r.getMessage() for r in errors)


def test_a_refresh_reconnects_and_a_429_is_waited_out_by_one_loop(runtime: Runtime) -> None:
    async def scenario(rig: Rig) -> None:
        await until(lambda: rig.slack.connections == 1 and rig.slack.sockets)
        await until(lambda: rig.adapter.link is not None
                     and rig.adapter.link.state == "connected")
        rig.api.fail_next("apps.connections.open", "ratelimited", retry_after=2)
        socket = rig.slack.sockets[-1]
        await socket.send_json({"type": "disconnect", "reason": "refresh_requested",
                                "debug_info": {"host": "applink-1"}})
        await socket.close()
        await until(lambda: rig.slack.connections == 2, timeout=15)
        await asyncio.sleep(1.5)  # anyone else reconnecting would show by now
        calls = rig.api.calls_to("apps.connections.open")
        assert [call.status for call in calls] == [200, 429, 200]
        assert calls[2].at - calls[1].at >= 2.0  # after Slack's Retry-After, not before
        assert rig.slack.connections == 2

    run(runtime, scenario)


def test_a_refused_token_stops_the_server_in_process(runtime: Runtime) -> None:
    def prepare(api: MockSlackApi) -> None:
        api.app_tokens = {"xapp-1-another"}

    async def scenario(rig: Rig) -> None:
        await until(lambda: rig.adapter.link is not None
                     and rig.adapter.link.state == "refused")
        reason = rig.app[SHUTDOWN_KEY].reason
        assert reason and "invalid_auth" in reason and "SLACK_APP_TOKEN" in reason
        assert (await rig.health())["slack"].startswith("refused")

    run(runtime, scenario, prepare)

