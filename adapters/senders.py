"""The senders this process can use for the outbox, one per platform it serves.

The terminal has no push: a nudge's dialog is stored and shown when the person next opens
`leercoach chat`. Slack's, Teams' and the web chat's senders are added when those adapters
run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.config import Settings
from bot.outbox.sender import OpenDialogSender, Sender

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from adapters.teams.app import TeamsAdapter
    from adapters.web.app import WebAdapter


def available_senders(settings: Settings, slack: SlackAdapter | None = None,
                      teams: TeamsAdapter | None = None,
                      web_pages: WebAdapter | None = None) -> dict[str, Sender]:
    senders: dict[str, Sender] = {"terminal": OpenDialogSender()}
    if web_pages is not None:
        senders["web"] = web_pages.sender
    if slack is not None:
        senders["slack"] = slack.sender
    if teams is not None:
        senders["teams"] = teams.sender
    return senders
