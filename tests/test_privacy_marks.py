"""Privacy is declared where the data is declared: every table of the schema carries a
`@privacy` mark, every foreign key to people is an owner() or a mention(), and what people
write is a free_text() column; export, erasure, retention and encryption are derived from
those marks (bot.storage.privacy_marks), so a table without them fails here.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text

from bot.privacy.erasure import PERSON_REFERENCES, TALLIED
from bot.privacy.export import PERSONAL_RECORDS
from bot.privacy.retention import PURGED
from bot.storage.encryption import SecretText
from bot.storage.key_rotation import secret_columns
from bot.storage.models import Base
from bot.storage.privacy_marks import mention, owner, problems


def copied() -> MetaData:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    return metadata


def test_every_table_is_marked_and_the_marks_agree_with_the_schema():
    assert problems(Base.metadata) == []


def test_a_new_table_without_marks_fails():
    metadata = copied()
    Table("mentor_notes", metadata, Column("id", Integer, primary_key=True),
          Column("author_id", ForeignKey("people.id")), Column("note", SecretText))
    assert problems(metadata) == [
        "mentor_notes: no @privacy mark",
    ]


def test_an_unmarked_column_of_a_marked_table_fails():
    metadata = copied()
    table = metadata.tables["diary_entries"]
    table.append_column(Column("coach_id", ForeignKey("people.id")))
    table.append_column(Column("remark", SecretText))
    table.append_column(Column("plain", Text, info=owner()))
    assert problems(metadata) == [
        "diary_entries.coach_id: points at people, not marked owner() or mention()",
        "diary_entries.remark: encrypted columns are made with free_text() or sealed(), "
        "and those only",
        "diary_entries.plain: marked owner but no foreign key to people",
    ]


def test_a_mark_naming_a_column_that_is_not_there_fails():
    metadata = copied()
    outcomes = metadata.tables["work_outcomes"]
    outcomes.c.owner_id.info.update(mention(clears=("remark",)))  # a copy: the models stay
    assert problems(metadata) == [
        "work_outcomes: remark is named in a mark but not a column"]


def test_the_derived_lists_cover_what_the_marks_say():
    """What used to be kept by hand, now read off the models (spot checks of each kind)."""
    assert ("diary_entries", "person_id", "delete") in PERSON_REFERENCES
    assert ("work_outcomes", "owner_id", "null") in PERSON_REFERENCES
    assert "diary_entries" in TALLIED and "dialogs" not in TALLIED and "people" not in TALLIED
    assert ("work_decisions_owned", "work_outcomes", "owner_id") in {
        (key, model.__tablename__, column) for key, model, column in PERSONAL_RECORDS}
    assert ("dialogs", "started_at", ("answers", "context")) in PURGED
    sealed = {(table.name, column.name) for table, columns in secret_columns()
              for column in columns}
    purged = {(table, column) for table, _, columns in PURGED for column in columns}
    assert sealed - purged == {("deliveries", "context")}


def test_a_persons_rows_go_before_the_rows_they_hang_under():
    """Children before parents, so a cascade never removes a row before it is counted."""
    tables = Base.metadata.tables
    removed = [table for table, _, action in PERSON_REFERENCES if action == "delete"]
    for n, name in enumerate(removed):
        parents = {key.column.table.name for key in tables[name].foreign_keys}
        assert not parents & set(removed[:n]), name
