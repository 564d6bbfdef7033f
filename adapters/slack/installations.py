"""Multi-workspace installs: slack_sdk's SQLAlchemy installation and OAuth state stores, in
our own database (tables made by migration 0005).

The stores are synchronous; bolt's async app needs the async interface, so these thin
wrappers run each call in a worker thread rather than adding an async database driver.

A bot token is looked up by workspace (the tenant our people are kept under), for three
kinds of install (https://api.slack.com/enterprise/grid,
https://api.slack.com/enterprise/apps/reference):
- a workspace outside Enterprise Grid: kept with `enterprise_id` None;
- a workspace inside an Enterprise Grid organisation: kept with its `enterprise_id`, so a
  lookup by workspace must not ask for `enterprise_id` None;
- an organisation-wide install (`is_enterprise_install`): kept with `team_id` None and
  covering every workspace of the organisation it was granted to. Which organisation a
  workspace belongs to is learned from each request Slack sends (`authorizations[0]`) and,
  after a restart, asked with `auth.teams.list` (https://api.slack.com/methods/auth.teams.list).

When a workspace removes the app (`app_uninstalled`) or revokes tokens (`tokens_revoked`),
those tokens are deleted here: no token of a workspace that removed the app stays.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, delete, desc, select, update
from sqlalchemy.sql.elements import ColumnElement

log = logging.getLogger("leercoach.slack")
STATE_SECONDS = 600
TEAMS_PAGE = 200
# Columns of an installation row that hold (or describe) a bot token, and a user token.
_BOT_COLUMNS = ("bot_token", "bot_id", "bot_user_id", "bot_scopes", "bot_refresh_token",
                "bot_token_expires_at")
_USER_COLUMNS = ("user_token", "user_scopes", "user_refresh_token", "user_token_expires_at")

# Asks Slack which workspaces an org-wide token covers: token -> team ids (auth.teams.list).
TeamsOf = Callable[[str], Awaitable[list[str]]]


@dataclass(frozen=True, slots=True)
class Grant:
    """Which installation a payload was sent for (Slack's `authorizations[0]`, else the
    envelope): the organisation, the workspace, and whether the install is org-wide."""

    enterprise: str | None
    team: str | None
    org_wide: bool

    @property
    def named(self) -> bool:
        """Whether the install is named at all (an org by its id, a workspace by its id)."""
        return bool(self.enterprise if self.org_wide else self.team)

    @classmethod
    def of(cls, body: dict[str, Any]) -> Grant:
        """https://api.slack.com/enterprise/apps/changes-apis: events carry `authorizations`
        (truncated to one); interactions carry `enterprise` and `is_enterprise_install`."""
        authorizations = body.get("authorizations")
        first = authorizations[0] if isinstance(authorizations, list) and authorizations \
            and isinstance(authorizations[0], dict) else {}
        enterprise = first.get("enterprise_id") or body.get("enterprise_id")
        if not enterprise and isinstance(body.get("enterprise"), dict):
            enterprise = body["enterprise"].get("id")
        org_wide = bool(first.get("is_enterprise_install")
                        or body.get("is_enterprise_install") is True
                        or body.get("is_enterprise_install") == "true")
        team = body.get("team_id") or first.get("team_id")
        if not team and isinstance(body.get("team"), dict):
            team = body["team"].get("id")
        if not team and isinstance(body.get("user"), dict):
            team = body["user"].get("team_id")
        return cls(str(enterprise) if enterprise else None, str(team) if team else None,
                   org_wide)


class ThreadedInstallationStore(AsyncInstallationStore):
    def __init__(self, client_id: str, engine: Engine,
                 teams_of: TeamsOf | None = None) -> None:
        self.store = SQLAlchemyInstallationStore(client_id=client_id, engine=engine)
        self.client_id = client_id
        self._teams_of = teams_of
        # workspace -> organisation whose org-wide install covers it (learned, or asked)
        self._org_of: dict[str, str] = {}

    @property
    def logger(self) -> Any:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await asyncio.to_thread(self.store.find_bot, enterprise_id=enterprise_id,
                                       team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_find_installation(self, *, enterprise_id: str | None,
                                      team_id: str | None, user_id: str | None = None,
                                      is_enterprise_install: bool | None = False,
                                      ) -> Installation | None:
        return await asyncio.to_thread(self.store.find_installation,
                                       enterprise_id=enterprise_id, team_id=team_id,
                                       user_id=user_id,
                                       is_enterprise_install=is_enterprise_install)

    async def async_delete_bot(self, *, enterprise_id: str | None,
                               team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id,
                                team_id=team_id)

    async def async_delete_installation(self, *, enterprise_id: str | None,
                                        team_id: str | None,
                                        user_id: str | None = None) -> None:
        await asyncio.to_thread(self.store.delete_installation, enterprise_id=enterprise_id,
                                team_id=team_id, user_id=user_id)

    # -- a workspace's bot token ---------------------------------------------------------

    def learn(self, grant: Grant) -> None:
        """A request Slack signed says which install covers this workspace."""
        if grant.org_wide and grant.enterprise and grant.team:
            self._org_of[grant.team] = grant.enterprise

    async def bot_token(self, team: str) -> str | None:
        """The bot token for a workspace: its own install (inside or outside Enterprise
        Grid), else the org-wide install of its organisation."""
        token = await asyncio.to_thread(self._workspace_token, team)
        if token:
            return token
        enterprise = self._org_of.get(team) or await self._organisation_of(team)
        if enterprise is None:
            return None
        bot = await self.async_find_bot(enterprise_id=enterprise, team_id=None,
                                        is_enterprise_install=True)
        return bot.bot_token if bot is not None else None

    def _workspace_token(self, team: str) -> str | None:
        """The newest bot of this workspace, whatever organisation it is kept under."""
        bots = self.store.bots
        with self.store.engine.connect() as connection:
            found = connection.execute(
                select(bots.c.bot_token)
                .where(bots.c.client_id == self.client_id, bots.c.team_id == team)
                .order_by(desc(bots.c.installed_at)).limit(1)).scalar()
        return str(found) if found else None

    def _org_tokens(self) -> list[tuple[str, str]]:
        bots = self.store.bots
        with self.store.engine.connect() as connection:
            rows = connection.execute(
                select(bots.c.enterprise_id, bots.c.bot_token)
                .where(bots.c.client_id == self.client_id, bots.c.team_id.is_(None),
                       bots.c.enterprise_id.is_not(None))
                .order_by(desc(bots.c.installed_at))).all()
        return [(str(enterprise), str(token)) for enterprise, token in rows if token]

    async def _organisation_of(self, team: str) -> str | None:
        """Which org-wide install covers `team`, asked of Slack (after a restart)."""
        if self._teams_of is None:
            return None
        for enterprise, token in await asyncio.to_thread(self._org_tokens):
            try:
                teams = await self._teams_of(token)
            except (SlackApiError, OSError, TimeoutError) as exc:
                log.info("auth.teams.list failed: %s", type(exc).__name__)
                continue
            for covered in teams:
                self._org_of[covered] = enterprise
            if team in teams:
                return enterprise
        return None

    # -- removal -------------------------------------------------------------------------

    async def uninstalled(self, grant: Grant) -> int:
        """`app_uninstalled` (https://api.slack.com/events/app_uninstalled): every token
        of that install goes. Returns how many rows were deleted."""
        self._forget(grant)
        return await asyncio.to_thread(self._delete_all, grant)

    async def revoked(self, grant: Grant, bots: Sequence[str], users: Sequence[str]) -> int:
        """`tokens_revoked` (https://api.slack.com/events/tokens_revoked): the tokens of
        the bot users and the users listed go, the others stay. Returns how many rows
        changed."""
        if bots:
            self._forget(grant)
        return await asyncio.to_thread(self._delete_tokens, grant, list(bots), list(users))

    def _forget(self, grant: Grant) -> None:
        if grant.org_wide:
            for team in [t for t, e in self._org_of.items() if e == grant.enterprise]:
                del self._org_of[team]

    def _where(self, table: Any, grant: Grant) -> ColumnElement[bool]:
        """The rows of the install a grant names: an org-wide one by its organisation, a
        workspace's by its team id (unique across Slack, whether in a Grid or not)."""
        if grant.org_wide:
            return and_(table.c.client_id == self.client_id, table.c.team_id.is_(None),
                        table.c.enterprise_id == grant.enterprise)
        return and_(table.c.client_id == self.client_id, table.c.team_id == grant.team)

    def _delete_all(self, grant: Grant) -> int:
        if not grant.named:
            return 0
        store = self.store
        with store.engine.begin() as connection:
            gone = connection.execute(delete(store.bots).where(
                self._where(store.bots, grant))).rowcount
            gone += connection.execute(delete(store.installations).where(
                self._where(store.installations, grant))).rowcount
        return int(gone)

    def _delete_tokens(self, grant: Grant, bots: list[str], users: list[str]) -> int:
        if not grant.named:
            return 0
        store = self.store
        installs = store.installations
        changed = 0
        with store.engine.begin() as connection:
            if bots:
                changed += connection.execute(delete(store.bots).where(
                    self._where(store.bots, grant), store.bots.c.bot_user_id.in_(bots))
                ).rowcount
                changed += connection.execute(
                    update(installs)
                    .where(self._where(installs, grant), installs.c.bot_user_id.in_(bots))
                    .values(dict.fromkeys(_BOT_COLUMNS))).rowcount
            if users:
                changed += connection.execute(
                    update(installs)
                    .where(self._where(installs, grant), installs.c.user_id.in_(users))
                    .values(dict.fromkeys(_USER_COLUMNS))).rowcount
            # an installation row with neither token left holds nothing worth keeping
            connection.execute(delete(installs).where(
                self._where(installs, grant), installs.c.bot_token.is_(None),
                installs.c.user_token.is_(None)))
        return int(changed)


class ThreadedStateStore(AsyncOAuthStateStore):
    def __init__(self, engine: Engine) -> None:
        self.store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)

    @property
    def logger(self) -> Any:
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)
