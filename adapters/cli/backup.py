"""`leercoach backup PATH` and `leercoach restore PATH`: a consistent snapshot of the running
database, and putting one back (bot.storage.backup does the work)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.storage import backup as backups
from bot.storage.encryption import KEY_VARIABLE

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_backup_restore(commands: Commands) -> None:
    take = commands.add_parser(
        "backup", help="write a consistent snapshot of the database (safe while serve runs)")
    take.add_argument("path", type=Path, metavar="PATH", help="the new backup file")
    take.set_defaults(handler=cmd_backup)
    put = commands.add_parser(
        "restore", help="put a backup back into the configured database")
    put.add_argument("path", type=Path, metavar="PATH", help="a file `leercoach backup` wrote")
    put.add_argument("--force", action="store_true",
                     help="overwrite the database even while a Leercoach process uses it")
    put.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    backups.backup(settings.database_url, args.path)
    print(f"backup written to {args.path}")
    if settings.encryption_key:
        print(f"the answers in it are sealed: keep {KEY_VARIABLE} safe and apart from the "
              "backups (it is not in them), or the backup cannot be read")
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    done = backups.restore(args.path, settings.database_url, force=args.force)
    print(f"restored {args.path} (schema version {done.revision})")
    if done.behind:
        print("the backup's schema is older than this version's: run `leercoach db upgrade` "
              "before starting Leercoach")
    return 0
