"""The due sweep: who is due now, put in the outbox once, and when they are due next.

One sweep reads the schedule rows whose instant has come (on PostgreSQL claimed with
`FOR UPDATE SKIP LOCKED`, so replicas share the work), decides per row, inserts the
deliveries in one statement (a unique idempotency key per person, rhythm and local period
makes a second insert of the same nudge do nothing) and moves every row to its next
instant. Everything happens in the caller's transaction: all or nothing.

Decisions per row, by the rhythm's declaration (bot.due.rhythms):
- a rhythm that is never late (the daily diary) is sent within the grace window after its
  time; after three nudges in a row without an entry the person gets one check-in instead,
  and its nudges are held until they answer it, write in the diary or change a setting;
- the others (weekly, monthly, quarterly and yearly) that were missed (downtime) are
  caught up while their period lasts, at the first moment outside the quiet hours.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, select

from bot.config import Settings
from bot.due import schedule_store as store
from bot.due.organisation_calendar import CalendarCache
from bot.due.rhythms import DECLARED, Rhythm
from bot.due.rules import Due, Rules, first_moment_outside_quiet_hours, next_due
from bot.outbox import deliveries
from bot.outbox.deliveries import CHECK_IN, NUDGE
from bot.storage.bulk import executemany
from bot.storage.models import Person, Schedule, table_of
from bot.storage.prepared import Prepared

MISSED_BEFORE_CHECK_IN = 3
CHECK_IN_FLOW = "rhythm_check"
_schedules = table_of(Schedule)
_people = table_of(Person)
_ONE_SECOND = timedelta(seconds=1)
_UNKNOWN = object()


@dataclass(slots=True)
class SweepReport:
    registered: int = 0
    due: int = 0
    enqueued: list[deliveries.Enqueued] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    full: bool = False  # a batch limit was reached: sweep again


def _due_query(rhythm: str) -> Prepared:
    column = _schedules.c[store.due_column(rhythm)]
    return Prepared(
        select(
            _schedules.c.person_id, column.label("due_at"), _schedules.c.missed,
            _schedules.c.held,
            _people.c.organisation_id, _people.c.timezone, _people.c.workdays,
            _people.c.diary_time, _people.c.status, _people.c.paused_until,
        )
        .join(_people, _people.c.id == _schedules.c.person_id)
        .where(column <= bindparam("now"))
        .order_by(column)
        .limit(bindparam("batch", type_=Integer))
        .with_for_update(of=_schedules, skip_locked=True)  # PostgreSQL; SQLite ignores it
    )


def _move_sql(rhythm: Rhythm) -> str:
    """Moving a row to its next instant (and, for a rhythm that is never late, its count
    of missed nudges and its hold)."""
    counted = "" if rhythm.catch_up else "missed = ?, held = ?, "
    return (f"UPDATE schedules SET {store.due_column(rhythm.name)} = ?, {counted}"
            "updated_at = ? WHERE person_id = ?")


_DUE = {rhythm.name: _due_query(rhythm.name) for rhythm in DECLARED}
# Every rhythm's query lists the same columns under the same names: one pair of readers.
_scheduled = _DUE[DECLARED[0].name].reader("person_id", "due_at", "missed", "held")
_calendar = _DUE[DECLARED[0].name].reader(  # PersonCalendar's fields after the id
    "organisation_id", "timezone", "workdays", "diary_time", "status", "paused_until")
_MOVE_SQL = {rhythm.name: _move_sql(rhythm) for rhythm in DECLARED}


def sweep(
    connection: Connection,
    now: datetime,
    settings: Settings,
    calendars: CalendarCache,
    *,
    batch: int = 50_000,
) -> SweepReport:
    """Enqueue everyone due at `now`; call inside a transaction and commit after.

    Takes at most `batch` rows per rhythm; `report.full` says there may be more.
    """
    report = SweepReport()
    report.registered = store.register(
        connection, store.unregistered(connection, batch), calendars, settings.periodic_time, now
    )
    report.full = report.registered >= batch
    outbox = deliveries.Batch(connection, now)
    sweep_rhythm = _RhythmSweep(connection, now, settings, calendars, outbox, report)
    for rhythm in DECLARED:
        rows = _DUE[rhythm.name].all(connection, {"now": now, "batch": batch})
        report.due += len(rows)
        report.full = report.full or len(rows) >= batch
        if rows:
            sweep_rhythm.run(rhythm, rows)
    outbox.write()
    report.enqueued = outbox.enqueued
    return report


class _RhythmSweep:
    """The decisions of one sweep, with what rows of the same rules can share."""

    def __init__(self, connection: Connection, now: datetime, settings: Settings,
                 calendars: CalendarCache, outbox: deliveries.Batch,
                 report: SweepReport) -> None:
        self.connection, self.now, self.settings = connection, now, settings
        self.calendars, self.outbox, self.report = calendars, outbox, report
        self.grace = timedelta(minutes=settings.nudge_grace_minutes)
        self.rules_of: dict[tuple[object, ...], Rules] = {}
        self.dues: dict[tuple[int, str, datetime], Due | None] = {}

    def due_after(self, rules: Rules, rhythm: str, after: datetime) -> Due | None:
        # Keyed by identity: `rules_of` hands out one Rules object per distinct rules and
        # keeps it alive for the whole sweep, and hashing an id is cheaper than the rules.
        key = (id(rules), rhythm, after)
        found = self.dues.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self.dues[key] = next_due(rhythm, rules, after)
        return found  # type: ignore[return-value]

    def run(self, declared: Rhythm, rows: list[tuple[Any, ...]]) -> None:
        now, grace, outbox, report = self.now, self.grace, self.outbox, self.report
        rhythm, flow, catch_up = declared.name, declared.flow, declared.catch_up
        calendars = [_calendar(row) for row in rows]
        found = self.calendars.get(self.connection, {calendar[0] for calendar in calendars})
        instant = outbox.instant
        moves: list[tuple[object, ...]] = []
        for row, rules_key in zip(rows, calendars, strict=True):
            person_id, due_at, missed, held = _scheduled(row)
            org_id = rules_key[0]
            rules = self.rules_of.get(rules_key)
            if rules is None:
                person = store.PersonCalendar(person_id, *rules_key)
                rules = self.rules_of[rules_key] = store.rules_for(
                    person, found[org_id], self.settings.periodic_time)
            current = self.due_after(rules, rhythm, due_at - _ONE_SECOND)
            if current is None or current.at != due_at:
                report.skipped["rescheduled"] += 1  # the rules changed under this row
            elif not catch_up:  # never late; misses lead to a check-in
                if held:
                    report.skipped["held"] += 1
                elif now - current.at > grace:
                    report.skipped["too late"] += 1
                elif missed >= MISSED_BEFORE_CHECK_IN:
                    outbox.add(CHECK_IN, person_id, rhythm, CHECK_IN_FLOW, current.period,
                               current.local_date, current.at, current.at, current.period_end)
                    held = True
                else:
                    outbox.add(NUDGE, person_id, rhythm, flow, current.period,
                               current.local_date, current.at, current.at, current.at + grace)
                    missed += 1
            else:
                send_at: datetime | None = current.at
                if now - current.at > grace:  # caught up while the period lasts
                    send_at = first_moment_outside_quiet_hours(now, rules)
                if send_at is None or send_at >= current.period_end:
                    report.skipped["period over"] += 1
                else:
                    outbox.add(NUDGE, person_id, rhythm, flow, current.period,
                               current.local_date, current.at, send_at, current.period_end)
            following = self.due_after(rules, rhythm, max(due_at, now))
            next_at = instant(following.at if following else None)
            if catch_up:
                moves.append((next_at, outbox.stamp, person_id))
            else:
                moves.append((next_at, missed, bool(held), outbox.stamp, person_id))
        executemany(self.connection, _MOVE_SQL[rhythm], moves)
