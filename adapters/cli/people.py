"""A person's commands: `leercoach people list` (who is there, with their ids), `leercoach
role` (facilitator, admin, ...) and `leercoach canvas export` (their learning conversation
canvas as Markdown)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from adapters.cli.common import (
    EXIT_FAILURE,
    find_organisation_id,
    organisation_option,
    runtime_of,
    utc,
)
from bot.config import Settings
from bot.people import roles, roster
from bot.practices.learning_conversation.hooks import canvas_markdown, latest_canvas
from bot.privacy.export import UnknownPerson, find_person

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_canvas(commands: Commands) -> None:
    canvas = commands.add_parser("canvas", help="open learning conversation canvases")
    canvas_commands = canvas.add_subparsers(dest="canvas_command", metavar="ACTION",
                                            required=True)
    canvas_export = canvas_commands.add_parser(
        "export", help="a person's latest canvas as a Markdown document")
    canvas_export.add_argument("--user", required=True, help="platform user id, or #<person id>")
    canvas_export.add_argument("--platform",
                               help="only this platform (terminal, slack, teams, web)")
    canvas_export.add_argument("--tenant", help="only this workspace / tenant")
    canvas_export.set_defaults(handler=cmd_canvas_export)


def add_people(commands: Commands) -> None:
    people = commands.add_parser("people", help="who takes part, with their ids")
    people_commands = people.add_subparsers(dest="people_command", metavar="ACTION",
                                            required=True)
    listing = people_commands.add_parser(
        "list", help="name, #id, platform, team, role, status and last seen")
    organisation_option(listing)
    listing.add_argument("--search", default="",
                         help="part of a name, platform user id or team, or #<person id>")
    listing.set_defaults(handler=cmd_people_list)


def cmd_people_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.connect() as connection:
            found = roster.people(connection, organisation_id, args.search)
    finally:
        runtime.close()
    for person in found:
        accounts = ",".join(f"{platform}:{user}" for platform, user in person.accounts)
        status = person.status + (f" until {person.paused_until.isoformat()}"
                                  if person.paused_until else "")
        print("  ".join((
            f"#{person.id:<5}", f"{person.name:<24}",
            f"{accounts or '-':<24}",
            f"{', '.join(person.teams) or '-':<20}", f"{person.role:<11}", f"{status:<10}",
            f"last seen {utc(person.last_seen)}")).rstrip())
    if not found:
        print("nobody found" if args.search else "nobody here yet")
    return 0


def add_role(commands: Commands) -> None:
    role = commands.add_parser("role", help="give someone a role (facilitator, admin, ...)")
    role.add_argument("role", choices=roles.ROLES)
    role.add_argument("--user", required=True, help="platform user id, or #<person id>")
    role.add_argument("--platform", help="only this platform")
    role.add_argument("--tenant", help="only this workspace / tenant")
    role.set_defaults(handler=cmd_role)


def cmd_canvas_export(args: argparse.Namespace, settings: Settings) -> int:
    """The person's latest open learning conversation canvas, as Markdown on stdout."""
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            person = find_person(session, args.user, args.platform, args.tenant)
            canvas = latest_canvas(session, person.id)
            if canvas is None:
                print(f"leercoach: {args.user} has no learning conversation canvas yet",
                      file=sys.stderr)
                return EXIT_FAILURE
            services = runtime.engine.services
            organisation = services.organisation(lambda: session, person.organisation_id)
            prompts = services.prompts_for(organisation)
            text = canvas_markdown(canvas, prompts, person.locale, person.display_name)
    except UnknownPerson as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        runtime.close()
    sys.stdout.write(text)
    return 0


def cmd_role(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            person = find_person(session, args.user, args.platform, args.tenant)
            person_id = person.id
            session.commit()
        with runtime.database.begin() as connection:
            roles.set_role(connection, person_id, args.role)
    finally:
        runtime.close()
    print(f"{args.user} is now {args.role}")
    return 0
