"""Turn transactions on SQLite run BEGIN IMMEDIATE … COMMIT on the driver under a standing
SQLAlchemy transaction: all or nothing must hold for Core statements and ORM sessions alike,
after errors too, and the pooled connection must be an ordinary one again afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.database import ThreadConnections, create_db_engine
from bot.storage.models import Organisation, table_of

organisations = table_of(Organisation)


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Engine]:
    engine = create_db_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text(
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
    yield engine
    engine.dispose()


def notes(database: Engine) -> list[str]:
    with database.connect() as connection:
        return list(connection.execute(text("SELECT body FROM notes ORDER BY id")).scalars())


def add(connection: object, body: str) -> None:
    connection.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": body})  # type: ignore[attr-defined]


def test_a_turn_commits_core_and_session_writes_together(database: Engine) -> None:
    connections = ThreadConnections(database)
    with connections.transaction() as connection:
        add(connection, "core")
        session = Session(bind=connection)
        session.add(Organisation(slug="acme", name="Acme"))
        session.flush()
        session.close()
    assert notes(database) == ["core"]
    with database.connect() as other:
        assert other.scalar(select(func.count()).select_from(organisations)) == 1
    connections.close()


def test_an_error_rolls_back_everything_and_the_next_turn_is_atomic_again(
    database: Engine,
) -> None:
    connections = ThreadConnections(database)
    with pytest.raises(RuntimeError), connections.transaction() as connection:
        add(connection, "lost")
        raise RuntimeError("boom")
    assert notes(database) == []
    with pytest.raises(IntegrityError), connections.transaction() as connection:
        add(connection, "first")
        session = Session(bind=connection)
        connection.execute(insert(organisations).values(slug="x", name="X"))
        session.execute(insert(organisations).values(slug="x", name="again"))  # duplicate
    assert notes(database) == []  # the Core write before the failing statement went too
    with pytest.raises(RuntimeError), connections.transaction() as connection:
        add(connection, "also lost")  # not autocommitted after the errors above
        raise RuntimeError("boom")
    with connections.transaction() as connection:
        add(connection, "kept")
    assert notes(database) == ["kept"]
    connections.close()


def test_the_pooled_connection_is_ordinary_after_the_thread_is_done(database: Engine) -> None:
    connections = ThreadConnections(database)
    with connections.transaction() as connection:
        add(connection, "turn")
    connections.close()
    with pytest.raises(RuntimeError), database.begin() as connection:
        add(connection, "not committed")
        raise RuntimeError("boom")
    assert notes(database) == ["turn"]
