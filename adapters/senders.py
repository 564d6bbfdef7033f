"""The senders this process can use for the outbox, one per platform it serves.

The terminal has no push: a nudge's dialog is stored and shown when the person next opens
`leercoach chat`. Slack's and Teams' senders are added when those adapters run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.outbox.sender import OpenDialogSender, Sender
from bot.settings import Settings

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from adapters.teams.app import TeamsAdapter


def available_senders(settings: Settings, slack: SlackAdapter | None = None,
                      teams: TeamsAdapter | None = None) -> dict[str, Sender]:
    senders: dict[str, Sender] = {"terminal": OpenDialogSender()}
    if slack is not None:
        senders["slack"] = slack.sender
    if teams is not None:
        senders["teams"] = teams.sender
    return senders
