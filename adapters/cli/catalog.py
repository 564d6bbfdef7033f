"""What an organisation offers its people: `leercoach catalog import|export` (competences),
`goals add|list|archive`, `community add|list` (planning community sessions) and
`checklists import|list|archive`. Files are checked whole before anything is stored."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from adapters.cli.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    find_organisation,
    organisation_option,
    runtime_of,
)
from bot import clock
from bot.config import Settings
from bot.organisation import goals
from bot.organisation.catalog import (
    MAX_REPORTED,
    CatalogError,
    catalog_entries,
    catalog_format,
    import_catalog,
    read_catalog_file,
    write_catalog_file,
)
from bot.practices.checklists.records import (
    ChecklistFileError,
    archive_checklist,
    import_checklists,
    list_checklists,
    read_checklist_file,
)

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_catalog_goals_community(commands: Commands) -> None:
    catalog = commands.add_parser(
        "catalog", help="the organisation's competence catalog (YAML or CSV)"
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="ACTION",
                                              required=True)
    imports = catalog_commands.add_parser(
        "import", help="add or update competences (by code) from a .yaml/.yml/.csv file"
    )
    imports.add_argument("file", metavar="FILE")
    organisation_option(imports)
    imports.set_defaults(handler=cmd_catalog_import)
    exports = catalog_commands.add_parser(
        "export", help="write the catalog to a .yaml/.yml/.csv file"
    )
    exports.add_argument("file", metavar="FILE")
    organisation_option(exports)
    exports.set_defaults(handler=cmd_catalog_export)

    goal = commands.add_parser(
        "goals", help="team and organisation goals (business / team / personal)"
    )
    goal_commands = goal.add_subparsers(dest="goals_command", metavar="ACTION", required=True)
    add = goal_commands.add_parser("add", help="add an active goal")
    add.add_argument("--level", required=True, choices=goals.LEVELS,
                     help="business result, team performance or personal development")
    add.add_argument("--title", required=True, help="the goal, as people will see it")
    add.add_argument("--description", help="more about the goal")
    add.add_argument("--team", metavar="NAME",
                     help="a team's goal (the team is created when new); default: the "
                     "organisation's")
    add.add_argument("--period", help="e.g. 2026 or 2026-Q4")
    organisation_option(add)
    add.set_defaults(handler=cmd_goals_add)
    listing = goal_commands.add_parser("list", help="the active goals")
    listing.add_argument("--all", action="store_true", help="archived goals too")
    listing.add_argument("--team", metavar="NAME", help="only this team's goals")
    organisation_option(listing)
    listing.set_defaults(handler=cmd_goals_list)
    archive = goal_commands.add_parser("archive", help="stop offering a goal")
    archive.add_argument("id", type=int, metavar="ID", help="the goal's number (see list)")
    organisation_option(archive)
    archive.set_defaults(handler=cmd_goals_archive)

    community = commands.add_parser("community", help="community (SOL) sessions")
    community_commands = community.add_subparsers(dest="community_command", metavar="ACTION",
                                                  required=True)
    session_add = community_commands.add_parser("add", help="plan a community session")
    session_add.add_argument("--title", required=True)
    session_add.add_argument("--starts", required=True, metavar="WHEN",
                             help="local date and time, e.g. 2026-12-10T15:00 (in the "
                             "organisation's time zone)")
    session_add.add_argument("--location", help="a room or a link")
    organisation_option(session_add)
    session_add.set_defaults(handler=cmd_community_add)
    session_list = community_commands.add_parser("list", help="the upcoming sessions")
    session_list.add_argument("--all", action="store_true", help="past sessions too")
    organisation_option(session_list)
    session_list.set_defaults(handler=cmd_community_list)


def cmd_catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    # Read and check the whole file before touching the database: all or nothing.
    try:
        entries = read_catalog_file(Path(args.file))
    except CatalogError as exc:
        return _refuse_file(exc)
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            result = import_catalog(session, organisation.id, entries)
            slug = organisation.slug
    finally:
        runtime.close()
    print(
        f"imported {result.total} competences into organisation {slug!r}: "
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def cmd_catalog_export(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    catalog_format(path)  # a wrong extension is refused before anything else happens
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            entries = catalog_entries(session, organisation.id)
            slug = organisation.slug
    finally:
        runtime.close()
    try:
        write_catalog_file(path, entries)
    except OSError as exc:
        print(f"leercoach: cannot write {path} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_FAILURE
    print(f"exported {len(entries)} competences of organisation {slug!r} to {path}")
    return 0


def cmd_goals_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            goal, team_created = goals.add_goal(
                session,
                organisation,
                level=args.level,
                title=args.title,
                description=args.description or "",
                team=args.team,
                period=args.period,
            )
            goal_id, slug = goal.id, organisation.slug
    finally:
        runtime.close()
    if team_created:
        print(f"created team {args.team.strip()!r} in organisation {slug!r}")
    print(f"added goal #{goal_id} ({args.level}) to organisation {slug!r}")
    return 0


def cmd_goals_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            rows = goals.list_goals(
                session, organisation, include_archived=args.all, team=args.team
            )
            lines = [
                "  ".join(
                    (
                        f"#{row.goal.id:<4}",
                        f"{row.goal.level:<8}",
                        f"{row.goal.period or '-':<7}",
                        f"{row.team or '(organisation)':<20}",
                        row.goal.title + ("" if row.goal.active else "  [archived]"),
                    )
                )
                for row in rows
            ]
            slug = organisation.slug
    finally:
        runtime.close()
    if not lines:
        print(f"organisation {slug!r} has no {'' if args.all else 'active '}goals")
    for line in lines:
        print(line)
    return 0


def cmd_goals_archive(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            goal = goals.archive_goal(session, organisation, args.id)
            title = goal.title
    finally:
        runtime.close()
    print(f"archived goal #{args.id}: {title}")
    return 0


def cmd_community_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            zone = organisation.default_timezone
            starts_at = goals.parse_starts(args.starts, zone)
            row = goals.add_session(
                session,
                organisation,
                title=args.title,
                starts_at=starts_at,
                location=args.location or "",
            )
            session_id, slug = row.id, organisation.slug
    finally:
        runtime.close()
    local = starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    print(f"added community session #{session_id} on {local} ({zone}) to organisation {slug!r}")
    return 0


def cmd_community_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            zone = ZoneInfo(organisation.default_timezone)
            rows = goals.list_sessions(
                session, organisation, now=clock.now(), include_past=args.all
            )
            lines = [
                "  ".join(
                    (
                        f"#{row.id:<4}",
                        row.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                        row.title + (f"  @ {row.location}" if row.location else ""),
                    )
                )
                for row in rows
            ]
            slug, zone_name = organisation.slug, organisation.default_timezone
    finally:
        runtime.close()
    if not lines:
        print(f"organisation {slug!r} has no {'' if args.all else 'upcoming '}community sessions")
        return 0
    print(f"times in {zone_name}")
    for line in lines:
        print(line)
    return 0


def _refuse_file(exc: CatalogError) -> int:
    """Every problem of a file that was not imported, by line, on stderr."""
    count = len(exc.problems)
    print(
        f"leercoach: cannot import {exc.source} ({count} problem{'s' * (count != 1)}); "
        "nothing was imported:",
        file=sys.stderr,
    )
    for problem in exc.problems[:MAX_REPORTED]:
        print(f"  {problem}", file=sys.stderr)
    if count > MAX_REPORTED:
        print(f"  … and {count - MAX_REPORTED} more", file=sys.stderr)
    return EXIT_USAGE


def add_checklists(commands: Commands) -> None:
    checklists = commands.add_parser(
        "checklists", help="checklists for critical tasks (YAML or CSV)"
    )
    checklist_commands = checklists.add_subparsers(dest="checklists_command",
                                                   metavar="ACTION", required=True)
    imports = checklist_commands.add_parser(
        "import", help="add or update checklists (by code) from a .yaml/.yml/.csv file"
    )
    imports.add_argument("file", metavar="FILE")
    organisation_option(imports)
    imports.set_defaults(handler=cmd_checklists_import)
    listing = checklist_commands.add_parser("list", help="the checklists people can call up")
    listing.add_argument("--all", action="store_true", help="archived checklists too")
    organisation_option(listing)
    listing.set_defaults(handler=cmd_checklists_list)
    archive = checklist_commands.add_parser("archive", help="stop offering a checklist")
    archive.add_argument("code", metavar="CODE")
    archive.add_argument("--undo", action="store_true", help="offer it again")
    organisation_option(archive)
    archive.set_defaults(handler=cmd_checklists_archive)


def cmd_checklists_import(args: argparse.Namespace, settings: Settings) -> int:
    # The whole file is read and checked before the database is touched: all or nothing.
    try:
        specs = read_checklist_file(Path(args.file))
    except ChecklistFileError as exc:
        return _refuse_file(exc)
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            result = import_checklists(session, organisation.id, specs, args.file)
            slug = organisation.slug
    except ChecklistFileError as exc:  # a name another checklist of the organisation has
        return _refuse_file(exc)
    finally:
        runtime.close()
    print(
        f"imported {result.total} checklist{'s' * (result.total != 1)} into organisation "
        f"{slug!r}: "
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def cmd_checklists_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            rows = list_checklists(session, organisation.id, include_archived=args.all)
            slug = organisation.slug
    finally:
        runtime.close()
    if not rows:
        print(f"organisation {slug!r} has no {'' if args.all else 'active '}checklists")
    for row in rows:
        about = " / ".join(part for part in (row.discipline, row.task) if part)
        print("  ".join((
            f"{row.code:<20}",
            f"{row.name_nl} | {row.name_en}",
            f"({row.items} items{'; ' + about if about else ''})",
        )) + ("  [archived]" if row.archived else ""))
    return 0


def cmd_checklists_archive(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            row = archive_checklist(session, organisation.id, args.code, not args.undo)
            code, name = row.code, row.name_nl
    finally:
        runtime.close()
    print(f"{'restored' if args.undo else 'archived'} checklist {code!r}: {name}")
    return 0
