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

A rhythm is due on the first allowed day of each of its periods (the daily diary: every
allowed day), at its local time; the rhythms and their periods are declared in
`bot.due.rhythms`, so nothing here names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.due.calendar import DaysOff, QuietHours
from bot.due.rhythms import rhythm as declared

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
        """The local time `rhythm` is due at: the field its declaration names."""
        at: time = getattr(self, declared(rhythm).local_time)
        return at


@dataclass(frozen=True, slots=True)
class Due:
    """One nudge: when (UTC), the local day it belongs to, and its period's key and end."""

    rhythm: str
    at: datetime
    local_date: date
    period: str
    period_end: datetime  # UTC: the first moment after the local period


def period_key(rhythm: str, day: date) -> str:
    """The local period a nudge belongs to: its idempotency key's last part."""
    return declared(rhythm).period.key(day)


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
    period = declared(rhythm).period
    following = period.end(period.start(day))
    end = resolve_local(following, time(0, 0), zone)
    if end is None:  # a day that starts inside a gap (it happens): its first real moment
        end = datetime.combine(following, time(0, 0), zone).astimezone(UTC)
    return end


@lru_cache(maxsize=65536)
def next_due(rhythm: str, rules: Rules, after: datetime) -> Due | None:
    """The first nudge of `rhythm` strictly after `after` (UTC), or None if there is none."""
    if not rules.reachable:
        return None
    period = declared(rhythm).period  # refuses an unknown rhythm
    zone = _zone(rules.timezone)
    day = after.astimezone(zone).date()
    horizon = day + timedelta(days=LOOK_AHEAD_DAYS)
    start = period.start(day)
    while start <= horizon:
        end = period.end(start)
        candidate = start
        while candidate < end and not rules.allows(candidate):
            candidate += timedelta(days=1)
        if candidate < end:
            at = _due_on(rhythm, rules, zone, candidate)
            if at is not None and at > after:
                return Due(rhythm, at, candidate, period.key(candidate),
                           _period_end(rhythm, candidate, zone))
        start = period.following(start)
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
