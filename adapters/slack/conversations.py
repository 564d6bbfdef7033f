"""Between Slack and the engine: run a person's turn, then post what the coach says.

Listeners acknowledge Slack first and come here afterwards, so nothing the engine does can
make Slack wait past its 3 seconds. Turns run through adapters.turn_runner (one person at a time,
in order). The engine commits an answer before this module posts the reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import answered, form_modal, home_view, placeholder_home
from adapters.slack.clients import SlackClients
from adapters.slack.inbound import typed
from adapters.slack.mrkdwn import fallback
from adapters.slack.sender import PERMANENT, error_code, post, retry_after
from adapters.spool import Spool
from adapters.turn_runner import Batch, TurnRunner, grouped, taken
from bot import metrics
from bot.conversation.coach import Coach
from bot.core.messages import Address, Form, InboundEvent, Message, Outbound
from bot.storage.outage import DatabaseAway

log = logging.getLogger("leercoach.slack")
PLATFORM = "slack"
HOLD_SECONDS = 30.0  # when Slack gives no Retry-After: the outbox tries again after this


class SlackConversations:
    """Every person's conversation with the coach on Slack: their turns, and the replies
    posted after them."""

    def __init__(self, engine: Coach, clients: SlackClients) -> None:
        self.engine = engine
        self.clients = clients
        self.turns = TurnRunner(engine)
        self.spool: Spool | None = None  # set where events arrive over HTTP (app.py)
        self.on_stall: Callable[[], None] = lambda: None  # app.py: replay when back

    async def client(self, team: str) -> AsyncWebClient:
        """Our client for a workspace (one shared connection pool), not bolt's per-request
        one."""
        return await self.clients.for_team(team)

    # -- turns -------------------------------------------------------------------------

    async def turn(self, client: AsyncWebClient, event: InboundEvent,
                   keep_when_away: bool = False) -> list[Outbound]:
        """The engine's replies to `event`, with the person's Slack profile filled in the
        first time this process sees them (DatabaseAway with `keep_when_away`)."""
        address = event.address
        if not event.ambient:  # most thread replies are not for us: no users.info for them
            identity = await self.clients.identity(client, address.tenant, address.person)
            event = replace(event, display_name=identity.display_name,
                            timezone=identity.timezone, locale=identity.locale)
        return await self.turns.call(
            lambda e: self.engine.handle(e, keep_when_away=keep_when_away), event)

    async def answer(self, client: AsyncWebClient, event: InboundEvent,
                     trigger_id: str = "") -> None:
        """Handle one event of a person and post the replies, in order. With the trigger
        of a slash command, a form among the replies opens as a modal right away.

        A spooled event (adapters/spool.py) that meets an unreachable database stays in
        the spool and is run again when it answers; one of a person who has an older one
        waiting waits behind it, so their messages keep the order they were typed in."""
        address = event.address
        spool = self.spool if self.spool is not None and self.spool.holds(event.event_id) \
            else None
        async with self.turns.person(address):
            if spool is not None:
                key = str(event.event_id)
                if spool.waits_behind(key):
                    spool.stall(key)
                    self.on_stall()
                    return
                try:
                    replies = await self.turn(client, event, keep_when_away=True)
                except DatabaseAway:
                    spool.stall(key)
                    self.on_stall()
                    metrics.SPOOLED.labels(PLATFORM).inc()
                    return
                except Exception:  # not an outage: trying again would fail again
                    await asyncio.to_thread(spool.done, key)
                    raise
                await asyncio.to_thread(spool.done, key)
            else:
                replies = await self.turn(client, event)
            if trigger_id:
                replies = await self._modal_now(client, replies, trigger_id)
            await self.deliver(client, replies)

    async def replay(self) -> int:
        """Run the spooled events that met an outage, oldest first; stop at the first that
        meets it again. Returns how many ran."""
        spool, ran = self.spool, 0
        for entry in spool.stalled() if spool is not None else []:
            assert spool is not None
            event = typed(entry.payload)
            if event is None or event.event_id != entry.key:
                await asyncio.to_thread(spool.done, entry.key)
                continue
            try:
                client = await self.client(event.address.tenant)
            except LookupError:  # the workspace uninstalled the app: nobody to answer
                await asyncio.to_thread(spool.done, entry.key)
                continue
            except Exception:  # its token is stored in the database, which is away
                break
            await self.answer(client, event)
            if spool.holds(entry.key):
                break  # still away
            ran += 1
        return ran

    async def _modal_now(self, client: AsyncWebClient, replies: list[Outbound],
                         trigger_id: str) -> list[Outbound]:
        forms = [o for o in replies if isinstance(o.message, Form)]
        if not forms:
            return replies
        form = forms[0]
        assert isinstance(form.message, Form)
        metadata = {"ref": form.message.ref, "channel": form.address.conversation, "ts": ""}
        try:
            await client.views_open(trigger_id=trigger_id,
                                    view=form_modal(form.message, metadata))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("views.open from the command failed: %s", _describe(exc))
            return replies  # the form's button in the DM still opens it
        return [o for o in replies if o is not form]

    async def deliver(self, client: AsyncWebClient, replies: list[Outbound]) -> None:
        """Post a turn's replies: those for one address together, as one message; a post
        that starts a followed thread reports its ts to the engine."""
        for batch in grouped(replies):
            address = batch.address
            if address.platform != PLATFORM:
                log.warning("a reply for %s cannot go out through Slack", address.platform)
                continue
            target = client
            if address.tenant != replies[0].address.tenant:
                try:
                    target = await self.clients.for_team(address.tenant)
                except LookupError:
                    log.warning("no token for the workspace of a reply; dropped")
                    continue
            try:
                ts = await post(self.clients, self.clients.replying(target), address,
                                batch.messages)
            except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
                # The answer is committed. A reply Slack would not take now goes to the
                # outbox, which posts it when Slack allows; only a reply nobody can
                # receive any more (the person or the workspace is gone) is dropped.
                if _for_good(exc):
                    log.warning("posting a reply failed: %s", _describe(exc))
                else:
                    await self.hold(batch.address, batch.messages, batch.anchor, exc)
                continue
            if batch.anchor and ts:
                await self.turns.anchored(batch.anchor, ts)

    async def hold(self, address: Address, messages: list[Message], anchor: str | None,
                   exc: BaseException) -> None:
        """Hand a reply to the outbox, due when Slack said it may be tried again."""
        wait = retry_after(exc) or HOLD_SECONDS
        try:
            key = await self.turns.hold(Batch(address, messages, anchor), wait, _describe(exc))
        except Exception as failure:  # the database is away too: nothing keeps it now
            log.error("posting a reply failed (%s) and the outbox could not take it: %s",
                      _describe(exc), type(failure).__name__)
            return
        if key is None:
            log.warning("posting a reply failed (%s) and nobody stored is addressed; "
                        "dropped", _describe(exc))
        else:
            log.info("posting a reply failed (%s); the outbox sends it in %.0f s",
                     _describe(exc), wait)

    async def answer_button(self, client: AsyncWebClient, event: InboundEvent,
                            channel: str, ts: str, blocks: list[dict[str, Any]],
                            shown: str) -> None:
        """A button's answer: the turn, then the old message shows the choice, then the
        replies. A button of an older question (a stale client), an answer that was not
        taken, or a practice's button in a channel leaves the old message as it is."""
        address = event.address
        async with self.turns.person(address):
            replies = await self.turn(client, event)
            if channel and ts and blocks and taken(replies, event.reply_to):
                await self.update(client, channel, ts, answered(blocks, shown), shown)
            await self.deliver(client, replies)

    async def update(self, client: AsyncWebClient, channel: str, ts: str,
                     blocks: list[dict[str, Any]], text: str) -> None:
        try:
            await client.chat_update(channel=channel, ts=ts, blocks=blocks, text=fallback(text))
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.info("chat.update failed: %s", _describe(exc))

    # -- channels tied to cohorts ---------------------------------------------------------

    async def membership(self, client: AsyncWebClient, team: str, channel: str, user: str,
                         joined: bool) -> int:
        """Someone joined or left a channel: the cohorts tied to it follow."""
        identity = await self.clients.identity(client, team, user)
        if identity.is_bot:
            return 0
        event = InboundEvent(
            address=Address(PLATFORM, team, user, channel),
            display_name=identity.display_name, timezone=identity.timezone,
            locale=identity.locale)
        return await self.turns.call(lambda e: self.engine.channel_membership(e, joined),
                                          event)

    async def sync_channel(self, client: AsyncWebClient, team: str, channel: str) -> int:
        """The coach was added to a channel: everyone already in it joins its cohorts."""
        try:
            members = await self.clients.channel_members(client, channel)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("conversations.members failed: %s", _describe(exc))
            return 0
        changed = 0
        for member in members:
            changed += await self.membership(client, team, channel, member, True)
        return changed

    # -- forms -------------------------------------------------------------------------

    async def open_form(self, client: AsyncWebClient, address: Address, ref: str,
                        trigger_id: str, message_ts: str) -> None:
        """Open the modal of the form the button belongs to, if it is still the open
        question; otherwise show where the person is now."""
        question = await self.turns.call(self.engine.open_question, address)
        if isinstance(question, Form) and question.ref == ref:
            metadata = {"ref": ref, "channel": address.conversation, "ts": message_ts}
            try:
                await client.views_open(trigger_id=trigger_id,
                                        view=form_modal(question, metadata))
                return
            except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
                log.warning("views.open failed: %s", _describe(exc))
        replies = await self.turns.call(self.engine.resume, address)
        await self.deliver(client, replies)

    # -- App Home ----------------------------------------------------------------------

    async def publish_home(self, client: AsyncWebClient, team: str, user: str) -> None:
        address = Address(PLATFORM, team, user, "")
        home = await self.turns.call(self.engine.home, address)
        if home is not None:
            view = home_view(home)
        else:
            identity = await self.clients.identity(client, team, user)
            locale = identity.locale or self.engine.settings.default_locale
            view = placeholder_home(self.engine.prompts.render("slack.home_new", locale))
        try:
            await client.views_publish(user_id=user, view=view)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            log.warning("views.publish failed: %s", _describe(exc))

    def texts(self, key: str) -> Iterator[str]:
        """A text in every language, for the few answers given before we know who asks."""
        for locale in ("nl", "en"):
            yield self.engine.prompts.render(key, locale)


def _for_good(exc: BaseException) -> bool:
    """Whether Slack's answer means nobody can receive this reply any more."""
    return isinstance(exc, SlackApiError) and error_code(exc) in PERMANENT


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        try:
            return str(exc.response.get("error") or exc.response.status_code)
        except (AttributeError, TypeError):
            return "slack api error"
    return type(exc).__name__
