"""Leercoach's HTTP server with the Slack adapter on loopback, a mock Web API behind it, and
Slack's request shapes, signed like Slack signs them.

Shared by the tests that go through Slack and by bench/slack_load.py, so both send what
Slack sends. Free of pytest.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

from adapters.http_server import MetricsAccess, create_app
from adapters.slack.app import SlackAdapter, build_slack
from adapters.slack.config import SlackConfig
from bot import clock
from bot.runtime import Runtime
from tests.rigs.loopback import serving
from tests.rigs.slack_mock import Call, MockSlackApi

SECRET = "test-signing-secret"
TEAM = "T0LEERCO"
BOT_TOKEN = "xoxb-test-token"


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    # Slack signs with the real time and slack_sdk checks the 5-minute window on the real
    # clock, so the signature is about the real time, not the product's clock.
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature}


def _platform_time() -> float:
    """Slack's time of an event, agreeing with the product's clock (bot/clock.py)."""
    return clock.now().timestamp()


def envelope(event: dict[str, Any], *, team: str = TEAM, event_id: str | None = None
             ) -> dict[str, Any]:
    return {
        "token": "legacy", "team_id": team, "api_app_id": "A0LEERAPP",
        "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
        "event_time": int(_platform_time()), "event": event,
    }


def dm(text: str, user: str = "U1", *, team: str = TEAM, event_id: str | None = None
       ) -> dict[str, Any]:
    return envelope({
        "type": "message", "channel_type": "im", "channel": f"D{user}", "user": user,
        "text": text, "ts": f"{_platform_time():.6f}", "team": team,
        "client_msg_id": str(uuid.uuid4()),
    }, team=team, event_id=event_id)


def mention(text: str, user: str = "U1", channel: str = "C1") -> dict[str, Any]:
    return envelope({
        "type": "app_mention", "channel": channel, "user": user,
        "text": f"<@U0LEERBOT> {text}", "ts": f"{_platform_time():.6f}", "team": TEAM,
    })


def home_opened(user: str = "U1") -> dict[str, Any]:
    return envelope({"type": "app_home_opened", "user": user, "channel": f"D{user}",
                     "tab": "home"})


def block_action(post: Call, action: dict[str, Any], user: str = "U1",
                 state: dict[str, Any] | None = None) -> dict[str, Any]:
    """A press on an element of the posted message `post`."""
    channel, ts = str(post.response["channel"]), str(post.response["ts"])
    return {
        "type": "block_actions", "team": {"id": TEAM, "domain": "leercoach-test"},
        "user": {"id": user, "team_id": TEAM}, "api_app_id": "A0LEERAPP",
        "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel},
        "channel": {"id": channel}, "message": {"ts": ts, "blocks": post.params["blocks"]},
        "state": {"values": state or {}},
        "actions": [{**action, "action_ts": f"{_platform_time():.6f}"}],
    }


def press(post: Call, value: str, user: str = "U1") -> dict[str, Any]:
    """Press the button with `value` (or pick it from the select) of a posted question."""
    for block in post.params["blocks"]:
        if block.get("type") != "actions":
            continue
        for element in block["elements"]:
            if element.get("type") == "button" and element.get("value") == value:
                return block_action(post, {**element, "block_id": block["block_id"]}, user)
            if element.get("type") == "static_select":
                option = next(o for o in element["options"] if o["value"] == value)
                return block_action(post, {"type": "static_select",
                                               "action_id": element["action_id"],
                                               "block_id": block["block_id"],
                                               "selected_option": option}, user)
    raise LookupError(f"no button {value!r} in the message")


def view_submission(view: dict[str, Any], values: dict[str, str], user: str = "U1"
                    ) -> dict[str, Any]:
    """Submit the modal `view` (the params of its views.open) with these field values."""
    return {
        "type": "view_submission", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0LEERAPP", "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "view": {
            **view, "id": "V123", "hash": uuid.uuid4().hex[:12],
            "state": {"values": {name: {"value": {"type": "plain_text_input", "value": value}}
                                 for name, value in values.items()}},
        },
    }


def command(text: str, user: str = "U1", channel: str | None = None) -> dict[str, str]:
    return {
        "token": "legacy", "team_id": TEAM, "team_domain": "leercoach-test",
        "channel_id": channel or f"D{user}", "user_id": user, "command": "/leercoach",
        "text": text, "trigger_id": f"trig-{uuid.uuid4().hex[:8]}",
        "response_url": "http://127.0.0.1:9/response", "api_app_id": "A0LEERAPP",
    }


@dataclass(frozen=True)
class Answer:
    """What our server answered Slack: its status and its body."""

    status: int
    text: str


@dataclass
class SlackRig:
    api: MockSlackApi
    http: aiohttp.ClientSession
    url: str
    adapter: SlackAdapter

    async def post_json(self, body: dict[str, Any], *, headers: dict[str, str] | None = None,
                        timestamp: int | None = None) -> aiohttp.ClientResponse:
        raw = json.dumps(body)
        async with self.http.post(
            f"{self.url}/slack/events", data=raw,
            headers={"Content-Type": "application/json", **sign(raw, timestamp),
                     **(headers or {})},
        ) as response:
            await response.read()
            return response

    async def post_form(self, fields: dict[str, str]) -> aiohttp.ClientResponse:
        raw = urlencode(fields)
        async with self.http.post(
            f"{self.url}/slack/events", data=raw,
            headers={"Content-Type": "application/x-www-form-urlencoded", **sign(raw)},
        ) as response:
            await response.read()
            return response

    async def interact(self, payload: dict[str, Any]) -> aiohttp.ClientResponse:
        return await self.post_form({"payload": json.dumps(payload)})

    async def send(self, fixture: Any) -> Answer:
        """A documented payload (tests.rigs.slack_fixtures.Fixture), signed and sent the way
        Slack sends its kind: JSON, a form with `payload`, or a slash command's form."""
        if fixture.kind == "event":
            raw, kind = json.dumps(fixture.body), "application/json"
        else:
            fields = fixture.body if fixture.kind == "command" else {
                "payload": json.dumps(fixture.body)}
            raw, kind = urlencode(fields), "application/x-www-form-urlencoded"
        async with self.http.post(f"{self.url}/slack/events", data=raw,
                                  headers={"Content-Type": kind, **sign(raw)}) as response:
            return Answer(response.status, await response.text())

    async def posts(self, count: int, timeout: float = 10.0) -> list[Call]:
        """The first `count` chat.postMessage calls, once they are made."""
        return await self.api.wait_for("chat.postMessage", count, timeout)


