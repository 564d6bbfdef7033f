"""The `leercoach` command: chat in the terminal, serve HTTP, migrate, export a person's data,
and keep an organisation's competence catalog, goals and community sessions."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot import goals
from bot.catalog import (
    MAX_REPORTED,
    CatalogError,
    catalog_entries,
    catalog_format,
    import_catalog,
    read_catalog_file,
    write_catalog_file,
)
from bot.export import UnknownPerson, export_person, find_person
from bot.people import DEFAULT_ORGANISATION_SLUG, default_organisation
from bot.prompts import LOCALES, PromptError
from bot.runtime import Runtime, SchemaOutOfDate, open_runtime
from bot.settings import ConfigError, Settings
from bot.storage import migrate
from bot.storage.database import create_db_engine
from bot.storage.models import Organisation

EXIT_USAGE = 2
EXIT_FAILURE = 1


def _runtime(settings: Settings) -> Runtime:
    return open_runtime(settings)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.terminal import TerminalChat, stdin_lines, terminal_address

    runtime = _runtime(settings)
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


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
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


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    database = create_db_engine(settings.database_url)
    try:
        migrate.upgrade(database, args.revision)
        print(f"database at revision {migrate.current_revision(database)}")
    finally:
        database.dispose()
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from adapters.http_server import create_app

    runtime = _runtime(settings)
    print(f"Leercoach listening on http://{args.host}:{args.port} (health: /healthz)", flush=True)
    try:
        web.run_app(create_app(runtime), host=args.host, port=args.port, print=None)
    finally:
        runtime.close()
    return 0


# -- the organisation's catalog, goals and community sessions ---------------------------------


class UnknownOrganisation(LookupError):
    """No organisation with the slug given to --organisation."""


def _organisation(session: Session, settings: Settings, slug: str) -> Organisation:
    """The organisation by slug; the default one is created (with the starter catalog)."""
    found = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is not None:
        return found
    if slug == DEFAULT_ORGANISATION_SLUG:
        return default_organisation(session, settings)
    raise UnknownOrganisation(f"there is no organisation {slug!r}")


def cmd_catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    # Read and check the whole file before touching the database: all or nothing.
    try:
        entries = read_catalog_file(Path(args.file))
    except CatalogError as exc:
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            goal = goals.archive_goal(session, organisation, args.id)
            title = goal.title
    finally:
        runtime.close()
    print(f"archived goal #{args.id}: {title}")
    return 0


def cmd_community_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            zone = ZoneInfo(organisation.default_timezone)
            rows = goals.list_sessions(
                session, organisation, now=datetime.now(UTC), include_past=args.all
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


def _organisation_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--organisation",
        default=DEFAULT_ORGANISATION_SLUG,
        metavar="SLUG",
        help=f"the organisation (default {DEFAULT_ORGANISATION_SLUG!r})",
    )


def _add_organisation_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    catalog = commands.add_parser(
        "catalog", help="the organisation's competence catalog (YAML or CSV)"
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="ACTION",
                                              required=True)
    imports = catalog_commands.add_parser(
        "import", help="add or update competences (by code) from a .yaml/.yml/.csv file"
    )
    imports.add_argument("file", metavar="FILE")
    _organisation_option(imports)
    imports.set_defaults(handler=cmd_catalog_import)
    exports = catalog_commands.add_parser(
        "export", help="write the catalog to a .yaml/.yml/.csv file"
    )
    exports.add_argument("file", metavar="FILE")
    _organisation_option(exports)
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
    _organisation_option(add)
    add.set_defaults(handler=cmd_goals_add)
    listing = goal_commands.add_parser("list", help="the active goals")
    listing.add_argument("--all", action="store_true", help="archived goals too")
    listing.add_argument("--team", metavar="NAME", help="only this team's goals")
    _organisation_option(listing)
    listing.set_defaults(handler=cmd_goals_list)
    archive = goal_commands.add_parser("archive", help="stop offering a goal")
    archive.add_argument("id", type=int, metavar="ID", help="the goal's number (see list)")
    _organisation_option(archive)
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
    _organisation_option(session_add)
    session_add.set_defaults(handler=cmd_community_add)
    session_list = community_commands.add_parser("list", help="the upcoming sessions")
    session_list.add_argument("--all", action="store_true", help="past sessions too")
    _organisation_option(session_list)
    session_list.set_defaults(handler=cmd_community_list)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leercoach",
        description="Leercoach: a learning-on-the-job coach for Slack, Teams, the web and "
        "the terminal.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser("chat", help="talk to the coach in the terminal (stdin/stdout)")
    chat.add_argument("--user", required=True, help="your user id, e.g. alice")
    chat.add_argument("--locale", choices=LOCALES, help="language: nl (default) or en")
    chat.set_defaults(handler=cmd_chat)

    serve = commands.add_parser("serve", help="run the HTTP server (health check, adapters)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="port (default 3978)")
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.add_argument("revision", nargs="?", default="head", help="target (default head)")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    privacy = commands.add_parser("privacy", help="a person's data rights")
    privacy_commands = privacy.add_subparsers(dest="privacy_command", metavar="ACTION",
                                              required=True)
    export = privacy_commands.add_parser("export", help="everything stored about a person, as JSON")
    export.add_argument("--user", required=True, help="platform user id, or #<person id>")
    export.add_argument("--platform", help="only this platform (terminal, slack, teams, web)")
    export.add_argument("--tenant", help="only this workspace / tenant")
    export.set_defaults(handler=cmd_export)

    _add_organisation_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        settings = Settings.from_env()
        return int(args.handler(args, settings))
    except (
        ConfigError,
        SchemaOutOfDate,
        PromptError,
        CatalogError,
        goals.GoalError,
        UnknownOrganisation,
    ) as exc:
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
