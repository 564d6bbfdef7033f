"""An organisation's calendar (holiday country, days off, quiet hours), read once a minute.

Turns and sweeps ask for it often and it changes rarely, so it is cached for a short time
per process; a change made with the CLI reaches every replica within that time.
"""

from __future__ import annotations

import time as monotonic_time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from bot.due.calendar import CalendarError, DaysOff, QuietHours, parse_quiet_hours
from bot.storage.models import DayOff, Organisation, table_of

CACHE_SECONDS = 60.0
_organisations = table_of(Organisation)
_days_off = table_of(DayOff)


@dataclass(frozen=True, slots=True)
class OrganisationCalendar:
    days_off: DaysOff
    quiet: QuietHours


def load_calendars(
    connection: Connection, organisation_ids: Iterable[int]
) -> dict[int, OrganisationCalendar]:
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    extra: dict[int, list[date]] = {org_id: [] for org_id in ids}
    for org_id, day in connection.execute(
        select(_days_off.c.organisation_id, _days_off.c.day).where(
            _days_off.c.organisation_id.in_(ids)
        )
    ):
        extra[org_id].append(day)
    found: dict[int, OrganisationCalendar] = {}
    for org_id, country, quiet_text in connection.execute(
        select(_organisations.c.id, _organisations.c.holiday_country,
               _organisations.c.quiet_hours).where(_organisations.c.id.in_(ids))
    ):
        try:
            quiet = parse_quiet_hours(quiet_text or "")
        except CalendarError:
            quiet = QuietHours(None, None)  # checked on input; never block the rhythm on it
        found[org_id] = OrganisationCalendar(DaysOff.of(country, extra[org_id]), quiet)
    return found


class CalendarCache:
    """Per-process cache of organisation calendars, refreshed after CACHE_SECONDS."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self.seconds = seconds
        self._entries: dict[int, tuple[float, OrganisationCalendar]] = {}

    def get(self, connection: Connection, organisation_ids: Iterable[int]
            ) -> dict[int, OrganisationCalendar]:
        stamp = monotonic_time.monotonic()
        wanted = set(organisation_ids)
        result: dict[int, OrganisationCalendar] = {}
        missing = []
        for org_id in wanted:
            cached = self._entries.get(org_id)
            if cached is not None and stamp - cached[0] < self.seconds:
                result[org_id] = cached[1]
            else:
                missing.append(org_id)
        for org_id, calendar in load_calendars(connection, missing).items():
            self._entries[org_id] = (stamp, calendar)
            result[org_id] = calendar
        return result

    def forget(self) -> None:
        self._entries.clear()
