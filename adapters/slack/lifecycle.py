"""The app's own life in a workspace: which install a request came through, and the app
being removed (`app_uninstalled`) or its tokens revoked (`tokens_revoked`).

Slack sends both removal events without a usable token (bolt lets them through without
authorizing them). Their tokens are deleted from our database at once, so no token of a
workspace that removed the app stays, and one line says so in the log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp

from adapters.slack.clients import SlackClients
from adapters.slack.installations import Grant, ThreadedInstallationStore

log = logging.getLogger("leercoach.slack")


def _where(grant: Grant) -> str:
    if grant.org_wide:
        return f"organisation {grant.enterprise} (org-wide install)"
    inside = f" of organisation {grant.enterprise}" if grant.enterprise else ""
    return f"workspace {grant.team}{inside}"


def _ids(value: Any) -> list[str]:
    return [str(item) for item in value if isinstance(item, str)] \
        if isinstance(value, list) else []


def register_lifecycle(app: AsyncApp, clients: SlackClients,
                       installations: ThreadedInstallationStore | None) -> None:
    """Before the other listeners: these events must not reach the catch-all."""

    if installations is not None:
        store = installations

        @app.middleware
        async def learn_grant(body: dict[str, Any],
                              next: Callable[[], Awaitable[Any]]) -> Any:
            """Remember which org-wide install covers the workspace of this request, so
            the replies and later nudges find its token."""
            store.learn(Grant.of(body))
            return await next()

    @app.event("app_uninstalled")
    async def app_uninstalled(body: dict[str, Any]) -> None:
        """https://api.slack.com/events/app_uninstalled"""
        grant = Grant.of(body)
        clients.forget_all()
        if installations is None:
            log.warning("Slack: the app was uninstalled from %s; SLACK_BOT_TOKEN no longer "
                        "works there", _where(grant))
            return
        gone = await installations.uninstalled(grant)
        log.warning("Slack: the app was uninstalled from %s; its tokens were deleted "
                    "(%d rows)", _where(grant), gone)

    @app.event("tokens_revoked")
    async def tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        """https://api.slack.com/events/tokens_revoked: `tokens.bot` and `tokens.oauth`
        list the user ids whose tokens were revoked, not the tokens."""
        grant = Grant.of(body)
        listed = event.get("tokens")
        tokens: dict[str, Any] = listed if isinstance(listed, dict) else {}
        bots, users = _ids(tokens.get("bot")), _ids(tokens.get("oauth"))
        clients.forget_all()
        if installations is None:
            log.warning("Slack: tokens were revoked in %s (bot users %s); SLACK_BOT_TOKEN "
                        "may no longer work there", _where(grant), ", ".join(bots) or "none")
            return
        changed = await installations.revoked(grant, bots, users)
        log.warning("Slack: tokens were revoked in %s (%d bot, %d user); deleted (%d rows)",
                    _where(grant), len(bots), len(users), changed)
