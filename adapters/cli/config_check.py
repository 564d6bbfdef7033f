"""`leercoach config check`: the configuration this process would run with, checked the way
the start checks it, with every secret masked (safe to paste into a ticket)."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from adapters.http_server import MetricsAccess
from adapters.slack.config import SlackConfig
from adapters.teams.config import TeamsConfig
from bot import clock
from bot.config import Settings, masked

if TYPE_CHECKING:
    from adapters.cli.common import Commands

# The platforms' variables, shown when set (their configs check them; bot.config knows
# nothing of them).
PLATFORM_VARIABLES = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET", "SLACK_SCOPES", "LEERCOACH_SLACK_API_URL",
    "MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
)
# Operations: logs, metrics and the spool are read where they are used (adapters.logs,
# adapters.http_server, adapters.spool), not by Settings; shown when set.
OPERATIONS_VARIABLES = (
    "LEERCOACH_LOG_FORMAT", "LEERCOACH_LOG_LEVEL", "LEERCOACH_METRICS_TOKEN",
    "LEERCOACH_METRICS_PORT", "LEERCOACH_METRICS_HOST", "LEERCOACH_SPOOL_DIR",
)


def add_config(commands: Commands) -> None:
    config = commands.add_parser("config", help="the configuration")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="check the settings and print them, secrets masked")
    check.set_defaults(handler=cmd_config_check)


def cmd_config_check(args: argparse.Namespace, settings: Settings) -> int:
    """Reaching here means the settings parsed (a bad one stopped `main` with its name);
    the platforms' settings are checked now, as `serve` would."""
    slack = SlackConfig.from_env()
    teams = TeamsConfig.from_env()
    metrics = MetricsAccess.from_env(os.environ)  # a token too short stops here, named
    rows = list(settings.shown())
    rows += [(name, masked(name, os.environ[name].strip()), "set")
             for name in (*PLATFORM_VARIABLES, *OPERATIONS_VARIABLES)
             if os.environ.get(name, "").strip()]
    width = max(len(name) for name, _, _ in rows)
    for name, value, origin in rows:
        shown_default = origin == "default" and value != "(not set)"
        print(f"{name:<{width}}  {value}" + ("  (default)" if shown_default else ""))
    print(f"clock: now is {clock.now().isoformat(timespec='seconds')}"
          + ("" if not (os.environ.get(clock.NOW_VARIABLE) or os.environ.get(
              clock.OFFSET_VARIABLE)) else f" (set by {clock.NOW_VARIABLE} or "
              f"{clock.OFFSET_VARIABLE}: for tests and demos only)"))
    if slack is None:
        print("Slack: not configured")
    else:
        mode = ("Socket Mode" if slack.socket_mode else
                "installable in many workspaces (OAuth)" if slack.oauth else "one workspace")
        print(f"Slack: {mode}")
    print("Teams: " + ("the bot's Azure registration" if teams.authenticated else
                       "no MICROSOFT_APP_ID: only the Bot Framework Emulator, on loopback"))
    print(metrics.describe())
    print("configuration OK")
    return 0
