"""Backups that restore: a consistent snapshot of a running database, and putting one back.

SQLite (WAL) cannot be copied file by file while it runs: the newest pages may still be in
the -wal file. SQLite's own online backup API copies every page under one read transaction,
so the copy is one consistent moment while turns go on writing. PostgreSQL is dumped with
its own pg_dump (custom format) and restored with pg_restore; without those programs there
is no backup, and the error says how to get them.

The encryption keys live only in the environment (bot.config), never in the database, so
no backup holds them: a stolen backup of a sealed database is ciphertext without its keys.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from bot.storage import migrate
from bot.storage.database import create_db_engine, normalise_url

PG_TOOLS_HINT = ("install the PostgreSQL client programs of the server's major version "
                 "(Debian/Ubuntu: postgresql-client) or back up with your provider's tools")


class BackupError(RuntimeError):
    """A backup or restore that cannot be done as asked; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Restored:
    """What `restore` put back: the backup's schema revision, and whether it is behind the
    code (then `leercoach db upgrade` brings it forward)."""

    revision: str
    behind: bool


def _sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def backup(database_url: str, target: Path) -> None:
    """Write a consistent snapshot of the database at `database_url` to `target` (a new
    file: an existing one is never overwritten)."""
    url = make_url(normalise_url(database_url))
    if target.exists():
        raise BackupError(f"{target} exists already; give a new file name")
    source = _sqlite_path(url)
    if source is None:
        _pg_dump(url, target)
        return
    if not source.exists():
        raise BackupError(f"there is no database at {source}")
    try:
        with closing(sqlite3.connect(source, timeout=15)) as connection:
            snapshot(connection, target)
    except sqlite3.DatabaseError as exc:  # not a database, or locked beyond the timeout
        raise BackupError(f"cannot back up {source} ({exc})") from None


def snapshot(connection: sqlite3.Connection, target: Path) -> None:
    """Copy the database `connection` reads into a new file `target`, as one consistent
    moment (the connection's open read transaction, if it has one). Written beside the
    target first, so a broken-off backup never leaves a file that looks whole."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(partial)) as copy:
            connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def restore(backup_file: Path, database_url: str, *, force: bool = False) -> Restored:
    """Put the backup in `backup_file` into the database at `database_url`.

    Refused when the backup is no Leercoach database or comes from a newer version, and
    when the database is in use (a running `serve` or `scheduler`) unless `force`: the
    running processes would go on from what they hold in memory.
    """
    if not backup_file.is_file():
        raise BackupError(f"there is no backup file {backup_file}")
    url = make_url(normalise_url(database_url))
    target = _sqlite_path(url)
    if target is None:
        revision = _pg_backup_revision(backup_file)
        restored = _checked(revision, backup_file)
        if not force:
            _refuse_pg_in_use(url)
        _pg_restore(url, backup_file)
        return restored
    restored = _checked(_sqlite_backup_revision(backup_file), backup_file)
    if target.exists() and not force and sqlite_in_use(target):
        raise BackupError(f"{target} is in use by a running Leercoach process; stop it first, "
                          "or pass --force to overwrite it anyway")
    try:
        with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as source, \
                closing(sqlite3.connect(target, timeout=15)) as destination:
            source.backup(destination)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot restore into {target} ({exc})") from None
    return restored


def sqlite_in_use(path: Path) -> bool:
    """True while another connection has the SQLite file open. Leaving WAL mode needs every
    other connection gone, so that is the probe (a running coach keeps connections open;
    the mode is WAL again as soon as Leercoach opens the file)."""
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as probe:
        try:
            mode = probe.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError:  # "database is locked": someone holds it
            return True
        except sqlite3.DatabaseError:
            raise BackupError(f"{path} is not a SQLite database; it is left as it is "
                              "(remove it, or name another database)") from None
    return bool(mode and str(mode[0]).lower() == "wal")


def _checked(revision: str | None, backup_file: Path) -> Restored:
    """The backup's schema revision held against the code's migrations."""
    if revision is None:
        raise BackupError(f"{backup_file} is not a Leercoach backup (no schema version in it)")
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    try:
        known = scripts.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(f"{backup_file} has schema version {revision}, which this version "
                          "of Leercoach does not know: restore it with the version that "
                          "made it (or a newer one)")
    return Restored(revision, behind=revision != migrate.head_revision())


def _sqlite_backup_revision(backup_file: Path) -> str | None:
    try:
        with closing(sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)) as connection:
            if connection.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{backup_file} is damaged (SQLite's quick_check fails)")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:  # not a database at all, or no alembic_version table
        return None
    return str(row[0]) if row else None


# PostgreSQL, through its own client programs.


def _pg_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed, so there is no PostgreSQL backup or "
                          f"restore from here: {PG_TOOLS_HINT}")
    return found


def _pg_environment(url: URL) -> dict[str, str]:
    """libpq's variables for `url`, so the password never shows in a process listing."""
    env = dict(os.environ)
    for variable, value in (("PGHOST", url.host), ("PGPORT", url.port),
                            ("PGUSER", url.username), ("PGPASSWORD", url.password),
                            ("PGDATABASE", url.database)):
        if value is not None:
            env[variable] = str(value)
    options = url.query.get("options")
    if isinstance(options, str):
        env["PGOPTIONS"] = options
    return env


def _pg_schema(url: URL) -> str | None:
    """The schema a `-csearch_path=NAME` option confines the connection to, if any."""
    options = url.query.get("options")
    if isinstance(options, str) and options.startswith("-csearch_path="):
        return options.removeprefix("-csearch_path=").split(",")[0].strip() or None
    return None


def _run(command: list[str], url: URL) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=_pg_environment(url), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{Path(command[0]).name} failed: {reason}")
    return done


def _pg_dump(url: URL, target: Path) -> None:
    command = [_pg_program("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
               f"--file={target}"]
    schema = _pg_schema(url)
    if schema:
        command.append(f"--schema={schema}")
    try:
        _run(command, url)
    except BackupError:
        target.unlink(missing_ok=True)
        raise


def _pg_backup_revision(backup_file: Path) -> str | None:
    """The schema revision in a pg_dump archive, read without restoring it."""
    program = _pg_program("pg_restore")
    done = subprocess.run([program, "--data-only", "--table=alembic_version", "--file=-",
                           str(backup_file)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    lines = done.stdout.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            value = lines[index + 1].strip()
            return value if value and value != "\\." else None
    return None


def _refuse_pg_in_use(url: URL) -> None:
    engine = create_db_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            others = connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        engine.dispose()
    if others:
        raise BackupError(f"the database {url.database} is in use ({others} other connections); "
                          "stop every Leercoach process first, or pass --force")


def _pg_restore(url: URL, backup_file: Path) -> None:
    _run([_pg_program("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--no-privileges", "--single-transaction", f"--dbname={url.database}",
          str(backup_file)], url)
