"""Every use of botbuilder / botframework in Leercoach, and nothing else.

Microsoft has archived botbuilder-python (its successor is the Microsoft 365 Agents SDK),
so the rest of the Teams adapter works on plain Activity JSON (dicts with Bot Framework's
camelCase keys) and this one module turns them into SDK objects and back: the CloudAdapter
that authenticates `/api/messages`, a turn's send / update / invoke response, and
proactive `continue_conversation`. A switch to the successor rewrites this file only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    ConversationReference,
)

from adapters.teams.config import TeamsConfig

log = logging.getLogger("leercoach.teams")
INVOKE_MESSAGE = "application/vnd.microsoft.activity.message"
INVOKE_CARD = "application/vnd.microsoft.card.adaptive"
ROSTER_PAGE_SIZE = 500  # the most Teams gives a page
MAX_ROSTER_PAGES = 200  # 100,000 people: a team is smaller, a bad token must not loop
Json = dict[str, Any]


class ConnectorFailed(Exception):
    """The Bot Connector refused a send or update: `status` is its HTTP status (None for a
    network error), `retry_after` its Retry-After in seconds when it gave one."""

    def __init__(self, reason: str, status: int | None, retry_after: float | None) -> None:
        super().__init__(reason)
        self.status = status
        self.retry_after = retry_after


def _failure(exc: Exception) -> ConnectorFailed:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") or headers.get("retry-after")
    try:
        retry_after = float(raw) if raw is not None else None
    except (TypeError, ValueError):
        retry_after = None
    return ConnectorFailed(f"{type(exc).__name__}: {exc}"[:300],
                           int(status) if status else None, retry_after)


class TeamsTurn:
    """One inbound activity and what the bot may do in reply, as JSON."""

    def __init__(self, context: TurnContext) -> None:
        self._context = context
        self.activity: Json = context.activity.serialize()
        if context.activity.entities:
            # msrest drops what a model does not declare, e.g. clientInfo's timezone
            self.activity["entities"] = [_entity(e) for e in context.activity.entities
                                         if e is not None]

    def reference(self) -> Json:
        """How to reach this conversation again later (stored for proactive messages)."""
        found: Json = TurnContext.get_conversation_reference(self._context.activity).serialize()
        return found

    async def send(self, activity: Json) -> str | None:
        try:
            sent = await self._context.send_activity(Activity().deserialize(activity))
        except Exception as exc:  # the SDK raises msrest / aiohttp errors of many kinds
            raise _failure(exc) from exc
        return sent.id if sent is not None else None

    async def update(self, activity_id: str, activity: Json) -> None:
        replacement = Activity().deserialize(activity)
        replacement.id = activity_id
        replacement.conversation = self._context.activity.conversation
        try:
            await self._context.update_activity(replacement)
        except Exception as exc:
            raise _failure(exc) from exc

    async def team_members(self, team_id: str) -> list[Json]:
        """Everyone in the team `team_id` (id, name, aadObjectId), page by page.

        Teams' roster call is `GET /v3/conversations/{teamId}/pagedmembers` with the team's
        id (`channelData.team.id`), followed by its `continuationToken` until there is none;
        the non-paged `members` call is deprecated, and a channel's id is not a team's.
        https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/get-teams-context
        """
        members: list[Json] = []
        token: str | None = None
        for _ in range(MAX_ROSTER_PAGES):
            try:
                page = await TeamsInfo.get_paged_team_members(
                    self._context, team_id, token, ROSTER_PAGE_SIZE)
            except Exception as exc:
                raise _failure(exc) from exc
            members += [_entity(member) for member in page.members or () if member is not None]
            token = page.continuation_token
            if not token:
                break
        return members

    async def answer_invoke(self, status: int, value: Any = None,
                            kind: str = INVOKE_MESSAGE) -> None:
        """The invoke's HTTP answer; with `value`, the Universal Actions reply to an
        `Action.Execute`: a message (`kind` INVOKE_MESSAGE, a string) or the card that
        replaces the one acted on (INVOKE_CARD, the card's JSON)."""
        # Plain JSON: the SDK's model types `value` as an object, the spec a string here.
        body = None if value is None else {"statusCode": status, "type": kind,
                                           "value": value}
        await self._context.send_activity(Activity(
            type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body)))


