"""The daily learning diary's records: one entry per reflection, on the person's local date
(written by the diary and the checklists; read by the overview, the nudges and the dashboard)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from bot.due.weekdays import WEEKDAYS
from bot.storage.models import DiaryEntry, table_of
from bot.storage.prepared import Prepared, insert_values

DIARY_FIELDS: tuple[str, ...] = ("moments", "approach", "learning")
STREAK_LOOKBACK_DAYS = 400
# kept in an entry's `extra`: the deepening question asked, the rule that chose it, the answer
FOLLOW_UP = "deepen"
FOLLOW_UP_RULE = "deepen_rule"
FOLLOW_UP_QUESTION = "deepen_question"
RULE_LOOKBACK = 5  # entries read back to find the rule of the last follow-up

_entries = table_of(DiaryEntry)
_COUNT_ON = Prepared(
    select(func.count()).where(
        _entries.c.person_id == bindparam("person_id"), _entries.c.local_date == bindparam("day")
    )
)
_DATES = Prepared(
    select(_entries.c.local_date)
    .where(
        _entries.c.person_id == bindparam("person_id"),
        _entries.c.local_date.between(bindparam("since"), bindparam("until")),
    )
    .distinct()
)
_LATEST_EXTRAS = Prepared(
    select(_entries.c.extra)
    .where(_entries.c.person_id == bindparam("person_id"))
    .order_by(_entries.c.local_date.desc(), _entries.c.id.desc())
    .limit(RULE_LOOKBACK)
)
_INSERT = Prepared(
    insert_values(
        _entries,
        ("person_id", "dialog_id", "local_date", *DIARY_FIELDS, "value", "extra", "complete",
         "created_at"),
    )
)


def entries_on(connection: Connection, person_id: int, local_date: date) -> int:
    count = _COUNT_ON.scalar(connection, {"person_id": person_id, "day": local_date})
    return int(count or 0)


def last_follow_up_rule(connection: Connection, person_id: int) -> str | None:
    """The rule of the latest follow-up in the person's recent entries (the next one must
    differ), or None."""
    for extra in _LATEST_EXTRAS.scalars(connection, {"person_id": person_id}):
        rule = extra.get(FOLLOW_UP_RULE) if isinstance(extra, dict) else None
        if isinstance(rule, str):
            return rule
    return None


def streak(connection: Connection, person_id: int, workdays: str, until: date) -> int:
    """Workdays in a row, ending at `until`, with at least one diary entry.

    Days the person does not work neither break nor extend the streak, so a Friday entry
    followed by a Monday entry is two in a row for someone who works Monday to Friday.
    """
    since = until - timedelta(days=STREAK_LOOKBACK_DAYS)
    days = _DATES.scalars(connection, {"person_id": person_id, "since": since, "until": until})
    return count_streak(set(days), workdays, until)


def count_streak(dates: Collection[date], workdays: str, until: date) -> int:
    """`streak` on dates already read (the dashboard reads everyone's at once)."""
    since = until - timedelta(days=STREAK_LOOKBACK_DAYS)
    working = set(workdays.split(","))
    count = 0
    day = until
    while day >= since:
        if day in dates:
            count += 1
        elif WEEKDAYS[day.weekday()] in working:
            break
        day -= timedelta(days=1)
    return count


def store_entry(
    connection: Connection,
    person_id: int,
    dialog_id: int,
    local_date: date,
    answers: dict[str, Any],
    complete: bool,
    now: datetime,
) -> bool:
    """Keep the reflection; a partial one only if at least one question was answered."""
    texts = {name: answers.get(name) for name in DIARY_FIELDS}
    value = answers.get("value")
    extra = {k: v for k, v in answers.items() if k not in (*DIARY_FIELDS, "value")}
    if not complete and not any(texts.values()) and value is None and not extra:
        return False
    _INSERT.run(
        connection,
        {
            "person_id": person_id,
            "dialog_id": dialog_id,
            "local_date": local_date,
            **texts,
            "value": value if isinstance(value, int) else None,
            "extra": extra,
            "complete": complete,
            "created_at": now,
        },
    )
    return True
