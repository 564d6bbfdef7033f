"""The `leercoach` command: its argument parser, and running the command it names.

Each area of the command lives in a module of its own beside this one (serve, scheduling,
privacy, catalog, pairing, ...), sharing only adapters/cli/common.py. COMMANDS lists them in
the order `leercoach --help` shows them; an error any command may raise is reported here as
one line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from adapters import logs
from adapters.cli import (
    backup,
    cases,
    catalog,
    chat,
    config_check,
    dashboard,
    organisation_calendar,
    pairing,
    people,
    privacy,
    scheduling,
    serve,
    teams,
    work_sessions,
)
from adapters.cli.common import EXIT_FAILURE, EXIT_USAGE, UnknownOrganisation
from bot import clock
from bot.config import ConfigError, Settings, secrets_from_files
from bot.core.prompts import PromptError
from bot.due.calendar import CalendarError
from bot.organisation import goals
from bot.organisation.catalog import CatalogError
from bot.practices.checklists.records import ChecklistError
from bot.privacy.export import UnknownPerson
from bot.runtime import SchemaOutOfDate
from bot.storage.backup import BackupError

if TYPE_CHECKING:
    from adapters.cli.common import Commands

__all__ = ["EXIT_FAILURE", "EXIT_USAGE", "build_parser", "main"]

COMMANDS: tuple[Callable[[Commands], None], ...] = (
    chat.add_chat,
    serve.add_serve,
    serve.add_login_link,
    serve.add_db,
    backup.add_backup_restore,
    config_check.add_config,
    privacy.add_privacy,
    people.add_canvas,
    scheduling.add_tick,
    scheduling.add_scheduler,
    scheduling.add_outbox,
    serve.add_teams_package,
    catalog.add_catalog_goals_community,
    catalog.add_checklists,
    organisation_calendar.add_calendar,
    pairing.add_cohort,
    people.add_people,
    people.add_role,
    teams.add_team,
    cases.add_cases,
    work_sessions.add_worksession_and_sessions,
    pairing.add_never_pair_pair_pairs,
    dashboard.add_demo_kpi_dashboard,
)

# Refusals any command may raise: said in one line, exit code 2.
REFUSALS: tuple[type[Exception], ...] = (
    clock.ClockSettingError,
    ConfigError,
    SchemaOutOfDate,
    PromptError,
    CatalogError,
    ChecklistError,
    goals.GoalError,
    UnknownOrganisation,
    CalendarError,
    pairing.UnknownCohort,
    UnknownPerson,
    BackupError,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leercoach",
        description="Leercoach: a learning-on-the-job coach for Slack, Teams, the web and "
        "the terminal.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    for argument in sys.argv[1:] if argv is None else argv:
        try:
            argument.encode()
        except UnicodeEncodeError:  # bytes that are not UTF-8, kept as lone surrogates
            print(f"leercoach: an argument is not UTF-8 text: {argument!r}", file=sys.stderr)
            return EXIT_USAGE
    args = parser.parse_args(argv)
    try:
        logs.configure(args.command, args.verbose)
    except ConfigError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        clock.configure()  # an unreadable LEERCOACH_NOW / LEERCOACH_CLOCK_OFFSET stops here
        # NAME_FILE stands for NAME (Docker/Kubernetes secrets), for every reader alike
        os.environ.update(secrets_from_files(os.environ))
        settings = Settings.from_env()
        return int(args.handler(args, settings))
    except REFUSALS as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"leercoach: cannot use the database ({reason})", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
