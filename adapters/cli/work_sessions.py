"""The facilitator's commands for team work sessions and community session sign-ups:
`leercoach worksession add|list|members|stop` and `leercoach sessions [list|signup|show]`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from adapters.cli.common import (
    EXIT_USAGE,
    find_organisation,
    find_organisation_id,
    organisation_option,
    runtime_of,
)
from bot import clock
from bot.config import Settings
from bot.due.weekdays import WEEKDAYS
from bot.organisation import community_sessions as community
from bot.organisation import teams
from bot.people.roles import may_facilitate
from bot.practices.work_sessions import records as ws
from bot.privacy.export import find_person

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_worksession_and_sessions(commands: Commands) -> None:
    """Add `worksession` and `sessions` to the `leercoach` command."""
    worksession = commands.add_parser("worksession",
                                      help="a team's action-learning work sessions")
    actions = worksession.add_subparsers(dest="worksession_command", metavar="ACTION",
                                         required=True)
    add = actions.add_parser("add", help="plan a team's work sessions (again: a new plan)")
    organisation_option(add)
    add.add_argument("--team", required=True, metavar="NAME",
                     help="the team (made when it does not exist yet)")
    add.add_argument("--channel", required=True, metavar="PLATFORM:WORKSPACE:CHANNEL",
                     help="where the team meets, e.g. slack:T0123:C0456")
    add.add_argument("--every", type=int, choices=ws.CADENCES, default=2,
                     help="weeks between sessions (default 2)")
    add.add_argument("--weekday", choices=WEEKDAYS, required=True)
    add.add_argument("--time", required=True, help="local start time, e.g. 14:00")
    add.add_argument("--facilitator", metavar="USER",
                     help="platform user id (or #<person id>) who gets the agenda to post "
                          "and records decisions and learnings")
    add.add_argument("--first", type=date.fromisoformat, metavar="DATE",
                     help="date of the first session (default: the first WEEKDAY to come)")
    add.add_argument("--platform", help="only this platform (to find the facilitator)")
    add.add_argument("--tenant", help="only this workspace / tenant")
    add.set_defaults(handler=cmd_worksession_add)
    listing = actions.add_parser("list", help="the teams' work sessions")
    organisation_option(listing)
    listing.set_defaults(handler=cmd_worksession_list)
    members = actions.add_parser("members", help="add someone to a team (or --remove)")
    organisation_option(members)
    members.add_argument("--team", required=True, metavar="NAME")
    members.add_argument("--user", required=True, help="platform user id, or #<person id>")
    members.add_argument("--remove", action="store_true")
    members.add_argument("--platform", help="only this platform")
    members.add_argument("--tenant", help="only this workspace / tenant")
    members.set_defaults(handler=cmd_worksession_members)
    stop = actions.add_parser("stop", help="no more work sessions for a team")
    organisation_option(stop)
    stop.add_argument("--team", required=True, metavar="NAME")
    stop.set_defaults(handler=cmd_worksession_stop)

    sessions = commands.add_parser("sessions",
                                   help="community sessions with their sign-ups")
    organisation_option(sessions)
    sessions.add_argument("action", nargs="?", choices=("list", "signup", "show"),
                          default="list")
    sessions.add_argument("id", nargs="?", type=int, help="the session's number")
    sessions.add_argument("--user", help="signup: platform user id, or #<person id>")
    sessions.add_argument("--cancel", action="store_true", help="signup: sign off instead")
    sessions.add_argument("--all", action="store_true", help="list: past sessions too")
    sessions.add_argument("--platform", help="only this platform")
    sessions.add_argument("--tenant", help="only this workspace / tenant")
    sessions.set_defaults(handler=cmd_sessions)


def _refuse(message: str) -> int:

    print(f"leercoach: {message}", file=sys.stderr)
    return EXIT_USAGE


def _local(moment: datetime | None, zone: str) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def cmd_worksession_add(args: argparse.Namespace, settings: Settings) -> int:

    try:
        at = ws.parse_time(args.time)
        ws.parse_channel(args.channel)
    except ws.WorkSessionError as exc:
        return _refuse(str(exc))
    runtime = runtime_of(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            organisation = find_organisation(session, settings, args.organisation)
            organisation_id, zone = organisation.id, organisation.default_timezone
            facilitator = None
            if args.facilitator:
                facilitator = find_person(session, args.facilitator, args.platform,
                                          args.tenant).id
            session.commit()
        with runtime.database.begin() as connection:
            saved = ws.save_series(
                connection, organisation_id, team=args.team, channel=args.channel,
                cadence_weeks=args.every, weekday=WEEKDAYS.index(args.weekday), at=at,
                facilitator_id=facilitator, now=now, first=args.first)
            has_role = facilitator is None or may_facilitate(connection, settings,
                                                             facilitator)
    except ws.WorkSessionError as exc:
        return _refuse(str(exc))
    finally:
        runtime.close()
    print(f"{'planned' if saved.created else 'new plan for'} the work sessions of "
          f"{' '.join(args.team.split())}: every {args.every} weeks on {args.weekday} at "
          f"{at:%H:%M} ({zone}); first {_local(saved.next_starts_at, zone)}")
    print(f"  members are asked for agenda items {ws.COLLECT_BEFORE.days} days ahead and "
          f"vote in {args.channel}")
    if facilitator is None:
        print("  no facilitator: nobody gets the agenda to post or is asked to record "
              "decisions (add --facilitator USER)")
    elif not has_role:
        print(f"  note: {args.facilitator} has no facilitator role yet; give it with "
              f"`leercoach role facilitator --user {args.facilitator}`")
    return 0


def cmd_worksession_list(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.connect() as connection:
            rows = ws.list_series(connection, organisation_id)
    finally:
        runtime.close()
    if not rows:
        print("no work sessions yet: `leercoach worksession add --team NAME …` plans them")
    for row in rows:
        state = f"next {_local(row.next_starts_at, row.timezone)}" if row.active else "stopped"
        print(f"{row.team}: every {row.cadence_weeks} weeks on {WEEKDAYS[row.weekday]} "
              f"{row.local_time:%H:%M}, {state}, {row.members} members, {row.sessions} "
              f"sessions held or opened, facilitator {row.facilitator}, channel {row.channel}")
    return 0


def cmd_worksession_members(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation_id = find_organisation(session, settings, args.organisation).id
            person_id = find_person(session, args.user, args.platform, args.tenant).id
            session.commit()
        with runtime.database.begin() as connection:
            team_id = ws.team_id_of(connection, organisation_id, args.team)
            if team_id is None:
                return _refuse(f"there is no team {args.team!r}")
            if args.remove:
                changed = teams.remove_member(connection, team_id, person_id)
            else:
                changed = teams.add_member(connection, team_id, person_id, clock.now())
    finally:
        runtime.close()
    if args.remove:
        print(f"{args.user} {'left' if changed else 'was not in'} {args.team}")
    else:
        print(f"{args.user} {'joins' if changed else 'is in'} {args.team}")
    return 0


def cmd_worksession_stop(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        organisation_id = find_organisation_id(runtime, settings, args.organisation)
        with runtime.database.begin() as connection:
            stopped = ws.stop_series(connection, organisation_id, args.team)
    finally:
        runtime.close()
    print(f"{args.team}: {'no more work sessions' if stopped else 'had no work sessions'}")
    return 0


def cmd_sessions(args: argparse.Namespace, settings: Settings) -> int:

    if args.action != "list" and args.id is None:
        return _refuse(f"sessions {args.action} needs the session's number")
    if args.action == "signup" and not args.user:
        return _refuse("sessions signup needs --user")
    runtime = runtime_of(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            organisation = find_organisation(session, settings, args.organisation)
            organisation_id, zone = organisation.id, organisation.default_timezone
            person_id = (find_person(session, args.user, args.platform, args.tenant).id
                         if args.action == "signup" else None)
            session.commit()
        with runtime.database.begin() as connection:
            if args.action == "list":
                found = community.upcoming(connection, organisation_id, now, limit=100,
                                           include_past=args.all)
                return _list(found, zone, args.all)
            chosen = community.find(connection, args.id, organisation_id)
            if chosen is None:
                return _refuse(f"there is no community session {args.id}")
            if args.action == "show":
                return _show(chosen, community.participants(connection, chosen.id), zone)
            assert person_id is not None
            if args.cancel:
                changed = community.cancel(connection, chosen.id, person_id)
                print(f"{args.user} {'is signed off' if changed else 'was not signed up'} "
                      f"for #{chosen.id} {chosen.title}")
                return 0
            if chosen.starts_at <= now:
                return _refuse(f"session #{chosen.id} has been held already")
            changed = community.sign_up(connection, chosen.id, person_id, now)
            print(f"{args.user} {'signed up' if changed else 'was signed up already'} for "
                  f"#{chosen.id} {chosen.title}")
    finally:
        runtime.close()
    return 0


def _list(found: list[community.Session], zone: str, include_past: bool) -> int:
    if not found:
        print(f"no {'' if include_past else 'upcoming '}community sessions")
        return 0
    print(f"times in {zone}")
    for row in found:
        print("  ".join((f"#{row.id:<4}", _local(row.starts_at, zone),
                         f"{row.signups} signed up", row.title
                         + (f"  @ {row.location}" if row.location else ""))))
    return 0


def _show(chosen: community.Session, people: list[community.Participant], zone: str) -> int:
    print(f"#{chosen.id} {chosen.title}, {_local(chosen.starts_at, zone)} ({zone}): "
          f"{len(people)} signed up")
    for person in people:
        case = f" — brings a case: {person.case_question}" if person.case_question else ""
        print(f"  {person.name}{case}")
    return 0
