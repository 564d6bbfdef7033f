"""The next instant (UTC) a person is due for each rhythm, from their local calendar.

Pure code: no database. A due instant is computed from the person's IANA time zone, their
workdays and time, the organisation's days off and quiet hours, and a pause, so that a
person who chose 09:00 is nudged at 09:00 local on both sides of every DST change:

- a local time that falls in a spring-forward gap moves to the first valid moment after the
  gap (the transition itself, e.g. 03:00 when 02:30 does not exist);
- an ambiguous fall-back time is taken at its first occurrence, and because the next due
  instant is always looked for on a later local date, it fires once;
- a time inside the organisation's quiet hours moves to the nearest allowed minute of the
  same local day (the end of a morning window, just before an evening window).

The daily diary is due on every allowed day; the weekly plan, the monthly reflection, the
quarterly contract and the yearly review on the first allowed day of their period (the
yearly review's period is December, so the year is still fresh).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.due.calendar import DaysOff, QuietHours

DIARY = "diary"
WEEKLY = "weekplan"
MONTHLY = "month"
QUARTERLY = "contract"
YEARLY = "year"
RHYTHMS: tuple[str, ...] = (DIARY, WEEKLY, MONTHLY, QUARTERLY, YEARLY)
PERIODIC: frozenset[str] = frozenset({WEEKLY, MONTHLY, QUARTERLY, YEARLY})
LOOK_AHEAD_DAYS = 800  # how far to look for an allowed day before giving up (e.g. no workdays)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Rules:
    """Everything a person's due instants depend on; hashable, so results can be cached."""

    timezone: str
    workdays: frozenset[int]  # 0 = Monday
    diary_time: time
    periodic_time: time
    days_off: DaysOff
    quiet: QuietHours
    paused_until: date | None = None  # the last day of a pause, inclusive
    reachable: bool = True  # False after opt-out, during an open-ended pause, when unreachable

    def allows(self, day: date) -> bool:
        if day.weekday() not in self.workdays:
            return False
        if self.paused_until is not None and day <= self.paused_until:
            return False
        return not self.days_off.is_off(day)

    def time_for(self, rhythm: str) -> time:
        return self.diary_time if rhythm == DIARY else self.periodic_time


@dataclass(frozen=True, slots=True)
class Due:
    """One nudge: when (UTC), the local day it belongs to, and its period's key and end."""

    rhythm: str
    at: datetime
    local_date: date
    period: str
    period_end: datetime  # UTC: the first moment after the local period


def period_start(rhythm: str, day: date) -> date:
    if rhythm == DIARY:
        return day
    if rhythm == WEEKLY:
        return day - timedelta(days=day.weekday())
    if rhythm == MONTHLY:
        return day.replace(day=1)
    if rhythm == QUARTERLY:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if rhythm == YEARLY:
        return date(day.year, 12, 1)
    raise ValueError(f"unknown rhythm {rhythm!r}")


def period_after(rhythm: str, start: date) -> date:
    """The first day of the period after the one starting on `start`."""
    if rhythm == DIARY:
        return start + timedelta(days=1)
    if rhythm == WEEKLY:
        return start + timedelta(days=7)
    if rhythm == MONTHLY:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if rhythm == QUARTERLY:
        month = start.month + 3
        return date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    if rhythm == YEARLY:
        return date(start.year + 1, 12, 1)
    raise ValueError(f"unknown rhythm {rhythm!r}")


def period_close(rhythm: str, start: date) -> date:
    """The day after the period starting on `start` (the yearly one is December only)."""
    if rhythm == YEARLY:
        return date(start.year + 1, 1, 1)
    return period_after(rhythm, start)


def period_key(rhythm: str, day: date) -> str:
    """The local period a nudge belongs to: its idempotency key's last part."""
    if rhythm == DIARY:
        return day.isoformat()
    if rhythm == WEEKLY:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if rhythm == MONTHLY:
        return f"{day.year}-{day.month:02d}"
    if rhythm == QUARTERLY:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if rhythm == YEARLY:
        return str(day.year)
    raise ValueError(f"unknown rhythm {rhythm!r}")


