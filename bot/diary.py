"""The daily learning diary's records: one entry per reflection, on the person's local date."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.models import DiaryEntry, Person

DIARY_FIELDS: tuple[str, ...] = ("moments", "approach", "learning")
STREAK_LOOKBACK_DAYS = 400


def entries_on(session: Session, person_id: int, local_date: date) -> int:
    statement = select(func.count()).where(
        DiaryEntry.person_id == person_id, DiaryEntry.local_date == local_date
    )
    return int(session.scalar(statement) or 0)


def streak(session: Session, person: Person, until: date) -> int:
    """Workdays in a row, ending at `until`, with at least one diary entry.

    Days the person does not work neither break nor extend the streak, so a Friday entry
    followed by a Monday entry is two in a row for someone who works Monday to Friday.
    """
    since = until - timedelta(days=STREAK_LOOKBACK_DAYS)
    dates = set(
        session.scalars(
            select(DiaryEntry.local_date)
            .where(DiaryEntry.person_id == person.id, DiaryEntry.local_date.between(since, until))
            .distinct()
        )
    )
    workdays = {day for day in person.workdays.split(",")}
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    count = 0
    day = until
    while day >= since:
        if day in dates:
            count += 1
        elif names[day.weekday()] in workdays:
            break
        day -= timedelta(days=1)
    return count


def store_entry(
    session: Session,
    person: Person,
    dialog_id: int,
    local_date: date,
    answers: dict[str, Any],
    complete: bool,
) -> DiaryEntry | None:
    """Keep the reflection; a partial one only if at least one question was answered."""
    texts = {name: answers.get(name) for name in DIARY_FIELDS}
    value = answers.get("value")
    extra = {k: v for k, v in answers.items() if k not in (*DIARY_FIELDS, "value")}
    if not complete and not any(texts.values()) and value is None and not extra:
        return None
    entry = DiaryEntry(
        person_id=person.id,
        dialog_id=dialog_id,
        local_date=local_date,
        moments=texts["moments"],
        approach=texts["approach"],
        learning=texts["learning"],
        value=value if isinstance(value, int) else None,
        extra=extra,
        complete=complete,
    )
    session.add(entry)
    return entry
