"""The `leercoach` command: chat in the terminal, serve HTTP, migrate, export a person's data."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from bot.export import UnknownPerson, export_person, find_person
from bot.prompts import LOCALES, PromptError
from bot.runtime import Runtime, SchemaOutOfDate, open_runtime
from bot.settings import ConfigError, Settings
from bot.storage import migrate
from bot.storage.database import create_db_engine

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
    except (ConfigError, SchemaOutOfDate, PromptError) as exc:
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
