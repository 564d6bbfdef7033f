"""`leercoach backup` and `restore`: a snapshot taken while turns run restores to exactly what
the database held at that moment, without the keys, and a restore never lands on a database
in use unless forced."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from bot.config import Settings
from bot.privacy.export import export_person
from bot.runtime import Runtime, open_runtime
from bot.storage import backup as backups
from bot.storage import encryption, migrate
from bot.storage.models import Person
from tests.conftest import Chat
from tests.rigs.cli import invoke
from tests.rigs.databases import PG_URL, drop_schema, migrated_postgres_schema
from tests.rigs.diaries import onboard, write_diary

KEY = Fernet.generate_key().decode()
SECRET_ANSWER = "Mijn geheime leermoment met de klant"


@pytest.fixture(autouse=True)
def _no_ring_left_behind() -> Iterator[None]:
    """The key ring is process-wide: leave it as other tests expect it (none)."""
    with encryption.using(None):
        yield


@pytest.fixture
def sealed_runtime(sqlite_url: str) -> Iterator[Runtime]:
    opened = open_runtime(Settings(database_url=sqlite_url, encryption_key=KEY))
    yield opened
    opened.close()


def exports(session: Session) -> dict[int, dict[str, Any]]:
    return {person.id: export_person(session, person)
            for person in session.scalars(select(Person).order_by(Person.id))}


class Traffic:
    """People writing diaries in another thread until stopped: the live load of a backup."""

    def __init__(self, runtime: Runtime, people: int) -> None:
        self.chats = [Chat(runtime.engine, f"user{n}") for n in range(people)]
        self.turns = 0
        self.stop = threading.Event()
        self.started = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            round_ = 0
            while not self.stop.is_set():
                for chat in self.chats:
                    write_diary(chat, (f"moment {round_}", f"aanpak {round_}",
                                       f"les {round_}"))
                    self.turns += 5
                    self.started.set()
                round_ += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.errors.append(exc)
            self.started.set()

    def __enter__(self) -> Traffic:
        self.thread.start()
        assert self.started.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(60)
        assert not self.errors, self.errors


def test_a_backup_under_live_traffic_restores_every_persons_export(
        sealed_runtime: Runtime, sqlite_url: str, tmp_path: Path) -> None:
    people = 4
    for n in range(people):
        chat = Chat(sealed_runtime.engine, f"user{n}")
        onboard(chat)
        write_diary(chat, (SECRET_ANSWER, "Ik vroeg door.", "Eerst vragen."))
    source = Path(sqlite_url.removeprefix("sqlite:///"))
    target = tmp_path / "snapshot.db"

    with Traffic(sealed_runtime, people) as traffic:
        # The snapshot's moment: one read transaction holds both the exports and the copy,
        # while the other thread goes on committing turns.
        with closing(sqlite3.connect(source, isolation_level=None,
                                     check_same_thread=False)) as reader:
            engine = create_engine("sqlite://", creator=lambda: reader, poolclass=StaticPool)
            engine.connect().close()  # its first connect ends any transaction: done before
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM people").fetchone()
            before = traffic.turns
            with Session(engine) as session:
                at_snapshot = exports(session)
                backups.snapshot(reader, target)
            engine.dispose()
        while traffic.turns < before + 10 and not traffic.errors:
            traffic.stop.wait(0.01)

    with sealed_runtime.sessions() as session:
        now = exports(session)
    assert now != at_snapshot, "the traffic wrote nothing after the snapshot: no live test"
    assert len(at_snapshot) == people

    restored_url = f"sqlite:///{tmp_path / 'restored.db'}"
    done = backups.restore(target, restored_url)
    assert done.revision == migrate.head_revision() and not done.behind
    restored = open_runtime(Settings(database_url=restored_url, encryption_key=KEY))
    try:
        with restored.sessions() as session:
            assert exports(session) == at_snapshot
    finally:
        restored.close()

    stored = target.read_bytes()
    assert KEY.encode() not in stored
    assert SECRET_ANSWER.encode() not in stored  # sealed in the backup as in the database


def test_the_backup_command_runs_beside_live_traffic_and_restore_refuses_a_database_in_use(
        sealed_runtime: Runtime, sqlite_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    onboard(Chat(sealed_runtime.engine, "user0"))
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("LEERCOACH_ENCRYPTION_KEY", KEY)
    target = tmp_path / "nightly.db"
    with Traffic(sealed_runtime, 1):
        status, out, err = invoke(capsys, "backup", str(target))
    assert status == 0, err
    assert "backup written" in out and "LEERCOACH_ENCRYPTION_KEY" in out
    assert KEY not in out + err

    status, _, err = invoke(capsys, "backup", str(target))
    assert status == 2 and "exists already" in err

    # the live database is held open by the runtime: refused, then forced
    status, _, err = invoke(capsys, "restore", str(target))
    assert status == 2 and "in use" in err and "--force" in err
    status, out, err = invoke(capsys, "restore", str(target), "--force")
    assert status == 0, err
    assert "restored" in out
    with sealed_runtime.sessions() as session:
        assert session.scalar(select(Person.id)) is not None

    # a database nobody has open is restored without --force
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    status, out, err = invoke(capsys, "restore", str(target))
    assert status == 0, err


def test_restore_checks_what_it_is_given(tmp_path: Path, sqlite_template: Path) -> None:
    not_ours = tmp_path / "other.db"
    with closing(sqlite3.connect(not_ours)) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(backups.BackupError, match="not a Leercoach backup"):
        backups.restore(not_ours, f"sqlite:///{tmp_path / 'a.db'}")

    newer = tmp_path / "newer.db"
    backups.backup(f"sqlite:///{sqlite_template}", newer)
    with closing(sqlite3.connect(newer)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        connection.commit()
    with pytest.raises(backups.BackupError, match="does not know"):
        backups.restore(newer, f"sqlite:///{tmp_path / 'b.db'}")
    assert not (tmp_path / "b.db").exists()

    with pytest.raises(backups.BackupError, match="no backup file"):
        backups.restore(tmp_path / "missing.db", f"sqlite:///{tmp_path / 'c.db'}")


def test_without_pg_dump_the_postgresql_backup_says_so(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no client programs on it
    with pytest.raises(backups.BackupError, match=r"pg_dump is not installed.*postgresql-client"):
        backups.backup("postgresql://leercoach@db.invalid/leercoach", tmp_path / "x.dump")
    assert not (tmp_path / "x.dump").exists()


@pytest.mark.skipif(not PG_URL, reason="LEERCOACH_TEST_DATABASE_URL is not set")
@pytest.mark.postgres
def test_a_postgresql_backup_restores_with_pg_restore(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    if not backups.shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    url, schema = migrated_postgres_schema(PG_URL)
    try:
        runtime = open_runtime(Settings(database_url=url))
        try:
            onboard(Chat(runtime.engine, "pg-user"))
            with runtime.sessions() as session:
                before = exports(session)
        finally:
            runtime.close()
        target = tmp_path / "pg.dump"
        backups.backup(url, target)
        # the schema is dropped, then restored from the dump (forced: the suite shares it)
        drop_schema(PG_URL, schema)
        done = backups.restore(target, url, force=True)
        assert done.revision == migrate.head_revision()
        runtime = open_runtime(Settings(database_url=url))
        try:
            with runtime.sessions() as session:
                assert exports(session) == before
        finally:
            runtime.close()
    finally:
        engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_files_that_are_no_database_are_named_not_tracebacks(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(backups.BackupError, match="cannot back up"):
        backups.backup(f"sqlite:///{junk}", tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()

    good = tmp_path / "good.db"
    with closing(sqlite3.connect(good)) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES (?)",
                           (migrate.head_revision(),))
        connection.commit()
    with pytest.raises(backups.BackupError, match="not a SQLite database"):
        backups.restore(good, f"sqlite:///{junk}")
    assert junk.read_bytes().startswith(b"not a database")
