"""`leercoach calendar`: an organisation's public holidays, extra days off and quiet hours;
a change moves everyone's next nudge at once."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from adapters.cli.common import (
    find_organisation,
    find_organisation_id,
    organisation_option,
    runtime_of,
)
from bot import clock
from bot.config import Settings
from bot.organisation import calendar_settings
from bot.storage.models import DayOff

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_calendar(commands: Commands) -> None:
    calendar = commands.add_parser(
        "calendar", help="the organisation's public holidays, days off and quiet hours")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", metavar="ACTION",
                                                required=True)
    show = calendar_commands.add_parser("show", help="what is set now")
    organisation_option(show)
    show.set_defaults(handler=cmd_calendar_show)
    change = calendar_commands.add_parser("set", help="holiday country and quiet hours")
    organisation_option(change)
    change.add_argument("--holidays", help="country code for public holidays (NL, BE, …) "
                        "or none")
    change.add_argument("--quiet-hours", help="local window without nudges, e.g. "
                        "21:00-07:00, or none")
    change.set_defaults(handler=cmd_calendar_set)
    for name, text in (("add-day", "add an extra day off"),
                       ("remove-day", "remove an extra day off")):
        day = calendar_commands.add_parser(name, help=text)
        organisation_option(day)
        day.add_argument("day", type=date.fromisoformat, help="the date, e.g. 2026-12-24")
        if name == "add-day":
            day.add_argument("--name", help="what the day is, e.g. Studiedag")
        day.set_defaults(handler=cmd_calendar_day_off)


def cmd_calendar_show(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation = find_organisation(session, settings, args.organisation)
            days = session.scalars(
                select(DayOff).where(DayOff.organisation_id == organisation.id)
                .order_by(DayOff.day)
            ).all()
            print(f"organisation: {organisation.slug}")
            print(f"public holidays: {organisation.holiday_country or 'none'}")
            print(f"quiet hours: {organisation.quiet_hours}")
            print("extra days off: " + (", ".join(
                f"{day.day.isoformat()}{' ' + day.name if day.name else ''}" for day in days
            ) or "none"))
            session.commit()
    finally:
        runtime.close()
    return 0


def cmd_calendar_set(args: argparse.Namespace, settings: Settings) -> int:
    _change(args, settings, lambda connection, organisation_id: calendar_settings.set_calendar(
        connection, organisation_id, holidays=args.holidays, quiet_hours=args.quiet_hours))
    return cmd_calendar_show(args, settings)


def cmd_calendar_day_off(args: argparse.Namespace, settings: Settings) -> int:
    def change(connection: Connection, organisation_id: int) -> None:
        if args.calendar_command == "add-day":
            calendar_settings.add_day_off(connection, organisation_id, args.day,
                                          args.name or "")
        else:
            calendar_settings.remove_day_off(connection, organisation_id, args.day)

    _change(args, settings, change)
    return cmd_calendar_show(args, settings)


def _change(args: argparse.Namespace, settings: Settings,
            change: Callable[[Connection, int], None]) -> None:
    """Make the change and move everyone's next nudge to fit, in one transaction."""
    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.begin() as connection:
            change(connection, organisation_id)
            calendar_settings.reschedule(connection, organisation_id, runtime.engine.calendars,
                                         settings.periodic_time, clock.now())
    finally:
        runtime.close()
