"""The Teams adapter assembled: `/api/messages` on the one aiohttp server.

Requests that are not a JSON activity are refused here with 415 or 400, before the SDK
(which would answer them with a 500); everything else goes to botbuilder's CloudAdapter,
which checks the Bot Framework token (401 without a valid one when an app id is set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

from adapters.teams.config import TeamsConfig
from adapters.teams.desk import TeamsDesk
from adapters.teams.inbound import well_formed, with_short_names
from adapters.teams.sdk import TeamsEdge
from adapters.teams.sender import TeamsSender
from bot.runtime import Runtime

MESSAGES_PATH = "/api/messages"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(slots=True)
class TeamsAdapter:
    config: TeamsConfig
    edge: TeamsEdge
    desk: TeamsDesk
    sender: TeamsSender

    def mount(self, app: web.Application) -> None:
        app.router.add_post(MESSAGES_PATH, self._messages)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "send a Bot Framework activity as JSON"},
                                     status=415)
        try:
            body = json.loads(await request.text())
        except (ValueError, UnicodeDecodeError, RecursionError):
            return web.json_response({"error": "the body is not valid JSON"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return web.json_response({"error": "an activity needs a type"}, status=400)
        if not well_formed(body):
            return web.json_response({"error": "channelData is not shaped like Teams'"},
                                     status=400)
        return await self.edge.process(with_short_names(body),
                                       request.headers.get("Authorization", ""))


def may_serve_unauthenticated(host: str) -> bool:
    """Activities without a token are only for the Emulator, on this machine."""
    return host in LOOPBACK


def build_teams(runtime: Runtime, config: TeamsConfig) -> TeamsAdapter:
    """The edge needs the desk's handler and the desk the edge's sender: the edge is made
    first and given the handler once the desk exists."""
    edge = TeamsEdge(config)
    sender = TeamsSender(edge, runtime.database)
    desk = TeamsDesk(runtime.engine, runtime.database, sender)
    edge.handle_with(desk.on_turn)
    return TeamsAdapter(config, edge, desk, sender)