@asynccontextmanager
async def slack_rig(runtime: Runtime, config: SlackConfig | None = None,
                    api: MockSlackApi | None = None,
                    metrics_access: MetricsAccess | None = None) -> AsyncIterator[SlackRig]:
    """The server with Slack on a free loopback port, the mock API behind it (and /metrics
    behind a token when `metrics_access` has one)."""
    api = api or MockSlackApi()
    base = await api.start()
    config = config or SlackConfig(signing_secret=SECRET, bot_token=BOT_TOKEN)
    adapter = build_slack(runtime, replace(config, api_url=base))
    try:
        async with serving(create_app(runtime, None, [adapter], metrics_access)) as url, \
                aiohttp.ClientSession() as http:
            yield SlackRig(api, http, url, adapter)
    finally:
        await api.stop()


ANNA: dict[str, Any] = {"U1": {"real_name": "Anna de Vries", "profile": {"display_name": "Anna"}}}


def run(runtime: Runtime, scenario: Callable[[SlackRig], Awaitable[None]],
        api: MockSlackApi | None = None, config: SlackConfig | None = None, *,
        users: Mapping[str, Any] | None = None) -> None:
    """Play `scenario` against the app on loopback: with `api`, or a fresh mock Web API that
    knows `users` (Anna as U1 when not given)."""
    async def main() -> None:
        mock = api or MockSlackApi(users=dict(ANNA if users is None else users))
        async with slack_rig(runtime, config, api=mock) as rig:
            await scenario(rig)

    asyncio.run(main())


def text_of(params: dict[str, Any]) -> str:
    """What a posted message says, from its blocks (escaped mrkdwn, as Slack gets it)."""
    parts = []
    for block in params.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        elif block.get("type") == "context":
            parts += [element["text"] for element in block["elements"]]
    return "\n".join(parts)
