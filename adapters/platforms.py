"""The platforms this process talks to, built from the environment: the one list that a new
chat platform is added to (see adapters/platform.py for what an adapter is).

Each chat platform's folder has a `from_env(runtime, host)` that builds its adapter, or
returns None when its variables are not set (raising ConfigError when they are set wrongly,
or PlatformOff when it may not run here). `host` is the interface `serve` listens on, or
None in a process without a server (`tick`, `scheduler`), which only sends.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.platform import PlatformAdapter, PlatformOff
from adapters.slack import app as slack
from adapters.teams import app as teams
from adapters.terminal import TerminalAdapter
from bot.config import ConfigError
from bot.runtime import Runtime

FromEnv = Callable[[Runtime, str | None], PlatformAdapter | None]

# The chat platforms, in the order `serve` mounts them and prints their lines.
CHAT_PLATFORMS: tuple[FromEnv, ...] = (slack.from_env, teams.from_env)


def for_server(runtime: Runtime, host: str) -> tuple[list[PlatformAdapter], list[str]]:
    """The adapters `serve` mounts (the terminal's, the configured chat platforms', the web
    pages'), and the banner lines of chat platforms that are off on this interface. With
    every configured chat platform off here, `serve` refuses to start (ConfigError)."""
    from adapters.web.app import WebAdapter

    chats, off = _chat_platforms(runtime, host)
    if off and not chats:
        raise ConfigError(off[0].refusal)
    return [TerminalAdapter(), *chats, WebAdapter(runtime)], [o.banner for o in off]


def without_server(runtime: Runtime) -> list[PlatformAdapter]:
    """The adapters of a process that only sends (`tick`, `scheduler`): nudges still go out
    through the chat platforms that are configured to be reached that way."""
    chats, _ = _chat_platforms(runtime, None)
    return [TerminalAdapter(), *chats]


def _chat_platforms(runtime: Runtime, host: str | None
                    ) -> tuple[list[PlatformAdapter], list[PlatformOff]]:
    built: list[PlatformAdapter] = []
    off: list[PlatformOff] = []
    for from_env in CHAT_PLATFORMS:
        try:
            adapter = from_env(runtime, host)
        except PlatformOff as reason:
            off.append(reason)
            continue
        if adapter is not None:
            built.append(adapter)
    return built, off
