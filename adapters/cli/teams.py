"""`leercoach team add|rename|remove|members`: an organisation's teams made on purpose, not
only as a side effect of a goal, a KPI or a work session."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection

from adapters.cli.common import EXIT_USAGE, find_organisation_id, organisation_option, runtime_of
from bot import clock
from bot.config import Settings
from bot.organisation import teams
from bot.privacy.export import find_person

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_team(commands: Commands) -> None:
    team = commands.add_parser("team", help="make, rename and remove teams; their members")
    actions = team.add_subparsers(dest="team_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="the teams and how many people are in each")
    organisation_option(listing)
    listing.set_defaults(handler=cmd_team_list)
    add = actions.add_parser("add", help="a new, empty team")
    organisation_option(add)
    add.add_argument("name")
    add.set_defaults(handler=cmd_team_add)
    rename = actions.add_parser("rename", help="give a team another name")
    organisation_option(rename)
    rename.add_argument("name")
    rename.add_argument("new_name", metavar="NEW_NAME")
    rename.set_defaults(handler=cmd_team_rename)
    remove = actions.add_parser(
        "remove", help="remove a team (its goals, KPIs and work sessions go with it)")
    organisation_option(remove)
    remove.add_argument("name")
    remove.set_defaults(handler=cmd_team_remove)
    members = actions.add_parser(
        "members", help="list a team's members, or --add / --remove someone")
    organisation_option(members)
    members.add_argument("name")
    change = members.add_mutually_exclusive_group()
    change.add_argument("--add", metavar="USER", help="platform user id, or #<person id>")
    change.add_argument("--remove", metavar="USER", help="platform user id, or #<person id>")
    members.add_argument("--platform", help="only this platform")
    members.add_argument("--tenant", help="only this workspace / tenant")
    members.set_defaults(handler=cmd_team_members)


T = TypeVar("T")


def _in_organisation(args: argparse.Namespace, settings: Settings,
                     work: Callable[[Connection, int], T]) -> T | None:
    """Run `work` in one transaction on the organisation `--organisation` names; None after
    saying why a team change was refused (the caller then exits with EXIT_USAGE)."""
    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.begin() as connection:
            return work(connection, organisation_id)
    except teams.TeamError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return None
    finally:
        runtime.close()


def cmd_team_list(args: argparse.Namespace, settings: Settings) -> int:
    found = _in_organisation(args, settings, teams.list_teams)
    if found is None:
        return EXIT_USAGE
    for team in found:
        print(f"{team.name}: {team.members} member{'s' * (team.members != 1)}")
    if not found:
        print("no teams yet: `leercoach team add NAME` makes one")
    return 0


def cmd_team_add(args: argparse.Namespace, settings: Settings) -> int:
    made = _in_organisation(args, settings, lambda connection, organisation_id: (
        teams.create_team(connection, organisation_id, args.name, clock.now())))
    if made is None:
        return EXIT_USAGE
    print(f"team {' '.join(args.name.split())} made")
    return 0


def cmd_team_rename(args: argparse.Namespace, settings: Settings) -> int:
    new = _in_organisation(args, settings, lambda connection, organisation_id: (
        teams.rename_team(connection, organisation_id,
                          teams.team_named(connection, organisation_id, args.name),
                          args.new_name)))
    if new is None:
        return EXIT_USAGE
    print(f"team {args.name} is now called {new}")
    return 0


def cmd_team_remove(args: argparse.Namespace, settings: Settings) -> int:
    name = _in_organisation(args, settings, lambda connection, organisation_id: (
        teams.delete_team(connection, organisation_id,
                          teams.team_named(connection, organisation_id, args.name))))
    if name is None:
        return EXIT_USAGE
    print(f"team {name} removed")
    return 0


def cmd_team_members(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    user = args.add or args.remove
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        person_id = None
        if user:
            with runtime.sessions() as session:
                person_id = find_person(session, user, args.platform, args.tenant).id
                session.commit()
        with runtime.database.begin() as connection:
            team_id = teams.team_named(connection, organisation_id, args.name)
            changed = None
            if person_id is not None and args.add:
                changed = teams.add_member(connection, team_id, person_id, clock.now())
            elif person_id is not None:
                changed = teams.remove_member(connection, team_id, person_id)
            found = teams.members(connection, team_id)
    except teams.TeamError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        runtime.close()
    if args.add:
        print(f"{user} {'joins' if changed else 'is in'} {args.name}")
    elif args.remove:
        print(f"{user} {'left' if changed else 'was not in'} {args.name}")
    for person_id, name in found:
        print(f"  #{person_id:<5} {name}")
    if not found:
        print(f"  {args.name} has no members yet")
    return 0
