"""The competences a person chose to focus on in a month (their monthly reflection's focus)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, select

from bot.storage.models import MonthlyReflection, table_of

_reflections = table_of(MonthlyReflection)


def focus_competences(connection: Connection, person_id: int, today: date) -> list[str]:
    """The codes of the person's focus this month: the latest monthly reflection whose
    `focus_month` is the month of `today` (empty when there is none)."""
    row = connection.execute(
        select(_reflections.c.focus)
        .where(
            _reflections.c.person_id == person_id,
            _reflections.c.focus_month == today.replace(day=1),
        )
        .order_by(_reflections.c.created_at.desc(), _reflections.c.id.desc())
        .limit(1)
    ).first()
    if row is None or not isinstance(row.focus, list):
        return []
    return [code for code in row.focus if isinstance(code, str) and code]


def focus_of(connection: Connection, person_id: int, month: date) -> list[str]:
    """The competence codes chosen for `month`: those of the latest reflection that chose
    any (a reflection stopped before its focus does not undo an earlier choice)."""
    reflections = table_of(MonthlyReflection)
    rows = connection.execute(
        select(reflections.c.focus)
        .where(reflections.c.person_id == person_id, reflections.c.focus_month == month)
        .order_by(reflections.c.id.desc())
    ).all()
    for row in rows:
        codes = [code for code in (row.focus or []) if isinstance(code, str) and code]
        if codes:
            return codes
    return []
