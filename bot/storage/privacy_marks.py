"""Privacy marks: each model says, where it is declared, what its columns hold about a person.

The data rights (bot.privacy) and encryption at rest read these marks instead of lists kept
by hand, so a new table is covered by declaring it, and a table without marks fails a test
(tests/test_privacy_marks.py).

Column marks (in `mapped_column(info=...)`, or columns made by the helpers):
- `owner(export=...)`: a foreign key to people whose row is theirs: erasure deletes the row;
  `export` names the key under which the person's export lists those rows (None: not
  exported).
- `mention(clears=..., export=...)`: a foreign key to people on a row that belongs to
  someone else or a team: erasure empties it (and the `clears` columns, their words on it).
- `free_text(...)`: what a person wrote, a SecretText / SecretJSON column: encrypted at rest
  and blanked by the retention purge.
- `sealed(...)`: personal JSON kept encrypted but not purged (an outbox row's start context).

The table mark (class decorator `@privacy(...)`) says how erasure treats the table's rows:
`tally` (the person's rows are deleted and counted in the organisation's anonymous tally),
`delete` (deleted, not counted), `anonymise` (rows stay, the mention is emptied) or `none`
(the table holds nobody); `purge_by` names the date the retention purge judges a row by;
`accounts` names the columns that hold a platform account, for rows without a foreign key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import Column, MetaData, Table
from sqlalchemy.orm import MappedColumn, mapped_column

from bot.storage.encryption import SecretJSON, SecretText

KEY = "privacy"
PEOPLE = "people"

ColumnKind = Literal["owner", "mention", "free_text", "sealed"]
Erasure = Literal["tally", "delete", "anonymise", "none"]
SEALED_KINDS: frozenset[str] = frozenset({"free_text", "sealed"})


@dataclass(frozen=True, slots=True)
class ColumnMark:
    kind: ColumnKind
    export: str | None = None  # owner / mention: the export's key for these rows
    clears: tuple[str, ...] = ()  # mention: more columns erasure empties with it


@dataclass(frozen=True, slots=True)
class TableMark:
    erasure: Erasure
    purge_by: str | None = None  # the date retention judges a row's free text by
    purge_finished_only: bool = False  # rows still in use (status 'active') keep their text
    accounts: tuple[str, ...] = ()  # (platform, tenant, user) columns naming a person


def owner(export: str | None = None) -> dict[str, Any]:
    """`info` of a foreign key to people on a row that is the person's own."""
    return {KEY: ColumnMark("owner", export=export)}


def mention(*, clears: tuple[str, ...] = (), export: str | None = None) -> dict[str, Any]:
    """`info` of a foreign key to people on a row that only mentions the person."""
    return {KEY: ColumnMark("mention", export=export, clears=clears)}


def free_text(*, json: bool = False, **options: Any) -> MappedColumn[Any]:
    """A column of what a person wrote: encrypted at rest, blanked by retention."""
    return mapped_column(SecretJSON if json else SecretText,
                         info={KEY: ColumnMark("free_text")}, **options)


def sealed(**options: Any) -> MappedColumn[Any]:
    """Personal JSON kept encrypted at rest but not purged by retention."""
    return mapped_column(SecretJSON, info={KEY: ColumnMark("sealed")}, **options)


M = TypeVar("M")

# Kept beside the tables rather than in Table.info: Alembic's autogenerate writes a table's
# info into a new migration, and a migration must not depend on these classes.
_TABLE_MARKS: dict[str, TableMark] = {}


def privacy(erasure: Erasure, *, purge_by: str | None = None,
            purge_finished_only: bool = False,
            accounts: tuple[str, ...] = ()) -> Callable[[M], M]:
    """Class decorator marking a model's table (see the module docstring)."""
    mark = TableMark(erasure, purge_by, purge_finished_only, accounts)

    def apply(model: M) -> M:
        table: Table = model.__table__  # type: ignore[attr-defined]
        _TABLE_MARKS[table.fullname] = mark
        return model

    return apply


# -- reading the marks ------------------------------------------------------------------------


def table_mark(table: Table) -> TableMark | None:
    return _TABLE_MARKS.get(table.fullname)


def column_mark(column: Column[Any]) -> ColumnMark | None:
    mark = column.info.get(KEY)
    return mark if isinstance(mark, ColumnMark) else None


def _mark_of(column: Column[Any]) -> ColumnMark:
    mark = column_mark(column)
    assert mark is not None
    return mark


def marked_columns(table: Table, *kinds: ColumnKind) -> list[Column[Any]]:
    """The table's columns with a mark of one of `kinds`, in declaration order."""
    found = []
    for column in table.columns:
        mark = column_mark(column)
        if mark is not None and mark.kind in kinds:
            found.append(column)
    return found


def points_at_people(column: Column[Any]) -> bool:
    return any(key.column.table.name == PEOPLE and key.column.name == "id"
               for key in column.foreign_keys)


def references(metadata: MetaData) -> Iterator[tuple[Table, Column[Any], ColumnMark]]:
    """Every marked owner / mention column, tables in declaration order."""
    for table in metadata.tables.values():
        for column in marked_columns(table, "owner", "mention"):
            yield table, column, _mark_of(column)


def problems(metadata: MetaData) -> list[str]:
    """Where the marks are missing or say something the schema contradicts."""
    found: list[str] = []
    for table in metadata.tables.values():
        mark = table_mark(table)
        if mark is None:
            found.append(f"{table.name}: no @privacy mark")
            continue
        owners = marked_columns(table, "owner")
        mentions = marked_columns(table, "mention")
        for column in table.columns:
            kind = column_mark(column)
            if points_at_people(column) and (kind is None or kind.kind not in (
                    "owner", "mention")):
                found.append(f"{table.name}.{column.name}: points at people, not marked "
                             "owner() or mention()")
            secret = isinstance(column.type, SecretText | SecretJSON)
            if secret != (kind is not None and kind.kind in SEALED_KINDS):
                found.append(f"{table.name}.{column.name}: encrypted columns are made with "
                             "free_text() or sealed(), and those only")
            if kind is not None and kind.kind in ("owner", "mention") and not (
                    points_at_people(column)):
                found.append(f"{table.name}.{column.name}: marked {kind.kind} but no "
                             "foreign key to people")
        removes = mark.erasure in ("tally", "delete")
        if removes and not (owners or mark.accounts or table.name == PEOPLE):
            found.append(f"{table.name}: erasure {mark.erasure} without an owner() column")
        if not removes and owners:
            found.append(f"{table.name}: owner() columns but erasure {mark.erasure}")
        if mark.erasure == "anonymise" and not mentions:
            found.append(f"{table.name}: anonymise without a mention() column")
        if mark.erasure == "none" and (mentions or mark.accounts):
            found.append(f"{table.name}: erasure none but it names a person")
        free = marked_columns(table, "free_text")
        if bool(free) != (mark.purge_by is not None):
            found.append(f"{table.name}: free_text() columns and purge_by go together")
        if mark.purge_by is not None and mark.purge_by not in table.c:
            found.append(f"{table.name}: purge_by {mark.purge_by} is not a column")
        named = list(mark.accounts) + [name for column in mentions
                                       for name in _mark_of(column).clears]
        found += [f"{table.name}: {name} is named in a mark but not a column"
                  for name in named if name not in table.c]
    return found
