"""Running the service: `leercoach serve` (the HTTP server with every configured platform),
`db upgrade`, `login-link` into the web pages, and `teams-package` for Teams' app upload."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from alembic.util.exc import CommandError as AlembicError

from adapters.cli.common import EXIT_FAILURE, EXIT_USAGE, runtime_of
from bot import clock
from bot.config import Settings
from bot.core.prompts import PromptLibrary
from bot.privacy.export import UnknownPerson, find_person
from bot.runtime import Runtime
from bot.storage import migrate
from bot.storage.database import create_db_engine

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_serve(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="run the HTTP server (health check, adapters)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="port (default 3978)")
    serve.add_argument("--no-scheduler", action="store_true",
                       help="do not run the scheduler in this process")
    serve.set_defaults(handler=cmd_serve)


def add_login_link(commands: Commands) -> None:
    link = commands.add_parser(
        "login-link", help="a one-time link into the web pages (15 minutes): the admin's or "
        "a person's")
    who = link.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", action="store_true",
                     help="the admin: the web chat and every organisation's dashboard")
    who.add_argument("--user", help="a person's platform user id, or #<person id>")
    link.add_argument("--platform", help="only this platform (terminal, slack, teams, web)")
    link.add_argument("--tenant", help="only this workspace / tenant")
    link.set_defaults(handler=cmd_login_link)


def add_db(commands: Commands) -> None:
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.add_argument("revision", nargs="?", default="head", help="target (default head)")
    upgrade.set_defaults(handler=cmd_db_upgrade)


def add_teams_package(commands: Commands) -> None:
    teams = commands.add_parser(
        "teams-package", help="write the Teams app package (manifest and icons, zipped)")
    teams.add_argument("--app-id", required=True, metavar="ID",
                       help="the bot's Microsoft App ID (a GUID)")
    teams.add_argument("--out", default="leercoach-teams.zip", metavar="FILE",
                       help="the zip to write (default leercoach-teams.zip)")
    teams.add_argument("--name", default="Leercoach", help="the app's name in Teams")
    teams.add_argument("--domain", default="leercoach.example.org",
                       help="host name of the coach's website (privacy and terms pages)")
    teams.add_argument("--version", default="1.0.0",
                       help="app version; raise it for every upload that changes the package")
    teams.set_defaults(handler=cmd_teams_package)


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    database = create_db_engine(settings.database_url)
    try:
        try:
            migrate.upgrade(database, args.revision)
        except AlembicError as exc:
            print(f"leercoach: cannot upgrade to {args.revision!r} ({exc})", file=sys.stderr)
            return EXIT_USAGE
        print(f"database at revision {migrate.current_revision(database)}")
    finally:
        database.dispose()
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from adapters import platform, platforms
    from adapters.http_server import MetricsAccess, create_app, serve
    from scheduler.ticks import Ticks

    if not os.environ.get("LEERCOACH_PUBLIC_URL", "").strip():
        # links point at this server unless a proxy in front of it is named
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        settings = dataclasses.replace(settings, public_url=f"http://{shown}:{args.port}")
    access = MetricsAccess.from_env(os.environ)
    runtime = runtime_of(settings)
    try:
        adapters, off = platforms.for_server(runtime, args.host)
    except Exception:
        runtime.close()
        raise
    ticks = None if args.no_scheduler else Ticks(
        runtime, platform.senders(adapters), limits=platform.limits(adapters))

    def banner() -> None:
        """Said once the port is open (Slack's Socket Mode connects in the background)."""
        print(f"Leercoach listening on http://{args.host}:{args.port} (health: /healthz, "
              "/readyz)", flush=True)
        print(access.describe(), flush=True)
        for line in [line for adapter in adapters for line in adapter.banner()] + off:
            print(line, flush=True)
        if not any(adapter.authenticates_people() for adapter in adapters):
            url = admin_link(runtime, settings)
            print(f"Web chat and dashboard: open {url} within 15 minutes to log in as admin "
                  "(a new link: leercoach login-link --admin)", flush=True)

    try:
        serve(create_app(runtime, ticks, adapters, access), args.host, args.port, banner)
    finally:
        runtime.close()
    return 0


def admin_link(runtime: Runtime, settings: Settings, person_id: int | None = None) -> str:
    """A one-time login link (bot.people.web_access): the admin's when `person_id` is None."""
    from bot.people import web_access as access
    from bot.practices.web_link.hooks import login_url

    with runtime.database.begin() as connection:
        token = access.issue_link(connection, person_id, clock.now())
    return login_url(settings.public_url, token)


def cmd_login_link(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time login link for the web pages: the admin's, or a person's."""
    runtime = runtime_of(settings)
    try:
        person_id = None
        if not args.admin:
            with runtime.sessions() as session:
                try:
                    person = find_person(session, args.user, args.platform, args.tenant)
                except UnknownPerson as exc:
                    print(f"leercoach: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                person_id = person.id
        print(admin_link(runtime, settings, person_id))
    finally:
        runtime.close()
    return 0


PILLOW_MISSING = ("leercoach: the Teams package draws its icons with Pillow, which this "
                  "installation does not have. Install it with "
                  "pip install 'leercoach[teams-package]' (or pip install pillow) and run "
                  "this again; the coach itself runs without it.")


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from adapters.teams.package import DEFAULT_DOMAIN, PackageError, write_package
    except ModuleNotFoundError as exc:  # Pillow is an extra: only this command needs it
        if exc.name != "PIL":
            raise
        print(PILLOW_MISSING, file=sys.stderr)
        return EXIT_USAGE

    path = Path(args.out)
    try:
        files = write_package(path, args.app_id, name=args.name, domain=args.domain,
                              version=args.version,
                              prompts=PromptLibrary.with_override(settings.prompts_dir))
    except PackageError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"leercoach: cannot write {path} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_FAILURE
    print(f"wrote {path} ({', '.join(files)}); upload it in Teams: Apps > Manage your apps > "
          "Upload an app, or in the Teams admin center")
    if args.domain.strip().lower() == DEFAULT_DOMAIN:
        print(f"note: {DEFAULT_DOMAIN} is a placeholder; give --domain your own host name")
    return 0
