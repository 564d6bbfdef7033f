"""The `leercoach` command: chat in the terminal, serve HTTP, migrate, export a person's data,
and keep an organisation's competence catalog, goals, community sessions and checklists."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alembic.util.exc import CommandError as AlembicError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import ConfigError, Settings
from bot.core import clock
from bot.core.prompts import LOCALES, PromptError, PromptLibrary
from bot.core.runtime import Runtime, SchemaOutOfDate, open_runtime
from bot.due.calendar import CalendarError, check_country, parse_quiet_hours
from bot.due.weekdays import WEEKDAYS
from bot.organisation import cohorts, goals
from bot.organisation.catalog import (
    MAX_REPORTED,
    CatalogError,
    catalog_entries,
    catalog_format,
    import_catalog,
    read_catalog_file,
    write_catalog_file,
)
from bot.people.directory import DEFAULT_ORGANISATION_SLUG, default_organisation
from bot.practices.checklists.records import (
    ChecklistError,
    ChecklistFileError,
    archive_checklist,
    import_checklists,
    list_checklists,
    read_checklist_file,
)
from bot.practices.learning_conversation.hooks import canvas_markdown, latest_canvas
from bot.practices.pairing import rounds
from bot.privacy.export import UnknownPerson, find_person
from bot.storage import migrate
from bot.storage.database import create_db_engine
from bot.storage.models import (
    Cohort,
    CohortMember,
    DayOff,
    NeverPair,
    Organisation,
)
from scheduler.ticks import Ticks

if TYPE_CHECKING:
    from adapters.slack.app import SlackAdapter
    from adapters.teams.app import TeamsAdapter
    from adapters.web.app import WebAdapter

EXIT_USAGE = 2
EXIT_FAILURE = 1


def _runtime(settings: Settings) -> Runtime:
    return open_runtime(settings)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.terminal import TerminalChat, stdin_lines, terminal_address

    runtime = _runtime(settings)
    try:
        if args.locale:
            runtime.engine.set_locale(terminal_address(args.user), args.locale)
        if sys.stdin.isatty():
            print("Leercoach — typ 'hulp' / type 'help'. Ctrl-D sluit af / quits.")
        TerminalChat(runtime.engine, args.user, sys.stdout).run(stdin_lines())
    except KeyboardInterrupt:
        print()
    finally:
        runtime.close()
    return 0


def cmd_canvas_export(args: argparse.Namespace, settings: Settings) -> int:
    """The person's latest open learning conversation canvas, as Markdown on stdout."""
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            person = find_person(session, args.user, args.platform, args.tenant)
            canvas = latest_canvas(session, person.id)
            if canvas is None:
                print(f"leercoach: {args.user} has no learning conversation canvas yet",
                      file=sys.stderr)
                return EXIT_FAILURE
            organisation = runtime.engine.organisation(lambda: session, person.organisation_id)
            prompts = runtime.engine.prompts_for(organisation)
            text = canvas_markdown(canvas, prompts, person.locale, person.display_name)
    except UnknownPerson as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        runtime.close()
    sys.stdout.write(text)
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    database = create_db_engine(settings.database_url)
    try:
        try:
            migrate.upgrade(database, args.revision)
        except AlembicError as exc:
            print(f"leercoach: cannot upgrade to {args.revision!r} ({exc})", file=sys.stderr)
            return EXIT_USAGE
        print(f"database at revision {migrate.current_revision(database)}")
    finally:
        database.dispose()
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.http_server import create_app, serve
    from adapters.web.app import WebAdapter

    if not os.environ.get("LEERCOACH_PUBLIC_URL", "").strip():
        # links point at this server unless a proxy in front of it is named
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        settings = dataclasses.replace(settings, public_url=f"http://{shown}:{args.port}")
    runtime = _runtime(settings)
    try:
        slack = _slack(runtime)
        teams = _teams(runtime, args.host, other_platform=slack is not None)
    except ConfigError:
        runtime.close()
        raise
    web_pages = WebAdapter(runtime)
    ticks = None if args.no_scheduler else _ticks(runtime, settings, slack, teams, web_pages)

    def banner() -> None:
        """Said once the port is open (Slack's Socket Mode connects in the background)."""
        print(f"Leercoach listening on http://{args.host}:{args.port} (health: /healthz)",
              flush=True)
        if slack is not None:
            how = "Socket Mode" if slack.config.socket_mode else "/slack/events"
            print(f"Slack: {how}{' with OAuth installs' if slack.config.oauth else ''}",
                  flush=True)
        if teams is not None:
            how = "" if teams.config.authenticated else " (no MICROSOFT_APP_ID: Emulator, loopback)"
            print(f"Teams: /api/messages{how}", flush=True)
        else:
            print("Teams: off (set MICROSOFT_APP_ID to serve Teams on a public interface)",
                  flush=True)
        if slack is None and (teams is None or not teams.config.authenticated):
            url = _admin_link(runtime, settings)
            print(f"Web chat and dashboard: open {url} within 15 minutes to log in as admin "
                  "(a new link: leercoach login-link --admin)", flush=True)

    try:
        serve(create_app(runtime, ticks, slack=slack, teams=teams, web_pages=web_pages),
              args.host, args.port, banner)
    finally:
        runtime.close()
    return 0


