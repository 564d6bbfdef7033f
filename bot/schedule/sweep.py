"""The due sweep: who is due now, put in the outbox once, and when they are due next.

One sweep reads the schedule rows whose instant has come (on PostgreSQL claimed with
`FOR UPDATE SKIP LOCKED`, so replicas share the work), decides per row, inserts the
deliveries in one statement (a unique idempotency key per person, rhythm and local period
makes a second insert of the same nudge do nothing) and moves every row to its next
instant. Everything happens in the caller's transaction: all or nothing.

Decisions per row:
- the daily diary is sent within the grace window after its time, never late; after three
  nudges in a row without an entry the person gets one check-in instead, and daily nudges
  are held until they answer it, write in the diary or change a setting;
- weekly, monthly, quarterly and yearly nudges that were missed (downtime) are caught up
  while their period lasts, at the first moment outside the quiet hours.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.schedule import store
from bot.schedule.due import (
    DIARY,
    Due,
    first_moment_outside_quiet_hours,
    next_due,
)
from bot.schedule.organisation import CalendarCache
from bot.settings import Settings
from bot.storage.models import Delivery, Person, Schedule, table_of

MISSED_BEFORE_CHECK_IN = 3
CHECK_IN_FLOW = "rhythm_check"
NUDGE, REMINDER, CHECK_IN = "nudge", "reminder", "checkin"
_schedules = table_of(Schedule)
_people = table_of(Person)
_deliveries = table_of(Delivery)
_ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class Enqueued:
    person_id: int
    rhythm: str
    kind: str
    key: str
    local_date: str


@dataclass(slots=True)
class SweepReport:
    registered: int = 0
    due: int = 0
    enqueued: list[Enqueued] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


def delivery_key(kind: str, person_id: int, rhythm: str, period: str) -> str:
    return f"{kind}:{person_id}:{rhythm}:{period}"


def delivery_row(
    kind: str, person_id: int, rhythm: str, flow_id: str, due: Due,
    send_at: datetime, expires_at: datetime, now: datetime,
) -> dict[str, object]:
    return {
        "key": delivery_key(kind, person_id, rhythm, due.period),
        "person_id": person_id, "kind": kind, "rhythm": rhythm, "flow_id": flow_id,
        "local_date": due.local_date, "platform": None, "tenant": None, "state": "pending",
        "attempts": 0, "due_at": due.at, "next_attempt_at": send_at, "expires_at": expires_at,
        "created_at": now, "updated_at": now,
    }


def insert_deliveries(connection: Connection, rows: list[dict[str, object]]) -> None:
    """Insert outbox rows; one whose key exists already is left as it is."""
    if not rows:
        return
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(_deliveries).on_conflict_do_nothing(index_elements=["key"]), rows)


_MOVE = (
    update(_schedules)
    .where(_schedules.c.person_id == bindparam("p_id"), _schedules.c.rhythm == bindparam("p_rh"))
    .values(due_at=bindparam("due_at"), missed=bindparam("missed"), held=bindparam("held"),
            updated_at=bindparam("updated_at"))
)


def sweep(
    connection: Connection,
    now: datetime,
    settings: Settings,
    calendars: CalendarCache,
    *,
    batch: int = 50_000,
) -> SweepReport:
    """Enqueue everyone due at `now`; call inside a transaction and commit after."""
    report = SweepReport()
    report.registered = store.register(
        connection, store.unregistered(connection, batch), calendars, settings.periodic_time, now
    )
    query = (
        select(
            _schedules.c.person_id, _schedules.c.rhythm, _schedules.c.due_at,
            _schedules.c.missed, _schedules.c.held, _people.c.organisation_id,
            _people.c.timezone, _people.c.workdays, _people.c.diary_time, _people.c.status,
            _people.c.paused_until,
        )
        .join(_people, _people.c.id == _schedules.c.person_id)
        .where(_schedules.c.due_at <= now)
        .order_by(_schedules.c.due_at)
        .limit(batch)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=_schedules, skip_locked=True)
    rows = connection.execute(query).all()
    report.due = len(rows)
    if not rows:
        return report
    found = calendars.get(connection, {row.organisation_id for row in rows})
    grace = timedelta(minutes=settings.nudge_grace_minutes)
    deliveries: list[dict[str, object]] = []
    moves: list[dict[str, object]] = []
    for row in rows:
        person = store.PersonCalendar(
            row.person_id, row.organisation_id, row.timezone, row.workdays, row.diary_time,
            row.status, row.paused_until,
        )
        rules = store.rules_for(person, found[row.organisation_id], settings.periodic_time)
        missed, held = row.missed, row.held
        current = next_due(row.rhythm, rules, row.due_at - _ONE_SECOND)
        if current is None or current.at != row.due_at:
            report.skipped["rescheduled"] += 1  # the rules changed under this row
        elif row.rhythm == DIARY:
            if held:
                report.skipped["held"] += 1
            elif now - current.at > grace:
                report.skipped["too late"] += 1
            elif missed >= MISSED_BEFORE_CHECK_IN:
                deliveries.append(delivery_row(CHECK_IN, person.id, DIARY, CHECK_IN_FLOW,
                                               current, current.at, current.period_end, now))
                held = True
            else:
                deliveries.append(delivery_row(NUDGE, person.id, DIARY, DIARY, current,
                                               current.at, current.at + grace, now))
                missed += 1
        else:
            send_at: datetime | None = current.at
            if now - current.at > grace:  # caught up while the period lasts
                send_at = first_moment_outside_quiet_hours(now, rules)
            if send_at is None or send_at >= current.period_end:
                report.skipped["period over"] += 1
            else:
                deliveries.append(delivery_row(NUDGE, person.id, row.rhythm, row.rhythm,
                                               current, send_at, current.period_end, now))
        following = next_due(row.rhythm, rules, max(row.due_at, now))
        moves.append({"p_id": person.id, "p_rh": row.rhythm,
                      "due_at": following.at if following else None,
                      "missed": missed, "held": held, "updated_at": now})
    insert_deliveries(connection, deliveries)
    connection.execute(_MOVE, moves)
    report.enqueued = [
        Enqueued(int(str(d["person_id"])), str(d["rhythm"]), str(d["kind"]), str(d["key"]),
                 str(d["local_date"]))
        for d in deliveries
    ]
    return report
