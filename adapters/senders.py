"""The senders this process can use for the outbox, one per platform it serves.

The terminal has no push: a nudge's dialog is stored and shown when the person next opens
`leercoach chat`. The Slack and Teams adapters add theirs when they are configured.
"""

from __future__ import annotations

from bot.outbox.sender import OpenDialogSender, Sender
from bot.settings import Settings


def available_senders(settings: Settings) -> dict[str, Sender]:
    return {"terminal": OpenDialogSender()}
