"""Socket Mode over a real websocket on loopback: the mock Web API hands out the socket's
address (`apps.connections.open`), a local websocket server plays Slack's side, and the
listeners are the same as over HTTP. A socket that stops answering pings is replaced."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from adapters.http_server import create_app
from adapters.slack.app import build_slack
from adapters.slack.config import SlackConfig
from bot.runtime import Runtime
from tests.rigs.slack_mock import MockSlackApi
from tests.rigs.slack_rig import BOT_TOKEN, dm
from tests.rigs.slack_socket import FakeSocketSlack

APP_TOKEN = "xapp-1-test"




async def _until(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_socket_mode_receives_events_and_replaces_a_silent_socket(runtime: Runtime) -> None:
    async def main() -> None:
        slack = FakeSocketSlack()
        socket_app = web.Application()
        socket_app.router.add_get("/link", slack.handle)
        socket_runner = web.AppRunner(socket_app)
        await socket_runner.setup()
        site = web.TCPSite(socket_runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

        api = MockSlackApi(users={"U1": {"real_name": "Anna"}})
        api.tokens[APP_TOKEN] = api.workspace
        api.responders["apps.connections.open"] = lambda _: {
            "ok": True, "url": f"ws://127.0.0.1:{port}/link"}
        base = await api.start()
        config = SlackConfig(bot_token=BOT_TOKEN, app_token=APP_TOKEN, api_url=base,
                             socket_ping_seconds=0.3)
        adapter = build_slack(runtime, config)
        app = create_app(runtime, None, [adapter])
        runner = web.AppRunner(app)
        await runner.setup()  # starts the socket (the app's cleanup context)
        try:
            await _until(lambda: slack.connections == 1 and slack.sockets)
            envelope = await slack.send_event(dm("dagboek"))
            await _until(lambda: envelope in slack.acks)
            posts = await api.wait_for("chat.postMessage", 1)
            assert "Welke leermomenten" in json.dumps(posts[0].params, ensure_ascii=False)

            # Slack's side goes quiet without closing: no more pongs, no events. The
            # watchdog (or the SDK's own monitor) must open a new socket.
            slack.answer_pings = False
            await _until(lambda: slack.connections >= 2, timeout=15)
            slack.answer_pings = True
            assert len(api.calls_to("apps.connections.open")) >= 2
            envelope = await slack.send_event(dm("Een klant vroeg iets lastigs."))
            await api.wait_for("chat.postMessage", 2)
        finally:
            await runner.cleanup()
            await socket_runner.cleanup()
            await api.stop()

    asyncio.run(main())
