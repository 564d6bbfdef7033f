"""Interactions no listener of ours takes: acknowledged, never left to bolt's 404.

Slack shows a person an error ("something went wrong") when an interaction is not answered
with 200 within 3 seconds (https://api.slack.com/interactivity/handling#acknowledgment_response).
What reaches us without a listener of its own: a button of an older message whose flow is
gone, a shortcut or a select from another version of the app, a modal we did not open.
Each gets a polite no-op: an old button in a message says, only
to the person who pressed it, that its question has passed; an old button on the App Home
shows the Home as it is now; the rest are acknowledged and logged.

Registered after every other listener, so they only take what nobody else took. A slash
command other than ours is not among them: Slack only sends the commands of the app's
own configuration, so another one is not from Slack and keeps bolt's 404.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from adapters.slack import inbound
from adapters.slack.conversations import SlackConversations

log = logging.getLogger("leercoach.slack")
Ack = Callable[..., Awaitable[Any]]
ANYTHING = re.compile(".*")


def register_fallbacks(app: AsyncApp, conversations: SlackConversations) -> None:
    @app.action(ANYTHING)
    async def unknown_action(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """https://api.slack.com/reference/interaction-payloads/block-actions-payload"""
        await ack()
        log.info("Slack: no listener for action %r; acknowledged",
                 str(action.get("action_id") or "")[:80])
        await _passed(conversations, body)

    @app.view(ANYTHING)
    async def unknown_view(ack: Ack, body: dict[str, Any]) -> None:
        """A modal we do not know (https://api.slack.com/reference/interaction-payloads/
        views-payload): closing it is the polite answer."""
        await ack()
        log.info("Slack: no listener for view %r; acknowledged",
                 str((body.get("view") or {}).get("callback_id") or "")[:80])

    @app.view_closed(ANYTHING)
    async def closed_view(ack: Ack) -> None:
        await ack()

    @app.shortcut(ANYTHING)
    async def unknown_shortcut(ack: Ack, body: dict[str, Any]) -> None:
        """Global and message shortcuts (https://api.slack.com/interactivity/shortcuts)."""
        await ack()
        log.info("Slack: no listener for shortcut %r; acknowledged",
                 str(body.get("callback_id") or "")[:80])

    @app.options(ANYTHING)
    async def unknown_options(ack: Ack) -> None:
        await ack(options=[])


async def _passed(conversations: SlackConversations, body: dict[str, Any]) -> None:
    """Tell the person their button belongs to a question that has passed (a message), or
    show the Home as it is now (the App Home); a modal's button needs nothing."""
    user = str((body.get("user") or {}).get("id") or "")
    container = body.get("container") or {}
    team = inbound.team_of(body)
    if not user or not team:
        return
    try:
        client = await conversations.client(team)
        if container.get("type") == "view" and (body.get("view") or {}).get("type") == "home":
            await conversations.publish_home(client, team, user)
            return
        channel = str(container.get("channel_id") or "")
        if container.get("type") != "message" or not channel:
            return
        identity = await conversations.clients.identity(client, team, user)
        locale = identity.locale or conversations.engine.settings.default_locale
        await client.chat_postEphemeral(
            channel=channel, user=user,
            text=conversations.engine.prompts.render("slack.button_passed", locale))
    except (LookupError, SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
        log.info("Slack: telling about an old button failed: %s", type(exc).__name__)
