"""What the outbox needs from an adapter: send one message, or say why it could not.

Adapters (Slack, Teams, the web chat) implement `Sender`; the engine never sees them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.messages import Outbound


class DeliveryFailed(Exception):
    """A send that did not go through.

    `permanent` means trying again cannot help (the bot was removed, the user is gone);
    `retry_after` is the platform's own answer to "when may I try again" (HTTP 429).
    """

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    async def send(self, outbound: Outbound) -> None:
        """Deliver one message; raise DeliveryFailed (or time out) when it did not go."""
        ...


def hosts_groups(sender: Sender) -> bool:
    """Whether the platform can put several people in one conversation (a Slack group DM):
    a sender says so with `group_conversations = True`. Elsewhere group messages are
    skipped; each person has their own message anyway."""
    return bool(getattr(sender, "group_conversations", False))


def together(sender: Sender) -> Callable[[list[Outbound]], Awaitable[None]] | None:
    """How the platform sends several messages to one address as one (Slack: one post,
    so a nudge's lead and question cost one of the rate limit, not two): a sender says
    so with a `send_together(outbounds)` method. None: one send per message."""
    send: Callable[[list[Outbound]], Awaitable[None]] | None = getattr(
        sender, "send_together", None)
    return send


class OpenDialogSender:
    """For channels without push (the terminal): the nudge's dialog is already stored, and
    the person sees its question when they next open the chat (`Coach.resume`)."""

    async def send(self, outbound: Outbound) -> None:
        return None
