"""Opening the database: SQLite (WAL) by default, PostgreSQL through psycopg 3 at scale.

On SQLite every transaction starts with BEGIN IMMEDIATE, so two turns never both read a
dialog and then race to write it; PostgreSQL gets the same guarantee from a row lock on the
person (see bot.conversation.coach). Both keep different people's turns independent.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """Let people write postgresql:// and still get the psycopg 3 driver we ship."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


# Connections of ThreadConnections whose transactions run on the driver (SQLite only).
_STANDING: weakref.WeakSet[Connection] = weakref.WeakSet()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN IMMEDIATE below is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection in _STANDING:
            return  # ThreadConnections begins and ends each turn on the driver itself
        connection.connection.driver_connection.execute("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """An Engine configured for Leercoach's access pattern on either database.

    Statement parameters are hidden from errors and logs: they are people's reflections.
    """
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query; used by /healthz."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


class ThreadConnections:
    """One open connection per thread, reused from turn to turn.

    Checking a connection out of the pool and back in costs about as much as a whole SQLite
    statement; a turn only needs a transaction. The connection goes back to the pool when its
    thread ends (or `close` is called); one that broke is dropped, and the next turn of that
    thread opens a fresh one.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(engine)
        self._local = threading.local()
        self._open: weakref.WeakSet[Connection] = weakref.WeakSet()

    def _connection(self) -> Connection:
        connection: Connection | None = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            connection = self._engine.connect()
            self._local.connection = connection
            self._open.add(connection)
            weakref.finalize(threading.current_thread(), _close_quietly, connection)
        return connection

    def transaction(self) -> AbstractContextManager[Connection]:
        """One transaction on this thread's connection, committed when the block ends."""
        connection = self._connection()
        if self._sqlite:
            return _DriverTransaction(self._local, connection)
        return self._pooled_transaction(connection)

    @contextmanager
    def _pooled_transaction(self, connection: Connection) -> Iterator[Connection]:
        try:
            with connection.begin():
                yield connection
        except BaseException:
            if connection.invalidated or connection.closed:
                self._local.connection = None
            raise

    def close(self) -> None:
        for connection in list(self._open):
            _close_quietly(connection)


class _DriverTransaction:
    """SQLite: BEGIN IMMEDIATE … COMMIT straight on the driver, under a standing SQLAlchemy
    transaction that the turn's Core statements and sessions join.

    SQLAlchemy's own begin and commit cost about 30 µs a turn, a tenth of a diary answer.
    The standing transaction never writes anything itself; an error rolls back both, and
    the next turn starts a fresh one.
    """

    __slots__ = ("connection", "driver", "local")

    def __init__(self, local: threading.local, connection: Connection) -> None:
        self.local = local
        self.connection = connection
        if not connection.in_transaction():
            _STANDING.add(connection)
            connection.begin()
        driver = connection.connection.driver_connection
        assert driver is not None, "a checked-out connection has its driver connection"
        self.driver: Any = driver

    def __enter__(self) -> Connection:
        self.driver.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            self.driver.commit()
            return
        self.driver.rollback()
        try:
            self.connection.rollback()
        finally:
            if self.connection.invalidated or self.connection.closed:
                self.local.connection = None


def _close_quietly(connection: Connection) -> None:
    try:
        connection.close()
    except Exception:  # closing a broken connection may fail; it is gone either way
        return
