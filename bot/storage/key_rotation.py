"""The schema's secret columns: checked at start, and sealed anew under the newest key.

Apart from bot.storage.encryption (the column types and the key ring), because finding the
secret columns reads the models and their privacy marks, which are built from those types.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Column, Engine, MetaData, Table, Text, bindparam, cast, select
from sqlalchemy import update as sql_update

from bot.storage.encryption import ESCAPE, PREFIX, KeyRing, SecretJSON, dumps_json
from bot.storage.models import Base
from bot.storage.privacy_marks import marked_columns


def secret_columns(metadata: MetaData | None = None) -> list[tuple[Table, list[Column[Any]]]]:
    """Every table with columns marked free_text() or sealed() (which makes them SecretText
    / SecretJSON), with those columns."""
    if metadata is None:
        metadata = Base.metadata
    found = []
    for table in metadata.sorted_tables:
        columns = marked_columns(table, "free_text", "sealed")
        if columns:
            if "id" not in table.c:
                raise TypeError(f"{table.name} has secret columns but no id column")
            found.append((table, columns))
    return found


def verify_readable(database: Engine) -> None:
    """Fail at start, not in the middle of someone's conversation: the newest row of every
    table with secret columns must read with the configured keys (no key, wrong key)."""
    with database.connect() as connection:
        for table, columns in secret_columns():
            connection.execute(
                select(*columns).order_by(table.c.id.desc()).limit(1)).first()


@dataclass(frozen=True, slots=True)
class Rotation:
    """What `rotate_key` did, counted in values (one column of one row each)."""

    plain: int = 0  # were stored in plain text, now sealed
    older: int = 0  # were sealed under an older key, now under the newest
    current: int = 0  # were under the newest key already: left alone

    @property
    def reencrypted(self) -> int:
        return self.plain + self.older


def rotate_key(database: Engine, keys: Sequence[str] | KeyRing, *,
               batch_size: int = 500) -> Rotation:
    """Seal every secret value of every row under the newest of `keys` (newest first; the
    others are the keys values may still be under).

    Rows go in batches of `batch_size`, each batch in its own transaction with its rows
    locked (PostgreSQL; SQLite writes one transaction at a time anyway), so a running
    coach is not blocked for long and an interrupted rotation is simply run again: values
    already under the newest key are left as they are. The stored form is read and written
    as it is (never through the process's ring), so the setting plays no part.
    """
    ring = keys if isinstance(keys, KeyRing) else KeyRing(list(keys))
    plain = older = current = 0
    for table, columns in secret_columns():
        ident = table.c.id
        raw = [cast(column, Text).label(column.name) for column in columns]
        last: Any = None
        while True:
            with database.begin() as connection:
                query = select(ident, *raw).order_by(ident).limit(batch_size)
                if last is not None:
                    query = query.where(ident > last)
                rows = connection.execute(query.with_for_update()).all()
                if not rows:
                    break
                changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
                for row in rows:
                    values: dict[str, Any] = {}
                    for column in columns:
                        is_json = isinstance(column.type, SecretJSON)
                        outcome, new = _rekeyed(getattr(row, column.name), is_json, ring)
                        if outcome == "current":
                            current += 1
                        elif outcome is not None:
                            plain += outcome == "plain"
                            older += outcome == "older"
                            values[column.name] = new
                    if values:
                        changes.setdefault(tuple(sorted(values)), []).append(
                            {"row_id": row.id, **{f"v_{k}": v for k, v in values.items()}})
                for names, params in changes.items():
                    connection.execute(
                        sql_update(table).where(ident == bindparam("row_id")).values({
                            name: bindparam(f"v_{name}", type_=(
                                JSON() if isinstance(table.c[name].type, SecretJSON)
                                else Text()))
                            for name in names}),
                        params)
                last = rows[-1].id
    return Rotation(plain, older, current)


def _rekeyed(raw: str | None, is_json: bool, ring: KeyRing) -> tuple[str | None, Any]:
    """What becomes of one stored value: (outcome, the new stored value). The outcome is
    None (nothing stored), "current", "older" or "plain"."""
    if raw is None or raw == "":
        return None, None
    if is_json:
        stored = json.loads(raw)
        if stored is None or stored == {} or stored == []:
            return None, None
        if not (isinstance(stored, str) and stored.startswith(PREFIX)):
            return "plain", ring.seal(dumps_json(stored))
    else:
        stored = raw
        if not stored.startswith(PREFIX):
            text = stored[len(ESCAPE):] if stored.startswith(ESCAPE) else stored
            return "plain", ring.seal(text)
    if ring.is_newest(stored):
        return "current", None
    return "older", ring.rotate(stored)
