"""`leercoach privacy`: a person's data rights from the command line.

`export` prints everything stored about a person as JSON; `delete` removes all of it (after
a confirmation on a terminal, or with --yes) and then proves it with an export that finds
nobody; `rotate-key` re-encrypts stored answers (adapters/cli/encryption.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from sqlalchemy import select

from adapters.cli import encryption
from adapters.cli.common import EXIT_FAILURE, EXIT_USAGE
from bot import clock
from bot.config import Settings
from bot.privacy.erasure import Deletion, counts, delete_person
from bot.privacy.export import UnknownPerson, export_person, find_person
from bot.runtime import Runtime, open_runtime
from bot.storage.models import Identity

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_privacy(commands: Commands) -> None:
    """Add `privacy export|delete|rotate-key` to the `leercoach` command."""
    privacy = commands.add_parser("privacy", help="a person's data rights")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)

    export = actions.add_parser("export", help="everything stored about a person, as JSON")
    _person_options(export)
    export.set_defaults(handler=cmd_export)

    remove = actions.add_parser(
        "delete", help="remove everything stored about a person (asks first), then verify")
    _person_options(remove)
    remove.add_argument("--yes", action="store_true",
                        help="do not ask (needed when not run in a terminal)")
    remove.set_defaults(handler=cmd_delete)

    rotate = actions.add_parser(
        "rotate-key", help="re-encrypt every stored answer under a new encryption key")
    rotate.add_argument("--new-key", metavar="KEY",
                        help="the key to encrypt under (default: the newest configured one)")
    rotate.add_argument("--old-key", metavar="KEY", action="append",
                        help="a key the stored answers may be under (again for several)")
    rotate.set_defaults(handler=cmd_rotate_key)


def _person_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, help="platform user id, or #<person id>")
    parser.add_argument("--platform", help="only this platform (terminal, slack, teams, web)")
    parser.add_argument("--tenant", help="only this workspace / tenant")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    runtime = open_runtime(settings)
    try:
        with runtime.sessions() as session:
            person = find_person(session, args.user, args.platform, args.tenant)
            data = export_person(session, person)
    except UnknownPerson as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        runtime.close()
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    runtime = open_runtime(settings)
    try:
        return _delete(runtime, args)
    except UnknownPerson as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        runtime.close()


def _delete(runtime: Runtime, args: argparse.Namespace) -> int:
    with runtime.sessions() as session:
        person = find_person(session, args.user, args.platform, args.tenant)
        person_id, name = person.id, person.display_name or args.user
        stored = counts(session.connection(), person_id)
        accounts = [(platform, tenant, external) for platform, tenant, external in
                    session.execute(select(Identity.platform, Identity.tenant,
                                           Identity.external_id)
                                    .where(Identity.person_id == person_id))]
    who = f"{name} (#{person_id})"
    if not args.yes:
        if not interactive():
            print("leercoach: deleting needs a confirmation: run it in a terminal, or add "
                  "--yes", file=sys.stderr)
            return EXIT_USAGE
        print(f"This deletes everything stored about {who}: {_listing(stored) or 'no records'}"
              ", their conversations, memberships and accounts. It cannot be undone.")
        if input("Type yes to delete: ").strip().lower() != "yes":
            print("Nothing deleted.")
            return EXIT_FAILURE
    with runtime.database.begin() as connection:
        done = delete_person(connection, person_id, clock.now())
    _report(who, done)
    return _verify(runtime, person_id, accounts)


def interactive() -> bool:
    """Someone at a terminal who can answer the confirmation."""
    return sys.stdin.isatty()


def _listing(found: dict[str, int]) -> str:
    return ", ".join(f"{count} {table}" for table, count in sorted(found.items()))


def _report(who: str, done: Deletion) -> None:
    print(f"Deleted {who}: {_listing(done.removed)}.")
    if done.cleared:
        print(f"Only mentioned, now cleared: {_listing(done.cleared)}.")


def _verify(runtime: Runtime, person_id: int, accounts: list[tuple[str, str, str]]) -> int:
    """The export's lookup, by the id and by each of the person's accounts, must find
    nobody now."""
    with runtime.sessions() as session:
        lookups = [(f"#{person_id}", None, None)] + [
            (external, platform, tenant) for platform, tenant, external in accounts]
        for user, platform, tenant in lookups:
            try:
                found = find_person(session, user, platform, tenant)
            except UnknownPerson:
                continue
            print(f"leercoach: an export of {user} still finds #{found.id}", file=sys.stderr)
            return EXIT_FAILURE
    print(f"Verified: an export of #{person_id} finds nobody.")
    return 0


def cmd_rotate_key(args: argparse.Namespace, settings: Settings) -> int:
    """Looked up when called, so the encryption command can be replaced in a test."""
    return encryption.cmd_rotate_key(args, settings)
