"""What the coach does with each kind of Slack request, registered on bolt's AsyncApp.

Every listener acknowledges first (events are acknowledged by bolt before the listener
runs); the engine's work and the replies come after. The one exception is a modal's
submission, whose validation errors must travel in the acknowledgement itself: the turn
runs first, bounded so the acknowledgement still leaves well within Slack's 3 seconds.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import inbound
from adapters.slack.blocks import (
    CHOICE,
    COMMAND,
    FORM_OPEN,
    FORM_SUBMIT,
    MULTI,
    MULTI_DONE,
    SCALE,
    SELECT,
    action_pattern,
    answered,
    form_errors,
)
from adapters.slack.conversations import SlackConversations
from adapters.turn_runner import taken
from bot.core.messages import Address, Form, Outbound, Text

log = logging.getLogger("leercoach.slack")
SUBMIT_BUDGET_SECONDS = 2.0
Ack = Callable[..., Awaitable[Any]]
COMMAND_NAME = "/leercoach"


def register(app: AsyncApp, conversations: SlackConversations) -> None:
    """Attach every listener; the catch-all last, so unknown events get a quiet 200."""
    background: set[asyncio.Task[Any]] = set()

    def later(work: Awaitable[Any]) -> None:
        """Run after the acknowledgement, keeping a reference so the task is not lost."""
        task = asyncio.ensure_future(work)
        background.add(task)
        task.add_done_callback(background.discard)

    @app.event("message")
    async def direct_message(body: dict[str, Any], event: dict[str, Any],
                             context: AsyncBoltContext) -> None:
        if event.get("channel_type") == "im":
            found = inbound.message_event(body)
        elif f"<@{context.bot_user_id}>" in str(event.get("text") or ""):
            return  # a mention: it comes again as app_mention
        else:
            found = inbound.message_event(body, ambient=True)
        if found is not None:
            await conversations.answer(await conversations.client(found.address.tenant), found)

    @app.event("app_mention")
    async def mention(body: dict[str, Any]) -> None:
        found = inbound.message_event(body, mention=True)
        if found is not None:
            await conversations.answer(await conversations.client(found.address.tenant), found)

    @app.event("app_home_opened")
    async def home_opened(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        team = inbound.team_of(body)
        await conversations.publish_home(await conversations.client(team), team, str(event["user"]))

    @app.event(re.compile("^member_(joined|left)_channel$"))
    async def channel_membership(body: dict[str, Any], event: dict[str, Any],
                                 context: AsyncBoltContext) -> None:
        user, channel = event.get("user"), event.get("channel")
        if not isinstance(user, str) or not isinstance(channel, str):
            return
        team = str(event.get("team") or inbound.team_of(body))
        client = await conversations.client(team)
        joined = event.get("type") == "member_joined_channel"
        if user == context.bot_user_id:
            if joined:  # invited to a cohort's channel: enrol who is there already
                await conversations.sync_channel(client, team, channel)
            return
        await conversations.membership(client, team, channel, user, joined)

    @app.command(COMMAND_NAME)
    async def slash_command(ack: Ack, body: dict[str, Any]) -> None:
        await ack()
        team, user = inbound.team_of(body), str(body.get("user_id") or "")
        if not user:
            return
        client = await conversations.client(team)
        dm = await conversations.clients.dm_channel(client, team, user)
        await conversations.answer(client, inbound.command_event(body, dm),
                          trigger_id=str(body.get("trigger_id") or ""))
        typed_in = str(body.get("channel_id") or "")
        if typed_in and typed_in != dm:
            identity = await conversations.clients.identity(client, team, user)
            locale = identity.locale or conversations.engine.settings.default_locale
            await _quietly(client.chat_postEphemeral(
                channel=typed_in, user=user,
                text=conversations.engine.prompts.render("slack.dm_pointer", locale)))

    # Action ids carry an index where one block holds several (blocks.indexed); each
    # listener takes its kinds with or without one.
    @app.action(action_pattern(CHOICE, SCALE, SELECT, MULTI_DONE))
    async def answer_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        found = inbound.action_event(body, action)
        if found is None:
            return
        message = body.get("message") or {}
        client = await conversations.client(found.address.tenant)
        await conversations.answer_button(
            client, found, found.address.conversation, str(message.get("ts") or ""),
            list(message.get("blocks") or []), inbound.chosen_label(body, action))

    @app.action(action_pattern(MULTI))
    async def tick(ack: Ack) -> None:
        await ack()  # read with the OK button, from the message's state

    @app.action(action_pattern(FORM_OPEN))
    async def open_form(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = (body.get("user") or {}).get("id")
        channel = (body.get("channel") or {}).get("id") or ""
        if not user:
            return
        address = Address(inbound.PLATFORM, inbound.team_of(body), str(user), str(channel))
        client = await conversations.client(address.tenant)
        await conversations.open_form(client, address, str(action.get("value") or ""),
                             str(body.get("trigger_id") or ""),
                             str((body.get("message") or {}).get("ts") or ""))

    @app.action(action_pattern(COMMAND))
    async def home_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = (body.get("user") or {}).get("id")
        if not user:
            return
        team = inbound.team_of(body)
        client = await conversations.client(team)
        dm = await conversations.clients.dm_channel(client, team, str(user))
        await conversations.answer(
            client, inbound.button_command(body, str(action.get("value")), dm))
        await conversations.publish_home(client, team, str(user))

    @app.view(FORM_SUBMIT)
    async def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        found = inbound.view_event(body)
        if found is None:
            await ack()
            return
        address = found.address
        client = await conversations.client(address.tenant)
        turn = asyncio.ensure_future(conversations.turn(client, found))
        try:
            replies = await asyncio.wait_for(asyncio.shield(turn), SUBMIT_BUDGET_SECONDS)
        except TimeoutError:
            await ack()  # slow database: the modal closes, the replies follow in the DM
            later(_deliver_when_done(conversations, client, turn))
            return
        errors = _inline_errors(replies, found.reply_to or "")
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        meta = inbound.form_metadata(view)
        title = str((view.get("title") or {}).get("text") or "")
        if meta.get("ts") and taken(replies, found.reply_to):
            shown = answered([{"type": "section", "text": {"type": "plain_text",
                                                            "text": title or "…"}}], title)
            await conversations.update(client, address.conversation, meta["ts"], shown, title)
        await conversations.deliver(client, replies)

    @app.event(re.compile(".*"))
    async def anything_else() -> None:
        """Events we subscribe to but do not use (or Slack adds later): acknowledged."""


def _inline_errors(replies: list[Outbound], ref: str) -> dict[str, str]:
    for outbound in replies:
        message = outbound.message
        if isinstance(message, Form) and message.ref == ref:
            errors = form_errors(message)
            if errors:
                return errors
            first = message.fields[0].name if message.fields else ""
            texts = [o.message.text for o in replies if isinstance(o.message, Text)]
            return {first: texts[0][:150] if texts else "…"} if first else {}
    return {}


async def _deliver_when_done(conversations: SlackConversations, client: AsyncWebClient,
                             turn: asyncio.Future[list[Outbound]]) -> None:
    await conversations.deliver(client, await turn)


async def _quietly(call: Awaitable[Any]) -> None:
    try:
        await call
    except Exception as exc:  # a courtesy message; its failure must not hide the answer
        log.info("optional Slack call failed: %s", type(exc).__name__)