def outside_quiet_hours(at: time, quiet: QuietHours) -> time:
    """The nearest allowed minute of the same day for a time inside the quiet hours."""
    if not quiet.contains(at):
        return at
    assert quiet.start is not None and quiet.end is not None
    if quiet.start < quiet.end or at < quiet.end:
        return quiet.end  # a window ending later today (or the morning part of a wrap)
    before = datetime.combine(date(2000, 1, 1), quiet.start) - timedelta(minutes=1)
    return before.time()


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of local `day` `at`; None when that day has no such moment at all."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # exists; for an ambiguous time, fold=0 is its first occurrence
    # A gap: fold=1 reads the wall time with the offset after the change, fold=0 with the
    # one before; the transition lies between them. Find the first instant whose wall
    # time is at or after the chosen one.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    while high - low > _ONE_SECOND:
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    moved = high.replace(microsecond=0)
    if moved.astimezone(zone).replace(tzinfo=None) < wall:
        moved += _ONE_SECOND
    return moved if moved.astimezone(zone).date() == day else None


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # ZoneInfo's own strong cache keeps only a handful of zones


def _due_on(rhythm: str, rules: Rules, zone: ZoneInfo, day: date) -> datetime | None:
    at = resolve_local(day, outside_quiet_hours(rules.time_for(rhythm), rules.quiet), zone)
    if at is None:
        return None
    wall = at.astimezone(zone).time().replace(tzinfo=None)
    if not rules.quiet.contains(wall):
        return at
    # Moved out of a DST gap into the quiet hours: the nearest allowed minute from there.
    at = resolve_local(day, outside_quiet_hours(wall, rules.quiet), zone)
    if at is None or rules.quiet.contains(at.astimezone(zone).time().replace(tzinfo=None)):
        return None
    return at


def _period_end(rhythm: str, day: date, zone: ZoneInfo) -> datetime:
    following = period_close(rhythm, period_start(rhythm, day))
    end = resolve_local(following, time(0, 0), zone)
    if end is None:  # a day that starts inside a gap (it happens): its first real moment
        end = datetime.combine(following, time(0, 0), zone).astimezone(UTC)
    return end


@lru_cache(maxsize=65536)
def next_due(rhythm: str, rules: Rules, after: datetime) -> Due | None:
    """The first nudge of `rhythm` strictly after `after` (UTC), or None if there is none."""
    if not rules.reachable:
        return None
    zone = _zone(rules.timezone)
    day = after.astimezone(zone).date()
    horizon = day + timedelta(days=LOOK_AHEAD_DAYS)
    if rhythm == DIARY:
        while day <= horizon:
            if rules.allows(day):
                at = _due_on(rhythm, rules, zone, day)
                if at is not None and at > after:
                    return Due(rhythm, at, day, period_key(rhythm, day),
                               _period_end(rhythm, day, zone))
            day += timedelta(days=1)
        return None
    start = period_start(rhythm, day)
    while start <= horizon:
        end = period_close(rhythm, start)
        candidate = start
        while candidate < end and not rules.allows(candidate):
            candidate += timedelta(days=1)
        if candidate < end:
            at = _due_on(rhythm, rules, zone, candidate)
            if at is not None and at > after:
                return Due(rhythm, at, candidate, period_key(rhythm, candidate),
                           _period_end(rhythm, candidate, zone))
        start = period_after(rhythm, start)
    return None


def local_day(instant: datetime, timezone: str) -> date:
    return instant.astimezone(_zone(timezone)).date()


def first_moment_outside_quiet_hours(now: datetime, rules: Rules) -> datetime | None:
    """`now`, or the end of the quiet hours it falls in (None if that moment is lost)."""
    zone = _zone(rules.timezone)
    local = now.astimezone(zone)
    quiet = rules.quiet
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return now
    assert quiet.end is not None
    day = local.date()
    if local.time().replace(tzinfo=None) >= quiet.end:
        day += timedelta(days=1)
    end = resolve_local(day, quiet.end, zone)
    if end is not None and end < now:
        # The second pass of a repeated hour: the window ends at the second occurrence.
        second = datetime.combine(day, quiet.end).replace(tzinfo=zone, fold=1)
        end = max(now, second.astimezone(UTC))
    return end
