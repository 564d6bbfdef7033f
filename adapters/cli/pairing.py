"""Cohorts and the weekly peer review pairing: `leercoach cohort add|list|join|leave|pause|resume`,
`never-pair`, `pair` (start a round now) and `pairs` (the current groups)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.cli.common import (
    EXIT_USAGE,
    find_organisation,
    organisation_option,
    runtime_of,
    utc,
)
from bot import clock
from bot.config import Settings
from bot.due.weekdays import WEEKDAYS
from bot.organisation import cohorts
from bot.practices.pairing import programmes, rounds
from bot.privacy.export import find_person
from bot.storage.models import Cohort

if TYPE_CHECKING:
    from adapters.cli.common import Commands


class UnknownCohort(LookupError):
    """No cohort with the name given to --cohort."""


def add_cohort(commands: Commands) -> None:
    cohort = commands.add_parser("cohort", help="groups paired for the weekly peer review")
    cohort_commands = cohort.add_subparsers(dest="cohort_command", metavar="ACTION",
                                            required=True)
    add = cohort_commands.add_parser("add", help="a new cohort")
    organisation_option(add)
    add.add_argument("name", help="e.g. Servicedesk")
    add.add_argument("--mode", choices=rounds.MODES, default=rounds.STEADY,
                     help="steady partners (default), a new one each round, or mentoring")
    add.add_argument("--weekday", choices=WEEKDAYS, default="mon", help="day rounds start")
    add.add_argument("--every", type=int, choices=programmes.CADENCES, default=1,
                     help="weeks per round")
    add.add_argument("--repair-quarterly", action="store_true",
                     help="steady mode: new partners at the start of every quarter")
    add.add_argument("--channel", type=_channel, metavar="PLATFORM:WORKSPACE:CHANNEL",
                     help="everyone in this channel, e.g. slack:T0123:C0456; joining and "
                          "leaving the channel joins and leaves the cohort")
    add.set_defaults(handler=cmd_cohort_add)
    listing = cohort_commands.add_parser("list", help="the cohorts and their next round")
    organisation_option(listing)
    listing.set_defaults(handler=cmd_cohort_list)
    for name, text in (("join", "enrol someone (they are told how to leave)"),
                       ("leave", "take someone out")):
        member = cohort_commands.add_parser(name, help=text)
        organisation_option(member)
        member.add_argument("cohort", help="the cohort's name")
        member.add_argument("--user", required=True, help="platform user id, or #<person id>")
        member.add_argument("--platform", help="only this platform")
        member.add_argument("--tenant", help="only this workspace / tenant")
        if name == "join":
            member.add_argument("--role", default="participant",
                                choices=programmes.MEMBER_ROLES)
            member.add_argument("--capacity", type=int, default=1,
                                help="mentees a mentor takes on (default 1)")
        member.set_defaults(handler=cmd_cohort_member)
    for name, text in (("pause", "no new rounds for now"),
                       ("resume", "rounds again, from the cohort's next weekday")):
        pausing = cohort_commands.add_parser(name, help=text)
        organisation_option(pausing)
        pausing.add_argument("cohort", help="the cohort's name")
        pausing.set_defaults(handler=cmd_cohort_pause)


def add_never_pair_pair_pairs(commands: Commands) -> None:
    never = commands.add_parser("never-pair", help="two people who are never paired")
    organisation_option(never)
    never.add_argument("--user", action="append", required=True,
                       help="give it twice: the two people")
    never.add_argument("--reason", help="e.g. manager and report")
    never.add_argument("--platform", help="only this platform")
    never.add_argument("--tenant", help="only this workspace / tenant")
    never.set_defaults(handler=cmd_never_pair)
    pair = commands.add_parser("pair", help="start a cohort's next round now")
    organisation_option(pair)
    pair.add_argument("--cohort", required=True)
    pair.add_argument("--dry-run", action="store_true", help="show the groups, store nothing")
    pair.set_defaults(handler=cmd_pair)
    pairs = commands.add_parser("pairs", help="a cohort's current groups and when they met")
    organisation_option(pairs)
    pairs.add_argument("--cohort", required=True)
    pairs.set_defaults(handler=cmd_pairs)


def _cohort(session: Session, settings: Settings, slug: str, name: str) -> Cohort:
    organisation = find_organisation(session, settings, slug)
    found = session.scalar(select(Cohort).where(Cohort.organisation_id == organisation.id,
                                                Cohort.name == name))
    if found is None:
        raise UnknownCohort(f"there is no cohort {name!r}; `leercoach cohort list` shows them")
    return found


def _channel(text: str) -> str:
    try:
        return cohorts.parse_channel_key(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def cmd_cohort_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation_id = find_organisation(session, settings, args.organisation).id
            session.commit()
        with runtime.database.begin() as connection:
            try:
                cohort = programmes.create_cohort(
                    connection, organisation_id, name=args.name, mode=args.mode,
                    weekday=args.weekday, every=args.every,
                    repair_quarterly=args.repair_quarterly, channel=args.channel,
                    now=clock.now(), periodic_time=settings.periodic_time)
            except programmes.CohortError as exc:
                print(f"leercoach: {exc}", file=sys.stderr)
                return EXIT_USAGE
        print(f"cohort {cohort.name}: {cohort.mode}, every {cohort.cadence_weeks} week(s) "
              f"on {args.weekday}; first round {utc(cohort.next_round_at)}")
        if cohort.channel:
            print(f"  members of {cohort.channel} take part; joining it enrols, leaving "
                  "it takes out (invite the coach to the channel to enrol who is there)")
    finally:
        runtime.close()
    return 0


def cmd_cohort_pause(args: argparse.Namespace, settings: Settings) -> int:
    """No rounds until `resume`; resuming plans the next on the cohort's weekday."""
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            cohort = _cohort(session, settings, args.organisation, args.cohort)
            cohort_id, organisation_id = cohort.id, cohort.organisation_id
            session.commit()
        with runtime.database.begin() as connection:
            if args.cohort_command == "pause":
                programmes.pause_cohort(connection, cohort_id)
                print(f"{args.cohort} is paused: no new rounds until `cohort resume`")
            else:
                moment = programmes.resume_cohort(connection, organisation_id, cohort_id,
                                                  clock.now(), settings.periodic_time)
                print(f"{args.cohort} runs again; next round {utc(moment)}")
    finally:
        runtime.close()
    return 0


