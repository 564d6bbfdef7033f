"""Prepared statements for the engine's hot path, run straight on the driver's cursor.

SQLAlchemy still builds and compiles each statement (once per dialect) and still converts
every value with the column type's own bind and result processors; only its per-execution
machinery (execution contexts, events, result objects) is skipped, which halves the cost of
a turn on SQLite. Rows are plain tuples, read by name through `reader`: a column's key or
label is resolved to its position once, so reading by name costs what slicing did. Driver
errors are raised as SQLAlchemy's own exceptions (IntegrityError, OperationalError …), so
callers handle one family of errors whichever way a statement ran.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


def insert_values(table: Table, columns: Sequence[str]) -> Insert:
    """INSERT of exactly `columns`, each bound by its own name (for Prepared)."""
    return insert(table).values({name: bindparam(name) for name in columns})


def _result_columns(statement: ClauseElement) -> Any:
    """The columns a statement's rows hold: a SELECT's, or what an INSERT/UPDATE returns."""
    columns = getattr(statement, "selected_columns", None)
    if columns is None or not len(columns):
        columns = getattr(statement, "_returning", ())
    return columns


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]
    positional: bool
    binds: tuple[Processor, ...]
    converting: tuple[tuple[int, Callable[[Any], Any]], ...]  # result columns to convert
    fixed: Mapping[str, Any]  # values the statement itself carries (e.g. LIMIT 1)


class Prepared:
    """One Core statement (SELECT, INSERT … RETURNING, UPDATE) ready to run fast."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self.keys: tuple[str, ...] = tuple(column.key for column in _result_columns(statement))

    def reader(self, *names: str) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        """What reads the named columns (keys or labels) of this statement's rows, as a
        tuple in the order asked."""
        if len(set(self.keys)) != len(self.keys):
            raise ValueError(f"columns named twice in {self.keys}: label them")
        missing = [name for name in names if name not in self.keys]
        if missing:
            raise ValueError(f"no column named {missing} among {self.keys}")
        positions = [self.keys.index(name) for name in names]
        if len(positions) == 1:
            [position] = positions
            return lambda row: (row[position],)
        return itemgetter(*positions)

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compile(dialect)
            self._compiled[dialect.name] = compiled
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiler = self.statement.compile(dialect=dialect)
        assert isinstance(compiler, SQLCompiler)
        positional = bool(compiler.positional)
        names = tuple(compiler.positiontup or ()) if positional else tuple(compiler.binds)
        binds = tuple(
            compiler.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        )
        results = (
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in _result_columns(self.statement)
        )
        converting = tuple((i, p) for i, p in enumerate(results) if p is not None)
        fixed = {
            name: compiler.binds[name].effective_value
            for name in names
            if not compiler.binds[name].required
        }
        return _Compiled(str(compiler), names, positional, binds, converting, fixed)

    def _execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        compiled = self._for(connection.dialect)
        if compiled.fixed:
            params = {**compiled.fixed, **params}
        values = [
            process(params[name]) if process else params[name]
            for name, process in zip(compiled.names, compiled.binds, strict=True)
        ]
        arguments: Sequence[Any] | dict[str, Any] = (
            values if compiled.positional else dict(zip(compiled.names, values, strict=True))
        )
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(compiled.sql, arguments)
        except connection.dialect.loaded_dbapi.Error as exc:
            cursor.close()
            raise DBAPIError.instance(
                compiled.sql, None, exc, connection.dialect.loaded_dbapi.Error,
                hide_parameters=True, dialect=connection.dialect,
            ) from exc
        return cursor, compiled

    @staticmethod
    def _convert(compiled: _Compiled, row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for index, process in compiled.converting:
            values[index] = process(values[index])
        return tuple(values)

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        cursor, compiled = self._execute(connection, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else self._convert(compiled, row)

    def all(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        cursor, compiled = self._execute(connection, params)
        try:
            return [self._convert(compiled, row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """The one column of the first row (None without a row), for one-column statements
        such as a count or an INSERT … RETURNING id."""
        self._one_column()
        row = self.first(connection, params)
        return None if row is None else row[0]

    def scalars(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The one column of every row, for one-column statements."""
        self._one_column()
        return [row[0] for row in self.all(connection, params)]

    def _one_column(self) -> None:
        if len(self.keys) != 1:
            raise TypeError(f"scalar reads of a statement with columns {self.keys}")

    def run(self, connection: Connection, params: Mapping[str, Any]) -> int:
        """Execute; the number of rows changed."""
        cursor, _ = self._execute(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
