"""The months and quarters the rhythm looks back on, as the records store them."""

from __future__ import annotations

from datetime import date, timedelta


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def quarter_of(day: date) -> str:
    """The quarter as learning contracts store it: '2026-Q2'."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