def cmd_cohort_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation_id = find_organisation(session, settings, args.organisation).id
            session.commit()
        with runtime.database.connect() as connection:
            found = programmes.list_cohorts(connection, organisation_id)
    finally:
        runtime.close()
    for cohort in found:
        when = "paused" if cohort.paused else f"next round {utc(cohort.next_round_at)}"
        print(f"{cohort.name}: {cohort.mode}, every {cohort.cadence_weeks} week(s) on "
              f"{cohort.weekday_name}, {cohort.members} taking part, {when}"
              + (f", channel {cohort.channel}" if cohort.channel else ""))
    if not found:
        print("no cohorts yet: `leercoach cohort add NAME` makes one")
    return 0


def cmd_cohort_member(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            cohort = _cohort(session, settings, args.organisation, args.cohort)
            person = find_person(session, args.user, args.platform, args.tenant)
            cohort_id, person_id = cohort.id, person.id
            session.commit()
        with runtime.database.begin() as connection:
            if args.cohort_command == "join":
                try:
                    joined = programmes.enrol(connection, cohort_id, person_id, now,
                                              args.role, args.capacity)
                except programmes.CohortError as exc:
                    print(f"leercoach: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                print(f"{args.user} {'joins' if joined else 'takes part in'} {args.cohort}"
                      + (" (told how to leave)" if joined else ""))
            else:
                left = cohorts.leave(connection, cohort_id, person_id, now)
                print(f"{args.user} {'left' if left else 'was not in'} {args.cohort}")
    finally:
        runtime.close()
    return 0


def cmd_never_pair(args: argparse.Namespace, settings: Settings) -> int:
    if len(args.user) != 2:
        print("leercoach: give --user twice: the two people", file=sys.stderr)
        return EXIT_USAGE
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation_id = find_organisation(session, settings, args.organisation).id
            first = find_person(session, args.user[0], args.platform, args.tenant).id
            second = find_person(session, args.user[1], args.platform, args.tenant).id
            session.commit()
        with runtime.database.begin() as connection:
            try:
                programmes.keep_apart(connection, organisation_id, first, second,
                                      args.reason or "")
            except programmes.CohortError as exc:
                print(f"leercoach: {exc}", file=sys.stderr)
                return EXIT_USAGE
            print(f"{args.user[0]} and {args.user[1]} are never paired")
    finally:
        runtime.close()
    return 0


def cmd_pair(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            cohort_id = _cohort(session, settings, args.organisation, args.cohort).id
            session.commit()
        with runtime.database.begin() as connection:
            result = programmes.start_round(connection, cohort_id, now,
                                            settings.periodic_time, dry_run=args.dry_run)
            names = _display_names(connection, result)
    finally:
        runtime.close()
    print(f"{'dry run: ' if args.dry_run else ''}round {result.number} of {result.cohort}, "
          f"{result.starts_on} to {result.ends_on}: {len(result.groups)} groups")
    for group in result.groups:
        print("  " + " + ".join(names[person] for person in group))
    for person in result.alone:
        print(f"  {names[person]}: nobody to pair with this round (told so)")
    if result.left_out:
        print(f"  left out (paused or away, told nothing): {len(result.left_out)}")
    return 0


def _display_names(connection: Any, result: rounds.RoundResult) -> dict[int, str]:
    ids = [p for group in result.groups for p in group] + result.alone
    return {person: f"{name} (#{person})"
            for person, name in rounds.names_of(connection, ids).items()}


def cmd_pairs(args: argparse.Namespace, settings: Settings) -> int:
    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            cohort_id = _cohort(session, settings, args.organisation, args.cohort).id
            session.commit()
        with runtime.database.connect() as connection:
            current = rounds.current_pairs(connection, cohort_id)
    finally:
        runtime.close()
    if current is None:
        print(f"{args.cohort}: no round yet")
        return 0
    number, starts_on, ends_on, groups = current
    print(f"{args.cohort}: round {number}, {starts_on} to {ends_on}")
    for group in groups:
        last = group.last_met.isoformat() if group.last_met else "not yet"
        print(f"  {' + '.join(group.names)}: last met {last}")
    return 0
