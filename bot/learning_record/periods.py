"""The months and quarters the rhythm looks back on (or plans), as the records store them."""

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


def quarter_label(quarter: str) -> str:
    """'2026-Q4' → 'Q4 2026', the way people say it in both languages."""
    year, _, part = quarter.partition("-")
    return f"{part} {year}" if part else quarter


def planned_quarter(day: date) -> str:
    """The quarter a learning contract written on `day` plans, as it is stored and labelled.

    A contract looks three months ahead, so one written in a quarter's last month (March,
    June, September, December) plans the coming quarter: 11 March 2026 → '2026-Q2',
    31 December 2026 → '2027-Q1'; one written earlier in a quarter plans that quarter.
    """
    return quarter_of(next_month(first_of_month(day)))


def contract_quarters(day: date) -> tuple[str, ...]:
    """The quarters whose contract is a person's current one on `day`, the preferred first.

    In a quarter's last month the contract for the coming quarter, once written, is the one
    to show (the upcoming one); until then this quarter's stays current, so nothing gets
    lost between quarters. Elsewhere in a quarter only that quarter's contract counts.
    """
    planned, now = planned_quarter(day), quarter_of(day)
    return (planned,) if planned == now else (planned, now)
