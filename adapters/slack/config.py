"""Slack's settings from the environment: which of the three ways to run applies.

Single workspace: `SLACK_BOT_TOKEN` + `SLACK_SIGNING_SECRET`. Several workspaces:
`SLACK_CLIENT_ID` + `SLACK_CLIENT_SECRET` + `SLACK_SIGNING_SECRET` (installations kept in our
database). Socket Mode, with no public URL: `SLACK_APP_TOKEN` (xapp-…) with a bot token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import ConfigError

DEFAULT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "mpim:write",
    "users:read",
)


@dataclass(frozen=True, slots=True)
class SlackConfig:
    signing_secret: str = ""
    bot_token: str = ""
    app_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    api_url: str | None = None
    socket_ping_seconds: float = 30.0

    @property
    def oauth(self) -> bool:
        return bool(self.client_id)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackConfig | None:
        """The configuration, or None when Slack is not configured at all."""
        env = os.environ if env is None else env

        def value(name: str) -> str:
            return env.get(name, "").strip()

        config = cls(
            signing_secret=value("SLACK_SIGNING_SECRET"),
            bot_token=value("SLACK_BOT_TOKEN"),
            app_token=value("SLACK_APP_TOKEN"),
            client_id=value("SLACK_CLIENT_ID"),
            client_secret=value("SLACK_CLIENT_SECRET"),
            scopes=tuple(s for s in value("SLACK_SCOPES").replace(" ", "").split(",") if s)
            or DEFAULT_SCOPES,
            api_url=_api_url(value("LEERCOACH_SLACK_API_URL")),
        )
        if not (config.bot_token or config.client_id or config.app_token):
            return None
        config.check()
        return config

    def check(self) -> None:
        """Refuse half a configuration with a message that names what is missing."""
        if self.socket_mode:
            if not self.app_token.startswith("xapp-"):
                raise ConfigError("SLACK_APP_TOKEN must be an app-level token (xapp-…)")
            if not self.bot_token:
                raise ConfigError("Socket Mode needs SLACK_BOT_TOKEN as well as SLACK_APP_TOKEN")
            return
        if not self.signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is required to verify Slack's requests")
        if self.oauth and not self.client_secret:
            raise ConfigError("SLACK_CLIENT_ID is set but SLACK_CLIENT_SECRET is not")
        if self.oauth and self.bot_token:
            raise ConfigError("set SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID "
                              "(installable in many), not both")


def _api_url(raw: str) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise ConfigError(f"LEERCOACH_SLACK_API_URL must be an http(s) URL, got {raw!r}")
    return raw if raw.endswith("/") else raw + "/"
