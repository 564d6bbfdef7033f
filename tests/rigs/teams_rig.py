"""The Teams rig: the app served over loopback HTTP with a fake Bot Connector
(tests/rigs/teams_connector.py), and Teams activities sent to it as Teams sends them."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp

from adapters.http_server import create_app
from adapters.teams.app import TeamsAdapter, build_teams
from adapters.teams.config import TeamsConfig
from bot import clock
from bot.runtime import Runtime
from tests.rigs.loopback import serving
from tests.rigs.teams_connector import FakeConnector

TENANT = "tenant-1"
PERSONAL = "a:1personal-anna"
APP_ID = "00000000-0000-4000-8000-000000000001"


@dataclass
class TeamsRig:
    connector: FakeConnector
    http: aiohttp.ClientSession
    url: str
    teams: TeamsAdapter
    service_url: str

    def activity(self, kind: str = "message", *, user: str = "29:anna",
                 conversation: str = PERSONAL, conversation_type: str = "personal",
                 **fields: Any) -> dict[str, Any]:
        return {
            "type": kind, "id": f"act-{uuid.uuid4().hex[:8]}", "channelId": "msteams",
            "serviceUrl": self.service_url, "timestamp": clock.now().isoformat(),
            "locale": "nl-NL",
            "from": {"id": user, "name": "Anna Jansen", "aadObjectId": f"aad-{user[3:]}"},
            "recipient": {"id": "28:bot", "name": "Leercoach"},
            "conversation": {"id": conversation, "conversationType": conversation_type,
                             "tenantId": TENANT},
            "channelData": {"tenant": {"id": TENANT}},
            "entities": [{"type": "clientInfo", "locale": "nl-NL",
                          "timezone": "Europe/Amsterdam"}],
            **fields,
        }

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None
                   ) -> tuple[int, Any]:
        async with self.http.post(f"{self.url}/api/messages", data=json.dumps(activity),
                                  headers={"Content-Type": "application/json",
                                           **(headers or {})}) as response:
            raw = await response.text()
            return response.status, (json.loads(raw) if raw.startswith("{") else raw)

    async def say(self, text: str, **fields: Any) -> list[dict[str, Any]]:
        """Send a message; the activities the coach sent back for it."""
        before = len(self.connector.activities())
        status, _ = await self.post(self.activity(text=text, **fields))
        assert status in (200, 201)
        return self.connector.activities()[before:]


@asynccontextmanager
async def teams_rig(runtime: Runtime, config: TeamsConfig | None = None
                    ) -> AsyncIterator[TeamsRig]:
    connector = FakeConnector()
    service_url = await connector.start()
    teams = build_teams(runtime, config or TeamsConfig())
    try:
        async with serving(create_app(runtime, None, [teams])) as url, \
                aiohttp.ClientSession() as http:
            yield TeamsRig(connector, http, url, teams, service_url)
            connector.release()
            await teams.conversations.drain()  # replies still going out after an answered invoke
    finally:
        await connector.stop()


def run(runtime: Runtime, scenario: Callable[[TeamsRig], Awaitable[None]],
        config: TeamsConfig | None = None) -> None:
    async def main() -> None:
        async with teams_rig(runtime, config) as rig:
            await scenario(rig)

    asyncio.run(main())


def text_of(activities: list[dict[str, Any]]) -> str:
    parts = []
    for activity in activities:
        parts.append(activity.get("text") or "")
        for attachment in activity.get("attachments") or ():
            parts += [str(b.get("text", "")) for b in attachment["content"]["body"]]
    return "\n".join(parts)


def buttons(activities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [action for activity in activities for attachment in activity.get("attachments")
            or () for action in attachment["content"].get("actions", [])]


async def diary_to_the_scale(rig: TeamsRig) -> list[dict[str, Any]]:
    """Start a diary and answer its text questions: the activities that ask the scale."""
    await rig.say("dagboek")
    for answer in ("Een klant vroeg iets lastigs.", "Ik vroeg eerst door."):
        await rig.say(answer)
    return await rig.say("Eerst vragen, dan adviseren.")