def _admin_link(runtime: Runtime, settings: Settings, person_id: int | None = None) -> str:
    """A one-time login link (bot.people.web_access): the admin's when `person_id` is None."""
    from bot.people import web_access as access
    from bot.practices.web_link.hooks import login_url

    with runtime.database.begin() as connection:
        token = access.issue_link(connection, person_id, clock.now())
    return login_url(settings.public_url, token)


def cmd_login_link(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time login link for the web pages: the admin's, or a person's."""
    runtime = _runtime(settings)
    try:
        person_id = None
        if not args.admin:
            with runtime.sessions() as session:
                try:
                    person = find_person(session, args.user, args.platform, args.tenant)
                except UnknownPerson as exc:
                    print(f"leercoach: {exc}", file=sys.stderr)
                    return EXIT_USAGE
                person_id = person.id
        print(_admin_link(runtime, settings, person_id))
    finally:
        runtime.close()
    return 0


def cmd_teams_package(args: argparse.Namespace, settings: Settings) -> int:
    from adapters.teams.package import DEFAULT_DOMAIN, PackageError, write_package

    path = Path(args.out)
    try:
        files = write_package(path, args.app_id, name=args.name, domain=args.domain,
                              version=args.version,
                              prompts=PromptLibrary.with_override(settings.prompts_dir))
    except PackageError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"leercoach: cannot write {path} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_FAILURE
    print(f"wrote {path} ({', '.join(files)}); upload it in Teams: Apps > Manage your apps > "
          "Upload an app, or in the Teams admin center")
    if args.domain.strip().lower() == DEFAULT_DOMAIN:
        print(f"note: {DEFAULT_DOMAIN} is a placeholder; give --domain your own host name")
    return 0


# -- the scheduler and the outbox ------------------------------------------------------------


def _slack(runtime: Runtime) -> SlackAdapter | None:
    """The Slack adapter when SLACK_* variables configure it (ConfigError otherwise)."""
    from adapters.slack.config import SlackConfig

    config = SlackConfig.from_env()
    if config is None:
        return None
    from adapters.slack.app import build_slack

    return build_slack(runtime, config)


def _teams(runtime: Runtime, host: str, *, other_platform: bool) -> TeamsAdapter | None:
    """The Teams adapter. Without MICROSOFT_APP_ID activities come unauthenticated, which
    only the Emulator on this machine may do: on a public interface Teams is then off (or,
    with nothing else to serve, `serve` refuses to start)."""
    from adapters.teams.app import build_teams, may_serve_unauthenticated
    from adapters.teams.config import TeamsConfig

    config = TeamsConfig.from_env()
    if not config.authenticated and not may_serve_unauthenticated(host):
        if other_platform:
            return None
        raise ConfigError(
            f"refusing to serve on {host}: without MICROSOFT_APP_ID, Teams activities would "
            "be accepted unauthenticated. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
            "(or Slack's variables), or listen on 127.0.0.1")
    return build_teams(runtime, config)


def _platform_ticks(runtime: Runtime, settings: Settings) -> Ticks:
    """Ticks for a process without an HTTP server (`tick`, `scheduler`): nudges still go
    out through Slack and Teams when they are configured (Teams needs its app id here)."""
    from adapters.teams.app import build_teams
    from adapters.teams.config import TeamsConfig

    teams_config = TeamsConfig.from_env()
    teams = build_teams(runtime, teams_config) if teams_config.authenticated else None
    return _ticks(runtime, settings, _slack(runtime), teams)


def _ticks(runtime: Runtime, settings: Settings, slack: SlackAdapter | None = None,
           teams: TeamsAdapter | None = None, web_pages: WebAdapter | None = None) -> Ticks:
    from adapters.senders import available_senders

    return Ticks(runtime, available_senders(settings, slack, teams, web_pages))


def _instant(text: str) -> datetime:
    """An ISO instant from the command line; without a zone it is read as UTC (read the way
    LEERCOACH_NOW is)."""
    try:
        return clock.parse_instant(text)
    except clock.ClockSettingError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _utc(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_tick(args: argparse.Namespace, settings: Settings) -> int:
    if args.now is not None:
        # `--now` sets the product's clock for the whole process, as LEERCOACH_NOW would:
        # whatever the tick writes (created_at, leases) agrees with the moment it acts at.
        clock.start_at(args.now)
    now: datetime = args.now or clock.now()
    runtime = open_runtime(settings, clock=lambda: now)
    try:
        report = asyncio.run(_platform_ticks(runtime, settings).tick(now))
    finally:
        runtime.close()
    swept = report.sweep
    skipped = ", ".join(f"{reason}: {count}" for reason, count in sorted(swept.skipped.items()))
    print(f"sweep at {_utc(now)}: {swept.due} due, {len(swept.enqueued)} queued"
          + (f", not queued ({skipped})" if skipped else "")
          + (f", {swept.registered} newly registered" if swept.registered else ""))
    for item in swept.enqueued:
        print(f"  queued   {item.kind} {item.rhythm} for person {item.person_id} "
              f"({item.local_date})")
    for started in report.rounds:
        print(f"  pairing round {started.number} of {started.cohort}: "
              f"{len(started.groups)} groups")
    for session_id in report.work_sessions:
        print(f"  work session {session_id} opened: members asked for agenda items")
    outcomes = report.dispatch.outcomes
    counts = Counter(outcome.result for outcome in outcomes)
    print("dispatch: " + (", ".join(f"{counts[r]} {r}" for r in sorted(counts)) or "nothing due"))
    for outcome in outcomes:
        detail = f" ({outcome.detail})" if outcome.detail else ""
        print(f"  {outcome.result:<8} {outcome.key}{detail}")
    return 0


def cmd_outbox_status(args: argparse.Namespace, settings: Settings) -> int:
    from bot.outbox import store as outbox

    runtime = _runtime(settings)
    try:
        with runtime.database.connect() as connection:
            status = outbox.status(connection)
    finally:
        runtime.close()
    print("outbox: " + ", ".join(f"{state} {count}" for state, count in status.counts.items()))
    print(f"oldest pending: {_utc(status.oldest_pending)}")
    if status.dead:
        print("dead letters (newest first):")
        for letter in status.dead:
            print(f"  {letter.key}  after {letter.attempts} attempts, {_utc(letter.at)}: "
                  f"{letter.reason}")
    return 0


def cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from scheduler.runner import run_forever

    runtime = _runtime(settings)
    try:
        asyncio.run(run_forever(
            _platform_ticks(runtime, settings),
            lambda: print("Leercoach scheduler running (Ctrl-C stops)", flush=True),
        ))
    finally:
        runtime.close()
    return 0


def cmd_calendar_show(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
            if args.holidays is not None:
                none = args.holidays.strip().lower() in ("", "none", "geen")
                organisation.holiday_country = None if none else check_country(args.holidays)
            if args.quiet_hours is not None:
                organisation.quiet_hours = str(parse_quiet_hours(args.quiet_hours))
            session.commit()
        _reschedule_organisation(runtime, args.organisation, settings)
    finally:
        runtime.close()
    return cmd_calendar_show(args, settings)


def cmd_calendar_day_off(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
            found = session.get(DayOff, (organisation.id, args.day))
            if args.calendar_command == "add-day":
                if found is None:
                    session.add(DayOff(organisation_id=organisation.id, day=args.day,
                                       name=args.name or ""))
                elif args.name:
                    found.name = args.name
            elif found is not None:
                session.delete(found)
            session.commit()
        _reschedule_organisation(runtime, args.organisation, settings)
    finally:
        runtime.close()
    return cmd_calendar_show(args, settings)


# -- cohorts and pairing --------------------------------------------------------------------


class UnknownCohort(LookupError):
    """No cohort with the name given to --cohort."""


def _cohort(session: Session, settings: Settings, slug: str, name: str) -> Cohort:
    organisation = _organisation(session, settings, slug)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
            if session.scalar(select(Cohort).where(Cohort.organisation_id == organisation.id,
                                                   Cohort.name == args.name)):
                print(f"leercoach: cohort {args.name!r} exists already", file=sys.stderr)
                return EXIT_USAGE
            now = clock.now()
            weekday = WEEKDAYS.index(args.weekday)
            cohort = Cohort(
                organisation_id=organisation.id, name=args.name, mode=args.mode,
                cadence_weeks=args.every, weekday=weekday, created_at=now,
                repair_quarterly=args.repair_quarterly, channel=args.channel,
                next_round_at=rounds.next_round_at(
                    weekday, settings.periodic_time, organisation.default_timezone, now,
                    first=True),
            )
            session.add(cohort)
            session.commit()
            print(f"cohort {cohort.name}: {cohort.mode}, every {cohort.cadence_weeks} week(s) "
                  f"on {args.weekday}; first round {_utc(cohort.next_round_at)}")
            if cohort.channel:
                print(f"  members of {cohort.channel} take part; joining it enrols, leaving "
                      "it takes out (invite the coach to the channel to enrol who is there)")
    finally:
        runtime.close()
    return 0


def cmd_cohort_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
            cohorts = session.scalars(select(Cohort).where(
                Cohort.organisation_id == organisation.id).order_by(Cohort.name)).all()
            for cohort in cohorts:
                members = session.scalar(select(func.count()).select_from(CohortMember).where(
                    CohortMember.cohort_id == cohort.id, CohortMember.left_at.is_(None)))
                print(f"{cohort.name}: {cohort.mode}, every {cohort.cadence_weeks} week(s) on "
                      f"{WEEKDAYS[cohort.weekday]}, {members} taking part, next round "
                      f"{_utc(cohort.next_round_at)}"
                      + (f", channel {cohort.channel}" if cohort.channel else ""))
            if not cohorts:
                print("no cohorts yet: `leercoach cohort add NAME` makes one")
            session.commit()
    finally:
        runtime.close()
    return 0


def cmd_cohort_member(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            cohort = _cohort(session, settings, args.organisation, args.cohort)
            person = find_person(session, args.user, args.platform, args.tenant)
            cohort_id, person_id = cohort.id, person.id
            session.commit()
        with runtime.database.begin() as connection:
            if args.cohort_command == "join":
                joined = cohorts.join(connection, cohort_id, person_id, now, args.role,
                                     args.capacity)
                if joined:
                    cohorts.queue_welcome(connection, cohort_id, person_id, now)
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
    runtime = _runtime(settings)
    try:
        with runtime.sessions() as session:
            organisation = _organisation(session, settings, args.organisation)
            first = find_person(session, args.user[0], args.platform, args.tenant)
            second = find_person(session, args.user[1], args.platform, args.tenant)
            if first.id == second.id:
                print("leercoach: give two different people", file=sys.stderr)
                return EXIT_USAGE
            low, high = sorted((first.id, second.id))
            if session.get(NeverPair, (organisation.id, low, high)) is None:
                session.add(NeverPair(organisation_id=organisation.id, person_a=low,
                                      person_b=high, reason=args.reason or ""))
            session.commit()
            print(f"{args.user[0]} and {args.user[1]} are never paired")
    finally:
        runtime.close()
    return 0


def cmd_pair(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    now = clock.now()
    try:
        with runtime.sessions() as session:
            cohort_id = _cohort(session, settings, args.organisation, args.cohort).id
            session.commit()
        with runtime.database.begin() as connection:
            result = rounds.run_round(connection, cohort_id, now, settings.periodic_time,
                                      dry_run=args.dry_run)
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
    runtime = _runtime(settings)
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


def _reschedule_organisation(runtime: Runtime, slug: str, settings: Settings) -> None:
    """A changed calendar moves everyone's next nudge; recompute it now, in batches."""
    from bot.due import schedule_store

    with runtime.sessions() as session:
        organisation = _organisation(session, settings, slug)
        organisation_id = organisation.id
        session.commit()
    now = clock.now()
    with runtime.database.begin() as connection:
        people = schedule_store.organisation_people(connection, organisation_id)
        schedule_store.register(connection, people, runtime.engine.calendars,
                                settings.periodic_time, now)


# -- the organisation's catalog, goals and community sessions ---------------------------------


class UnknownOrganisation(LookupError):
    """No organisation with the slug given to --organisation."""


def _organisation(session: Session, settings: Settings, slug: str) -> Organisation:
    """The organisation by slug; the default one is created (with the starter catalog)."""
    found = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if found is not None:
        return found
    if slug == DEFAULT_ORGANISATION_SLUG:
        return default_organisation(session, settings)
    raise UnknownOrganisation(f"there is no organisation {slug!r}")


def _organisation_id(runtime: Runtime, settings: Settings, slug: str) -> int:
    """The organisation's id by slug, in a transaction of its own (the default one is made
    when new), for commands that go on with Core statements."""
    with runtime.sessions() as session:
        organisation_id = _organisation(session, settings, slug).id
        session.commit()
    return organisation_id


def cmd_catalog_import(args: argparse.Namespace, settings: Settings) -> int:
    # Read and check the whole file before touching the database: all or nothing.
    try:
        entries = read_catalog_file(Path(args.file))
    except CatalogError as exc:
        return _refuse_file(exc)
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            result = import_catalog(session, organisation.id, entries)
            slug = organisation.slug
    finally:
        runtime.close()
    print(
        f"imported {result.total} competences into organisation {slug!r}: "
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def cmd_catalog_export(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    catalog_format(path)  # a wrong extension is refused before anything else happens
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            entries = catalog_entries(session, organisation.id)
            slug = organisation.slug
    finally:
        runtime.close()
    try:
        write_catalog_file(path, entries)
    except OSError as exc:
        print(f"leercoach: cannot write {path} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_FAILURE
    print(f"exported {len(entries)} competences of organisation {slug!r} to {path}")
    return 0


def cmd_goals_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            goal, team_created = goals.add_goal(
                session,
                organisation,
                level=args.level,
                title=args.title,
                description=args.description or "",
                team=args.team,
                period=args.period,
            )
            goal_id, slug = goal.id, organisation.slug
    finally:
        runtime.close()
    if team_created:
        print(f"created team {args.team.strip()!r} in organisation {slug!r}")
    print(f"added goal #{goal_id} ({args.level}) to organisation {slug!r}")
    return 0


def cmd_goals_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            rows = goals.list_goals(
                session, organisation, include_archived=args.all, team=args.team
            )
            lines = [
                "  ".join(
                    (
                        f"#{row.goal.id:<4}",
                        f"{row.goal.level:<8}",
                        f"{row.goal.period or '-':<7}",
                        f"{row.team or '(organisation)':<20}",
                        row.goal.title + ("" if row.goal.active else "  [archived]"),
                    )
                )
                for row in rows
            ]
            slug = organisation.slug
    finally:
        runtime.close()
    if not lines:
        print(f"organisation {slug!r} has no {'' if args.all else 'active '}goals")
    for line in lines:
        print(line)
    return 0


def cmd_goals_archive(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            goal = goals.archive_goal(session, organisation, args.id)
            title = goal.title
    finally:
        runtime.close()
    print(f"archived goal #{args.id}: {title}")
    return 0


def cmd_community_add(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            zone = organisation.default_timezone
            starts_at = goals.parse_starts(args.starts, zone)
            row = goals.add_session(
                session,
                organisation,
                title=args.title,
                starts_at=starts_at,
                location=args.location or "",
            )
            session_id, slug = row.id, organisation.slug
    finally:
        runtime.close()
    local = starts_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    print(f"added community session #{session_id} on {local} ({zone}) to organisation {slug!r}")
    return 0


def cmd_community_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            zone = ZoneInfo(organisation.default_timezone)
            rows = goals.list_sessions(
                session, organisation, now=clock.now(), include_past=args.all
            )
            lines = [
                "  ".join(
                    (
                        f"#{row.id:<4}",
                        row.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                        row.title + (f"  @ {row.location}" if row.location else ""),
                    )
                )
                for row in rows
            ]
            slug, zone_name = organisation.slug, organisation.default_timezone
    finally:
        runtime.close()
    if not lines:
        print(f"organisation {slug!r} has no {'' if args.all else 'upcoming '}community sessions")
        return 0
    print(f"times in {zone_name}")
    for line in lines:
        print(line)
    return 0


def _refuse_file(exc: CatalogError) -> int:
    """Every problem of a file that was not imported, by line, on stderr."""
    count = len(exc.problems)
    print(
        f"leercoach: cannot import {exc.source} ({count} problem{'s' * (count != 1)}); "
        "nothing was imported:",
        file=sys.stderr,
    )
    for problem in exc.problems[:MAX_REPORTED]:
        print(f"  {problem}", file=sys.stderr)
    if count > MAX_REPORTED:
        print(f"  … and {count - MAX_REPORTED} more", file=sys.stderr)
    return EXIT_USAGE


def cmd_checklists_import(args: argparse.Namespace, settings: Settings) -> int:
    # The whole file is read and checked before the database is touched: all or nothing.
    try:
        specs = read_checklist_file(Path(args.file))
    except ChecklistFileError as exc:
        return _refuse_file(exc)
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            result = import_checklists(session, organisation.id, specs, args.file)
            slug = organisation.slug
    except ChecklistFileError as exc:  # a name another checklist of the organisation has
        return _refuse_file(exc)
    finally:
        runtime.close()
    print(
        f"imported {result.total} checklist{'s' * (result.total != 1)} into organisation "
        f"{slug!r}: "
        f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged"
    )
    return 0


def cmd_checklists_list(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            rows = list_checklists(session, organisation.id, include_archived=args.all)
            slug = organisation.slug
    finally:
        runtime.close()
    if not rows:
        print(f"organisation {slug!r} has no {'' if args.all else 'active '}checklists")
    for row in rows:
        about = " / ".join(part for part in (row.discipline, row.task) if part)
        print("  ".join((
            f"{row.code:<20}",
            f"{row.name_nl} | {row.name_en}",
            f"({row.items} items{'; ' + about if about else ''})",
        )) + ("  [archived]" if row.archived else ""))
    return 0


def cmd_checklists_archive(args: argparse.Namespace, settings: Settings) -> int:
    runtime = _runtime(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = _organisation(session, settings, args.organisation)
            row = archive_checklist(session, organisation.id, args.code, not args.undo)
            code, name = row.code, row.name_nl
    finally:
        runtime.close()
    print(f"{'restored' if args.undo else 'archived'} checklist {code!r}: {name}")
    return 0


def _add_checklist_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    checklists = commands.add_parser(
        "checklists", help="checklists for critical tasks (YAML or CSV)"
    )
    checklist_commands = checklists.add_subparsers(dest="checklists_command",
                                                   metavar="ACTION", required=True)
    imports = checklist_commands.add_parser(
        "import", help="add or update checklists (by code) from a .yaml/.yml/.csv file"
    )
    imports.add_argument("file", metavar="FILE")
    _organisation_option(imports)
    imports.set_defaults(handler=cmd_checklists_import)
    listing = checklist_commands.add_parser("list", help="the checklists people can call up")
    listing.add_argument("--all", action="store_true", help="archived checklists too")
    _organisation_option(listing)
    listing.set_defaults(handler=cmd_checklists_list)
    archive = checklist_commands.add_parser("archive", help="stop offering a checklist")
    archive.add_argument("code", metavar="CODE")
    archive.add_argument("--undo", action="store_true", help="offer it again")
    _organisation_option(archive)
    archive.set_defaults(handler=cmd_checklists_archive)


def _organisation_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--organisation",
        default=DEFAULT_ORGANISATION_SLUG,
        metavar="SLUG",
        help=f"the organisation (default {DEFAULT_ORGANISATION_SLUG!r})",
    )


def _add_organisation_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    catalog = commands.add_parser(
        "catalog", help="the organisation's competence catalog (YAML or CSV)"
    )
    catalog_commands = catalog.add_subparsers(dest="catalog_command", metavar="ACTION",
                                              required=True)
    imports = catalog_commands.add_parser(
        "import", help="add or update competences (by code) from a .yaml/.yml/.csv file"
    )
    imports.add_argument("file", metavar="FILE")
    _organisation_option(imports)
    imports.set_defaults(handler=cmd_catalog_import)
    exports = catalog_commands.add_parser(
        "export", help="write the catalog to a .yaml/.yml/.csv file"
    )
    exports.add_argument("file", metavar="FILE")
    _organisation_option(exports)
    exports.set_defaults(handler=cmd_catalog_export)

    goal = commands.add_parser(
        "goals", help="team and organisation goals (business / team / personal)"
    )
    goal_commands = goal.add_subparsers(dest="goals_command", metavar="ACTION", required=True)
    add = goal_commands.add_parser("add", help="add an active goal")
    add.add_argument("--level", required=True, choices=goals.LEVELS,
                     help="business result, team performance or personal development")
    add.add_argument("--title", required=True, help="the goal, as people will see it")
    add.add_argument("--description", help="more about the goal")
    add.add_argument("--team", metavar="NAME",
                     help="a team's goal (the team is created when new); default: the "
                     "organisation's")
    add.add_argument("--period", help="e.g. 2026 or 2026-Q4")
    _organisation_option(add)
    add.set_defaults(handler=cmd_goals_add)
    listing = goal_commands.add_parser("list", help="the active goals")
    listing.add_argument("--all", action="store_true", help="archived goals too")
    listing.add_argument("--team", metavar="NAME", help="only this team's goals")
    _organisation_option(listing)
    listing.set_defaults(handler=cmd_goals_list)
    archive = goal_commands.add_parser("archive", help="stop offering a goal")
    archive.add_argument("id", type=int, metavar="ID", help="the goal's number (see list)")
    _organisation_option(archive)
    archive.set_defaults(handler=cmd_goals_archive)

    community = commands.add_parser("community", help="community (SOL) sessions")
    community_commands = community.add_subparsers(dest="community_command", metavar="ACTION",
                                                  required=True)
    session_add = community_commands.add_parser("add", help="plan a community session")
    session_add.add_argument("--title", required=True)
    session_add.add_argument("--starts", required=True, metavar="WHEN",
                             help="local date and time, e.g. 2026-12-10T15:00 (in the "
                             "organisation's time zone)")
    session_add.add_argument("--location", help="a room or a link")
    _organisation_option(session_add)
    session_add.set_defaults(handler=cmd_community_add)
    session_list = community_commands.add_parser("list", help="the upcoming sessions")
    session_list.add_argument("--all", action="store_true", help="past sessions too")
    _organisation_option(session_list)
    session_list.set_defaults(handler=cmd_community_list)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leercoach",
        description="Leercoach: a learning-on-the-job coach for Slack, Teams, the web and "
        "the terminal.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chat = commands.add_parser("chat", help="talk to the coach in the terminal (stdin/stdout)")
    chat.add_argument("--user", required=True, help="your user id, e.g. alice")
    chat.add_argument("--locale", choices=LOCALES, help="language: nl (default) or en")
    chat.set_defaults(handler=cmd_chat)

    serve = commands.add_parser("serve", help="run the HTTP server (health check, adapters)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=3978, help="port (default 3978)")
    serve.set_defaults(handler=cmd_serve)

    link = commands.add_parser(
        "login-link", help="a one-time link into the web pages (15 minutes): the admin's or "
        "a person's")
    who = link.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", action="store_true",
                     help="the admin: the web chat and every organisation's dashboard")
    who.add_argument("--user", help="a person's platform user id, or #<person id>")
    link.add_argument("--platform", help="only this platform (terminal, slack, teams, web)")
    link.add_argument("--tenant", help="only this workspace / tenant")
    link.set_defaults(handler=cmd_login_link)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply database migrations")
    upgrade.add_argument("revision", nargs="?", default="head", help="target (default head)")
    upgrade.set_defaults(handler=cmd_db_upgrade)

    from adapters.cli_privacy import register as register_privacy

    register_privacy(commands)

    canvas = commands.add_parser("canvas", help="open learning conversation canvases")
    canvas_commands = canvas.add_subparsers(dest="canvas_command", metavar="ACTION",
                                            required=True)
    canvas_export = canvas_commands.add_parser(
        "export", help="a person's latest canvas as a Markdown document")
    canvas_export.add_argument("--user", required=True, help="platform user id, or #<person id>")
    canvas_export.add_argument("--platform",
                               help="only this platform (terminal, slack, teams, web)")
    canvas_export.add_argument("--tenant", help="only this workspace / tenant")
    canvas_export.set_defaults(handler=cmd_canvas_export)

    serve.add_argument("--no-scheduler", action="store_true",
                       help="do not run the scheduler in this process")

    tick = commands.add_parser("tick", help="one due sweep and outbox dispatch, then exit")
    tick.add_argument("--now", type=_instant, help="the moment to act as, e.g. "
                      "2026-03-29T07:00:00Z (default: now; LEERCOACH_NOW sets that for "
                      "every command)")
    tick.set_defaults(handler=cmd_tick)

    run_scheduler = commands.add_parser("scheduler", help="run only the scheduler's ticks")
    run_scheduler.set_defaults(handler=cmd_scheduler)

    outbox = commands.add_parser("outbox", help="the outbox of proactive messages")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION",
                                            required=True)
    outbox_status = outbox_commands.add_parser(
        "status", help="counts per state, oldest pending, dead letters with reasons")
    outbox_status.set_defaults(handler=cmd_outbox_status)

    teams = commands.add_parser(
        "teams-package", help="write the Teams app package (manifest and icons, zipped)")
    teams.add_argument("--app-id", required=True, metavar="ID",
                       help="the bot's Microsoft App ID (a GUID)")
    teams.add_argument("--out", default="leercoach-teams.zip", metavar="FILE",
                       help="the zip to write (default leercoach-teams.zip)")
    teams.add_argument("--name", default="Leercoach", help="the app's name in Teams")
    teams.add_argument("--domain", default="leercoach.example.org",
                       help="host name of the coach's website (privacy and terms pages)")
    teams.add_argument("--version", default="1.0.0",
                       help="app version; raise it for every upload that changes the package")
    teams.set_defaults(handler=cmd_teams_package)

    _add_organisation_commands(commands)
    _add_checklist_commands(commands)
    _add_calendar_commands(commands)
    _add_pairing_commands(commands)
    from adapters.cli_dashboard import register as register_dashboard

    register_dashboard(commands, _organisation_option)
    return parser


def _add_pairing_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cohort = commands.add_parser("cohort", help="groups paired for the weekly peer review")
    cohort_commands = cohort.add_subparsers(dest="cohort_command", metavar="ACTION",
                                            required=True)
    add = cohort_commands.add_parser("add", help="a new cohort")
    _organisation_option(add)
    add.add_argument("name", help="e.g. Servicedesk")
    add.add_argument("--mode", choices=rounds.MODES, default=rounds.STEADY,
                     help="steady partners (default), a new one each round, or mentoring")
    add.add_argument("--weekday", choices=WEEKDAYS, default="mon", help="day rounds start")
    add.add_argument("--every", type=int, choices=(1, 2, 4), default=1, help="weeks per round")
    add.add_argument("--repair-quarterly", action="store_true",
                     help="steady mode: new partners at the start of every quarter")
    add.add_argument("--channel", type=_channel, metavar="PLATFORM:WORKSPACE:CHANNEL",
                     help="everyone in this channel, e.g. slack:T0123:C0456; joining and "
                          "leaving the channel joins and leaves the cohort")
    add.set_defaults(handler=cmd_cohort_add)
    listing = cohort_commands.add_parser("list", help="the cohorts and their next round")
    _organisation_option(listing)
    listing.set_defaults(handler=cmd_cohort_list)
    for name, text in (("join", "enrol someone (they are told how to leave)"),
                       ("leave", "take someone out")):
        member = cohort_commands.add_parser(name, help=text)
        _organisation_option(member)
        member.add_argument("cohort", help="the cohort's name")
        member.add_argument("--user", required=True, help="platform user id, or #<person id>")
        member.add_argument("--platform", help="only this platform")
        member.add_argument("--tenant", help="only this workspace / tenant")
        if name == "join":
            member.add_argument("--role", default="participant",
                                choices=("participant", "mentor", "mentee", "buddy",
                                         "newcomer"))
            member.add_argument("--capacity", type=int, default=1,
                                help="mentees a mentor takes on (default 1)")
        member.set_defaults(handler=cmd_cohort_member)
    from adapters.cli_practice import register as register_practice

    register_practice(commands, _organisation_option)
    never = commands.add_parser("never-pair", help="two people who are never paired")
    _organisation_option(never)
    never.add_argument("--user", action="append", required=True,
                       help="give it twice: the two people")
    never.add_argument("--reason", help="e.g. manager and report")
    never.add_argument("--platform", help="only this platform")
    never.add_argument("--tenant", help="only this workspace / tenant")
    never.set_defaults(handler=cmd_never_pair)
    pair = commands.add_parser("pair", help="start a cohort's next round now")
    _organisation_option(pair)
    pair.add_argument("--cohort", required=True)
    pair.add_argument("--dry-run", action="store_true", help="show the groups, store nothing")
    pair.set_defaults(handler=cmd_pair)
    pairs = commands.add_parser("pairs", help="a cohort's current groups and when they met")
    _organisation_option(pairs)
    pairs.add_argument("--cohort", required=True)
    pairs.set_defaults(handler=cmd_pairs)


def _add_calendar_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    calendar = commands.add_parser(
        "calendar", help="the organisation's public holidays, days off and quiet hours")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", metavar="ACTION",
                                                required=True)
    show = calendar_commands.add_parser("show", help="what is set now")
    _organisation_option(show)
    show.set_defaults(handler=cmd_calendar_show)
    change = calendar_commands.add_parser("set", help="holiday country and quiet hours")
    _organisation_option(change)
    change.add_argument("--holidays", help="country code for public holidays (NL, BE, …) "
                        "or none")
    change.add_argument("--quiet-hours", help="local window without nudges, e.g. "
                        "21:00-07:00, or none")
    change.set_defaults(handler=cmd_calendar_set)
    for name, text in (("add-day", "add an extra day off"),
                       ("remove-day", "remove an extra day off")):
        day = calendar_commands.add_parser(name, help=text)
        _organisation_option(day)
        day.add_argument("day", type=date.fromisoformat, help="the date, e.g. 2026-12-24")
        if name == "add-day":
            day.add_argument("--name", help="what the day is, e.g. Studiedag")
        day.set_defaults(handler=cmd_calendar_day_off)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    for argument in sys.argv[1:] if argv is None else argv:
        try:
            argument.encode()
        except UnicodeEncodeError:  # bytes that are not UTF-8, kept as lone surrogates
            print(f"leercoach: an argument is not UTF-8 text: {argument!r}", file=sys.stderr)
            return EXIT_USAGE
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        clock.configure()  # an unreadable LEERCOACH_NOW / LEERCOACH_CLOCK_OFFSET stops here
        settings = Settings.from_env()
        return int(args.handler(args, settings))
    except (
        clock.ClockSettingError,
        ConfigError,
        SchemaOutOfDate,
        PromptError,
        CatalogError,
        ChecklistError,
        goals.GoalError,
        UnknownOrganisation,
        CalendarError,
        UnknownCohort,
        UnknownPerson,
    ) as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"leercoach: cannot use the database ({reason})", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
