"""`leercoach chat`: talk to the coach in the terminal."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from adapters.cli.common import runtime_of
from bot.config import Settings
from bot.core.prompts import LOCALES

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_chat(commands: Commands) -> None:
    chat = commands.add_parser("chat", help="talk to the coach in the terminal (stdin/stdout)")
    chat.add_argument("--user", required=True, help="your user id, e.g. alice")
    chat.add_argument("--locale", choices=LOCALES, help="language: nl (default) or en")
    chat.set_defaults(handler=cmd_chat)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.terminal import TerminalChat, stdin_lines, terminal_address

    runtime = runtime_of(settings)
    try:
        if args.locale:
            runtime.engine.set_locale(terminal_address(args.user), args.locale)
        if sys.stdin.isatty():
            print("Leercoach — typ 'hulp' / type 'help'. Ctrl-D sluit af / quits.")
        TerminalChat(runtime.engine, args.user, sys.stdout).run(stdin_lines())
    except KeyboardInterrupt:
        print()
    finally:
        runtime.close()
    return 0
