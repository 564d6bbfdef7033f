"""Proactive messages to Teams from the outbox, through stored conversation references.

Bot Connector answers are sorted for the outbox: 429 (throttled), 412, 502 and 504 are
worth another try after a backoff (or the Retry-After given); 403 and 404 mean the bot was
removed or the person is gone, so the person is paused instead of retried forever. A group
message (peer review partners) is sent to each member 1:1, with a link that opens a chat
with the others, since a bot cannot start a group chat in Teams.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine

from adapters.teams.cards import activities, escape, markdown
from adapters.teams.sdk import BotFramework, ConnectorFailed
from bot.core.messages import Address, Message, Outbound, Text
from bot.outbox.sender import DeliveryFailed
from bot.storage import references

PLATFORM = "teams"
RETRY_STATUSES = frozenset({429, 412, 502, 504})
GONE_STATUSES = frozenset({403, 404})
CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users="


def delivery_failure(exc: ConnectorFailed) -> DeliveryFailed:
    if exc.status in GONE_STATUSES:
        return DeliveryFailed(f"teams {exc.status}: bot removed or user gone", permanent=True)
    reason = f"teams {exc.status}" if exc.status else "teams: connector unreachable"
    return DeliveryFailed(reason, retry_after=exc.retry_after if exc.status in RETRY_STATUSES
                          else None)


class TeamsSender:
    """The outbox's sender for people (and channels) on Teams."""

    group_conversations = True  # as 1:1 messages with a chat link each, see the docstring

    def __init__(self, bot_framework: BotFramework, database: Engine) -> None:
        self.bot_framework = bot_framework
        self.database = database

    async def send(self, outbound: Outbound) -> None:
        address = outbound.address
        if address.members:
            await self._to_each(address, outbound.message)
            return
        await self.send_messages(address, [outbound.message])

    async def send_messages(self, address: Address, messages: list[Message]) -> str | None:
        """Send into the person's (or channel's) stored conversation; the id of the first
        activity sent (a new channel post's id starts its thread)."""
        reference = await self._reference(address.tenant, address.person,
                                          None if address.person else address.conversation)
        if address.thread:
            reference = _in_thread(reference, address.conversation, address.thread)
        return await self._continue(reference, activities(messages))

    async def _to_each(self, address: Address, message: Message) -> None:
        found = [await self._reference(address.tenant, member, None)
                 for member in address.members]
        for index, reference in enumerate(found):
            others = [r for n, r in enumerate(found) if n != index]
            text = markdown(message.text if isinstance(message, Text) else "")
            links = "  \n".join(link for link in map(_chat_link, others) if link)
            activity = {"type": "message", "textFormat": "markdown",
                        "text": text + ("  \n" + links if links else "")}
            await self._continue(reference, [activity])

    async def _reference(self, tenant: str, person: str, conversation: str | None
                         ) -> dict[str, Any]:
        def load() -> dict[str, Any] | None:
            with self.database.connect() as connection:
                return references.latest(connection, PLATFORM, tenant, person, conversation)

        reference = await asyncio.to_thread(load)
        if reference is None:
            raise DeliveryFailed("no conversation reference: the app is not installed for "
                                 "them", permanent=True)
        return reference

    async def _continue(self, reference: dict[str, Any], sent: list[dict[str, Any]]
                        ) -> str | None:
        try:
            ids = await self.bot_framework.continue_conversation(reference, sent)
        except ConnectorFailed as exc:
            raise delivery_failure(exc) from exc
        return ids[0] if ids else None


def _in_thread(reference: dict[str, Any], conversation: str, thread: str) -> dict[str, Any]:
    return {**reference, "conversation": {**(reference.get("conversation") or {}),
                                          "id": f"{conversation};messageid={thread}"}}


def _chat_link(reference: dict[str, Any]) -> str:
    user = reference.get("user") or {}
    who = user.get("aadObjectId")
    if not who:
        return ""
    return f"[💬 {escape(str(user.get('name') or ''))}]({CHAT_LINK}{quote(str(who))})"
