"""The Teams adapter assembled: `/api/messages` on the one aiohttp server.

Requests that are not a JSON activity are refused here with 415 or 400, before the SDK
(which would answer them with a 500); everything else goes to botbuilder's CloudAdapter,
which checks the Bot Framework token (401 without a valid one when an app id is set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from aiohttp import web

from adapters.platform import PlatformAdapter, PlatformOff
from adapters.teams.config import TeamsConfig
from adapters.teams.conversations import TeamsConversations
from adapters.teams.inbound import PLATFORM, well_formed, with_short_names
from adapters.teams.sdk import BotFramework
from adapters.teams.sender import TeamsSender
from bot.config import Settings
from bot.outbox.pacing import Limits
from bot.runtime import Runtime

MESSAGES_PATH = "/api/messages"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(slots=True)
class TeamsAdapter(PlatformAdapter):
    config: TeamsConfig
    bot_framework: BotFramework
    conversations: TeamsConversations
    sender: TeamsSender = field()  # field(): not the base class property as a default
    pacing: Limits  # about seven messages a second per conversation, a tenant budget on top

    @property
    def name(self) -> str:
        return PLATFORM

    def limits(self) -> Limits:
        return self.pacing

    def authenticates_people(self) -> bool:
        return self.config.authenticated

    def banner(self) -> list[str]:
        how = "" if self.config.authenticated else " (no MICROSOFT_APP_ID: Emulator, loopback)"
        return [f"Teams: {MESSAGES_PATH}{how}"]

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
        return await self.bot_framework.process(with_short_names(body),
                                       request.headers.get("Authorization", ""))


def may_serve_unauthenticated(host: str) -> bool:
    """Activities without a token are only for the Emulator, on this machine."""
    return host in LOOPBACK


def from_env(runtime: Runtime, host: str | None) -> TeamsAdapter | None:
    """The Teams adapter. Without MICROSOFT_APP_ID activities come unauthenticated, which
    only the Emulator on this machine may do: on a public interface Teams is then off (and
    `serve` refuses to start when nothing else would serve), and a process without a
    server (`host` None: `tick`, `scheduler`) has nobody to send to."""
    config = TeamsConfig.from_env()
    if config.authenticated:
        return build_teams(runtime, config)
    if host is None:
        return None
    if not may_serve_unauthenticated(host):
        raise PlatformOff(
            "Teams: off (set MICROSOFT_APP_ID to serve Teams on a public interface)",
            f"refusing to serve on {host}: without MICROSOFT_APP_ID, Teams activities would "
            "be accepted unauthenticated. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
            "(or Slack's variables), or listen on 127.0.0.1")
    return build_teams(runtime, config)


def teams_limits(settings: Settings) -> Limits:
    return Limits(settings.teams_conversation_rate, settings.teams_tenant_rate)


def build_teams(runtime: Runtime, config: TeamsConfig) -> TeamsAdapter:
    """The SDK needs the conversations' turn handler, and the conversations the sender
    over the SDK: the SDK's side is made first and given the handler once it exists."""
    bot_framework = BotFramework(config)
    sender = TeamsSender(bot_framework, runtime.database)
    conversations = TeamsConversations(runtime.engine, runtime.database, sender)
    bot_framework.handle_with(conversations.on_turn)
    return TeamsAdapter(config, bot_framework, conversations, sender,
                        teams_limits(runtime.settings))
