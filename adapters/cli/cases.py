"""`leercoach cases`: the intervision case library (list, search, anonymise, remove, or
export as a document)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from adapters.cli.common import EXIT_USAGE, find_organisation_id, organisation_option, runtime_of
from bot.config import Settings
from bot.core.prompts import PromptLibrary
from bot.practices.intervision import hooks as intervision
from bot.storage.models import IntervisionCase

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_cases(commands: Commands) -> None:
    cases = commands.add_parser("cases", help="the intervision case library")
    organisation_option(cases)
    cases.add_argument("action", nargs="?", choices=("list", "anonymise", "remove"),
                       default="list")
    cases.add_argument("id", nargs="?", type=int, help="the case number (anonymise, remove)")
    cases.add_argument("--search", metavar="WORDS", default="",
                       help="only cases with all these words")
    cases.add_argument("--export", choices=("markdown",), help="the cases as a document")
    cases.add_argument("--locale", choices=("nl", "en"), default="nl")
    cases.set_defaults(handler=cmd_cases)


def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:

    if args.action != "list" and args.id is None:
        print(f"leercoach: cases {args.action} needs the case number", file=sys.stderr)
        return EXIT_USAGE
    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.begin() as connection:
            if args.action != "list" and not _case_exists(connection, organisation_id,
                                                          args.id):
                print(f"leercoach: there is no case #{args.id} in this organisation",
                      file=sys.stderr)
                return EXIT_USAGE
            if args.action == "anonymise":
                intervision.anonymise(connection, args.id)
                print(f"case #{args.id} is anonymised")
                return 0
            if args.action == "remove":
                intervision.remove_from_library(connection, args.id)
                print(f"case #{args.id} is no longer in the library")
                return 0
            found = intervision.library(connection, organisation_id, args.search)
    finally:
        runtime.close()
    if args.export == "markdown":
        prompts = PromptLibrary.with_override(settings.prompts_dir)
        print(prompts.render("intervision.library_markdown", args.locale, cases=found))
        return 0
    if not found:
        print("no cases in the library" + (f" with {args.search!r}" if args.search else ""))
    for case in found:
        owner = case["owner"] or "(anonymous)"
        print(f"#{case['id']} {case['date']} {owner}: {case['question'][:100]}")
    return 0


def _case_exists(connection: Connection, organisation_id: int, case_id: int) -> bool:
    """Whether the organisation has case `case_id` (ids past 32 bits exist nowhere)."""
    if not 0 < case_id < 2**31:
        return False
    return connection.execute(select(IntervisionCase.id).where(
        IntervisionCase.id == case_id,
        IntervisionCase.organisation_id == organisation_id)).first() is not None
