"""The rhythms a person keeps, declared once each: what a rhythm is, in one table.

A rhythm is its name, its due rule (the `Period` its calendar is cut into: a day, an ISO
week, a month, a quarter, December of each year), the flow its nudge starts, the local time
it is due at (the person's own diary time, or the organisation's periodic time) and what
happens when its moment passed unseen (`catch_up`: caught up while the period lasts; or
never late, counting misses towards a check-in). `bot.due.rules` computes due instants
from these declarations, `bot.due.schedule_store` keeps one `<name>_due_at` column per
rhythm, and the sweep walks the table; none of them names a rhythm.

Adding a rhythm: declare it in `DECLARED`, add its `<name>_due_at` column (with its index)
to `Schedule` and a migration, and write its flow and texts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal


@dataclass(frozen=True, slots=True)
class Period:
    """How the calendar is cut for a rhythm (its due rule): a nudge is due on the first
    allowed day of each period (every allowed day when the period is one day)."""

    start: Callable[[date], date]  # the first day of the period holding a day
    following: Callable[[date], date]  # the first day of the period after one starting so
    key: Callable[[date], str]  # the period of a day, as an idempotency key's last part
    # The day after the period starting on a day, when the nudge's window ends before the
    # next period starts (the yearly review: December only). None: the next period's start.
    close: Callable[[date], date] | None = None

    def end(self, start: date) -> date:
        """The day after the period starting on `start`."""
        return (self.close or self.following)(start)


def _month_after(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _quarter_after(day: date) -> date:
    month = day.month + 3
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


DAY = Period(lambda day: day, lambda start: start + timedelta(days=1), date.isoformat)
WEEK = Period(lambda day: day - timedelta(days=day.weekday()),
              lambda start: start + timedelta(days=7), _iso_week)
MONTH = Period(lambda day: day.replace(day=1), _month_after,
               lambda day: f"{day.year}-{day.month:02d}")
QUARTER = Period(lambda day: date(day.year, (day.month - 1) // 3 * 3 + 1, 1), _quarter_after,
                 lambda day: f"{day.year}-Q{(day.month - 1) // 3 + 1}")
DECEMBER = Period(lambda day: date(day.year, 12, 1),  # the yearly review, while the year is fresh
                  lambda start: date(start.year + 1, 12, 1), lambda day: str(day.year),
                  close=lambda start: date(start.year + 1, 1, 1))


@dataclass(frozen=True, slots=True)
class Rhythm:
    name: str  # also the schedule column `<name>_due_at` and the deliveries' `rhythm`
    period: Period
    flow: str  # the flow its nudge starts
    local_time: Literal["diary_time", "periodic_time"]  # the field of `Rules` it is due at
    # True: a nudge missed (downtime) is sent at the first moment outside the quiet hours
    # while its period lasts. False: never late (within the grace window or not at all),
    # and after MISSED_BEFORE_CHECK_IN nudges in a row without an answer one check-in
    # instead, then nothing until they answer (the `missed` and `held` columns: one such
    # rhythm at most).
    catch_up: bool = True


DIARY = "diary"
WEEKLY = "weekplan"
MONTHLY = "month"
QUARTERLY = "contract"
YEARLY = "year"

DECLARED: tuple[Rhythm, ...] = (
    Rhythm(DIARY, DAY, "diary", "diary_time", catch_up=False),
    Rhythm(WEEKLY, WEEK, "weekplan", "periodic_time"),
    Rhythm(MONTHLY, MONTH, "month", "periodic_time"),
    Rhythm(QUARTERLY, QUARTER, "contract", "periodic_time"),
    Rhythm(YEARLY, DECEMBER, "year", "periodic_time"),
)
RHYTHMS: tuple[str, ...] = tuple(rhythm.name for rhythm in DECLARED)
PERIODIC: frozenset[str] = frozenset(rhythm.name for rhythm in DECLARED if rhythm.catch_up)
_BY_NAME = {rhythm.name: rhythm for rhythm in DECLARED}
if sum(not rhythm.catch_up for rhythm in DECLARED) > 1:
    raise AssertionError("one rhythm at most counts missed nudges (one missed/held pair)")


def rhythm(name: str) -> Rhythm:
    """The declared rhythm called `name`; ValueError for any other."""
    found = _BY_NAME.get(name)
    if found is None:
        raise ValueError(f"unknown rhythm {name!r}")
    return found
