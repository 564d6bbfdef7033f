"""Rows of the hot path are read by name: a Prepared statement resolves its columns' keys
and labels to positions once, and refuses what it cannot read unambiguously."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, create_engine, func, select

from bot.storage.models import Base, Organisation, table_of
from bot.storage.prepared import Prepared

_organisations = table_of(Organisation)
_NAMES = Prepared(select(_organisations.c.slug, _organisations.c.name.label("title"),
                         _organisations.c.id)
                  .where(_organisations.c.id == bindparam("id")))
_COUNT = Prepared(select(func.count()).select_from(_organisations))


def test_a_row_is_read_by_its_column_names_in_the_order_asked():
    database = create_engine("sqlite://")
    Base.metadata.create_all(database)
    with database.begin() as connection:
        connection.execute(_organisations.insert(), {"id": 7, "slug": "acme", "name": "Acme"})
        row = _NAMES.first(connection, {"id": 7})
        assert row is not None
        assert _NAMES.reader("id", "title")(row) == (7, "Acme")
        assert _NAMES.reader("slug")(row) == ("acme",)
        assert _COUNT.scalar(connection, {}) == 1
        assert _COUNT.scalars(connection, {}) == [1]


def test_unknown_or_ambiguous_names_fail_when_the_reader_is_made():
    with pytest.raises(ValueError, match="no column named"):
        _NAMES.reader("name")  # labelled "title"
    twice = Prepared(select(_organisations.c.id, _organisations.c.id.label("id")))
    with pytest.raises(ValueError, match="label them"):
        twice.reader("id")
    with pytest.raises(TypeError, match="scalar reads"):
        _NAMES.scalar(None, {})  # type: ignore[arg-type]  # three columns: no scalar