def _entity(entity: Any) -> Json:
    if isinstance(entity, dict):
        return entity
    found: Json = {**(getattr(entity, "additional_properties", None) or {}),
                   **entity.serialize()}
    return found


TurnHandler = Callable[[TeamsTurn], Awaitable[None]]


class _Bot:
    """The SDK's bot interface (`on_turn`), handing each turn to our handler as JSON."""

    def __init__(self) -> None:
        self.handle: TurnHandler | None = None

    async def on_turn(self, context: TurnContext) -> None:
        if self.handle is None:
            raise RuntimeError("no handler for Teams turns")
        await self.handle(TeamsTurn(context))


class _Configuration:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, config: TeamsConfig) -> None:
        self.APP_ID = config.app_id
        self.APP_PASSWORD = config.app_password
        self.APP_TENANTID = config.tenant_id
        self.APP_TYPE = config.app_type


class BotFramework:
    """Bot Framework's CloudAdapter behind our own small interface: authenticates requests,
    runs their turns, continues stored conversations."""

    def __init__(self, config: TeamsConfig) -> None:
        self.app_id = config.app_id or None
        self.adapter = CloudAdapter(
            ConfigurationBotFrameworkAuthentication(_Configuration(config)))
        self.adapter.on_turn_error = self._turn_failed
        self.bot = _Bot()

    def handle_with(self, handle: TurnHandler) -> None:
        self.bot.handle = handle

    async def process(self, body: Json, authorization: str) -> web.Response:
        """One POST to /api/messages: 401 unless the token is valid (or, without an app id,
        none is needed). Authentication runs on its own first, because the SDK lets some
        forged tokens escape as KeyError (a 500) instead of PermissionError."""
        try:
            activity = Activity().deserialize(body)
        except ValueError as exc:  # msrest's DeserializationError: a field of the wrong kind
            log.info("Teams request refused: %s", type(exc).__name__)
            return web.json_response({"error": "not a Bot Framework activity"}, status=400)
        try:
            authenticated = await self.adapter.bot_framework_authentication \
                .authenticate_request(activity, authorization)
        except Exception as exc:
            log.info("Teams request refused: %s", type(exc).__name__)
            return web.json_response({"error": "unauthorized"}, status=401)
        invoke = await self.adapter.process_activity(authenticated, activity, self.bot.on_turn)
        if invoke is None:
            return web.Response(status=201)
        answer: Any = invoke.body
        if answer is not None and not isinstance(answer, dict):
            answer = serializer_helper(answer)
        return web.json_response(answer, status=invoke.status)

    async def continue_conversation(self, reference: Json, activities: list[Json]
                                    ) -> list[str]:
        """Send activities into a stored conversation, outside any inbound turn; the ids
        the connector gave them."""
        failures: list[ConnectorFailed] = []
        ids: list[str] = []

        async def send_all(context: TurnContext) -> None:
            for activity in activities:
                try:
                    sent = await context.send_activity(Activity().deserialize(activity))
                except Exception as exc:
                    failures.append(_failure(exc))
                    return
                if sent is not None and sent.id:
                    ids.append(str(sent.id))

        try:
            await self.adapter.continue_conversation(
                ConversationReference().deserialize(reference), send_all, self.app_id)
        except ConnectorFailed:
            raise
        except Exception as exc:
            raise _failure(exc) from exc
        if failures:
            raise failures[0]
        return ids

    async def _turn_failed(self, context: TurnContext, error: Exception) -> None:
        # Our handler answers people itself; an error that reaches here is logged, and
        # nothing half-done is said to them.
        log.error("Teams turn failed: %s", error, exc_info=error)
