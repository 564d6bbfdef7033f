"""Posting the engine's messages to Slack, and what Slack's errors mean for a delivery.

A message without a thread goes to the person's DM with the coach (a DM id starts with
"D"; otherwise the DM is opened first); a message with a thread is a reply in a channel
(an @mention); a message for several members goes to their group DM with the coach.
Slack's errors are sorted into "try again later" and "trying again cannot help", which
the outbox turns into a retry or a dead letter with the person paused.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import message_pages
from adapters.slack.clients import NotInstalled, SlackClients, retry_after_seconds
from bot.core.messages import Address, Message, Outbound
from bot.outbox.sender import DeliveryFailed

log = logging.getLogger("leercoach.slack")

# The person or the workspace is gone for us: retrying cannot help.
PERMANENT = frozenset({
    "account_inactive", "user_not_found", "user_disabled", "cannot_dm_bot",
    "invalid_auth", "token_revoked", "token_expired", "not_authed", "team_access_not_granted",
    "missing_scope", "is_archived", "restricted_action", "user_is_restricted",
    "ekm_access_denied",
})
# The DM id we kept is stale: open it again once before giving up.
STALE_CHANNEL = frozenset({"channel_not_found", "not_in_channel"})
TOKEN_TROUBLE = frozenset({"invalid_auth", "token_revoked", "token_expired", "not_authed"})


async def post(clients: SlackClients, client: AsyncWebClient, address: Address,
               messages: list[Message]) -> str:
    """Post messages to one address as one Slack message (several when they exceed what
    one message may hold, see blocks.message_pages); returns the ts of the first. Raises
    SlackApiError as Slack answered."""
    if address.members:
        channel = await clients.group_channel(client, address.members)
    elif address.thread or not address.person or address.conversation.startswith("D"):
        channel = address.conversation  # a thread, a channel post, or the person's DM
    else:
        channel = await clients.dm_channel(client, address.tenant, address.person)
    first = ""
    for page in message_pages(messages):
        response = await client.chat_postMessage(
            channel=channel,
            text=page.text,
            blocks=page.blocks,
            thread_ts=address.thread,
            unfurl_links=False,
            unfurl_media=False,
        )
        first = first or str(response.get("ts") or "")
    return first


def error_code(exc: SlackApiError) -> str:
    """The `error` of Slack's refusal ("" when the answer has none)."""
    try:
        return str(exc.response.get("error") or "")
    except (AttributeError, TypeError):
        return ""


def retry_after(exc: BaseException) -> float | None:
    """The Retry-After of Slack's refusal in seconds (None when it gave none)."""
    if not isinstance(exc, SlackApiError):
        return None
    return retry_after_seconds(getattr(exc.response, "headers", None))


class SlackSender:
    """The outbox's sender for people on Slack."""

    group_conversations = True  # peer review partners meet in a group DM

    def __init__(self, clients: SlackClients) -> None:
        self.clients = clients

    async def send(self, outbound: Outbound) -> None:
        await self.send_together([outbound])

    async def send_together(self, outbounds: list[Outbound]) -> None:
        """Messages to one address (a nudge's lead and its question) as one Slack message:
        one post counts once against the channel's one a second and the workspace's budget."""
        address = outbounds[0].address
        team = address.tenant
        try:
            client = await self.clients.for_team(team)
        except NotInstalled as exc:
            raise DeliveryFailed("not installed in this workspace", permanent=True) from exc
        try:
            await self._post_fresh_on_stale(client, address,
                                            [outbound.message for outbound in outbounds])
        except SlackApiError as exc:
            raise self._failure(team, exc) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise DeliveryFailed(f"network: {type(exc).__name__}") from exc

    async def _post_fresh_on_stale(self, client: AsyncWebClient, address: Address,
                                   messages: list[Message]) -> None:
        try:
            await post(self.clients, client, address, messages)
        except SlackApiError as exc:
            if error_code(exc) not in STALE_CHANNEL or address.thread:
                raise
            self.clients.dms.drop((address.tenant, address.person))
            await post(self.clients, client, replace(address, conversation=""), messages)

    def _failure(self, team: str, exc: SlackApiError) -> DeliveryFailed:
        code = error_code(exc)
        status = getattr(exc.response, "status_code", None)
        if status == 429 or code == "ratelimited":
            wait = retry_after(exc)
            return DeliveryFailed("ratelimited",
                                  retry_after=30.0 if wait is None else max(wait, 1.0))
        if code in TOKEN_TROUBLE:
            self.clients.forget_team(team)
        if code in PERMANENT or code in STALE_CHANNEL:
            return DeliveryFailed(code, permanent=True)
        log.warning("Slack refused a delivery: %s", code or status)
        return DeliveryFailed(code or f"http {status}")
