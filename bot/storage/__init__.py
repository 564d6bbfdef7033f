"""Persistence: models, database setup and migrations, and the one rule for reaching them.

The models (models.py) define the schema and, with their privacy marks (privacy_marks.py),
what is personal. Which data-access style is used where:

1. The hot paths, a turn (the person, their account and dialog, events seen, the few
   lookups every message makes) and the scheduler's sweep per batch: Core statements
   built once as `Prepared` (prepared.py), run on the caller's connection. turn_store.py
   holds the turn's; the others sit with their lookups (people/directory, diary/records,
   due/schedule_store, due/sweep).
2. Writes of thousands of rows (the scheduler's sweep and schedule registration): plain SQL
   through bulk.py (`executemany`, `insert_many`), valid on SQLite and PostgreSQL alike;
   nowhere else.
3. Everything else a turn or a report reads or writes (practices' records, reports,
   outbox, erasure, retention): SQLAlchemy Core on the caller's connection, with
   `table_of(Model)` or the model's columns, in the caller's transaction.
4. The ORM (`Session`, model objects) only where whole objects are the point: operator
   tools that edit records (catalog, goals, checklists import, demo seeding), the export
   (every column as the model declares it) and creating organisations and people.

Rows are read by name, in every style: `row.column` or a label
(`func.count().label("n")`), `Prepared.reader(...)` / `.scalar()` on the hot path, never
`row[3]`, a slice, or `Class(*row)` across a module boundary. Unpacking a row into names
right where its SELECT lists the columns (`for day, count in rows`) is fine. SQL text
only in bulk-write statements, migrations, and partial-index predicates (a WHERE that must
read exactly like the index's to use it).
"""
