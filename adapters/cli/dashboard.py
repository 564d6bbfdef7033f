"""The facilitator's commands around the dashboard: `leercoach demo`, `leercoach kpi set` and
`leercoach dashboard` (the dashboard's tables in the terminal, or as CSV files).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from adapters.cli.common import (
    EXIT_USAGE,
    find_organisation,
    organisation_option,
    runtime_of,
)
from bot import clock, demo
from bot.config import Settings
from bot.core.prompts import LOCALES, PromptLibrary
from bot.organisation import goals
from bot.reports import dashboard

if TYPE_CHECKING:
    from adapters.cli.common import Commands


def add_demo_kpi_dashboard(commands: Commands) -> None:
    """Add `demo`, `kpi` and `dashboard` to the `leercoach` command."""
    make_demo = commands.add_parser(
        "demo", help="fill the database with a demo organisation (again: rebuilt in place)")
    make_demo.add_argument("--organisation", default=demo.DEMO_SLUG, metavar="SLUG",
                           help=f"the demo organisation's slug (default {demo.DEMO_SLUG!r})")
    make_demo.add_argument("--seed", type=int, default=1,
                           help="another seed makes another (equally realistic) demo")
    make_demo.set_defaults(handler=cmd_demo)

    kpi = commands.add_parser("kpi", help="team KPIs for the dashboard (a goal with a number)")
    kpi_commands = kpi.add_subparsers(dest="kpi_command", metavar="ACTION", required=True)
    kpi_set = kpi_commands.add_parser(
        "set", help="set a KPI's target and/or current value (made when new)")
    organisation_option(kpi_set)
    kpi_set.add_argument("--team", metavar="NAME",
                         help="the team (made when new); default: the organisation's own KPI")
    kpi_set.add_argument("--name", required=True, help="the KPI, as people will see it")
    kpi_set.add_argument("--target", type=float, help="the value aimed for")
    kpi_set.add_argument("--value", type=float, help="where it stands now")
    kpi_set.add_argument("--period", help="e.g. 2026 or 2026-Q4")
    kpi_set.set_defaults(handler=cmd_kpi_set)

    show = commands.add_parser(
        "dashboard", help="the facilitator dashboard's tables (aggregates only), or CSV files")
    organisation_option(show)
    show.add_argument("--team", metavar="NAME", help="only this team")
    show.add_argument("--locale", choices=LOCALES, default="nl")
    show.add_argument("--csv", metavar="DIR", type=Path,
                      help="write one CSV file per table into this folder instead")
    show.set_defaults(handler=cmd_dashboard)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        with runtime.database.begin() as connection:
            report = demo.build_demo(connection, now=clock.now(),
                                     slug=args.organisation, seed=args.seed)
    except demo.DemoError as exc:
        print(f"leercoach: {exc}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        runtime.close()
    print(f"{'rebuilt' if report.rebuilt else 'made'} demo organisation {report.slug!r} "
          f"({demo.DEMO_NAME}): {report.people} people in {report.teams} teams, "
          f"{report.diary_entries} diary entries, {report.weekly_plans} weekly plans, "
          f"{report.rounds} pairing rounds, {report.reflections} monthly reflections, "
          f"{report.contracts} learning contracts, {report.cases} intervision cases, "
          f"{report.work_sessions} work sessions, {report.goals} goals and KPIs")
    print(f"see it with: leercoach dashboard --organisation {report.slug}")
    return 0


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def cmd_kpi_set(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        with runtime.sessions.begin() as session:
            organisation = find_organisation(session, settings, args.organisation)
            result = goals.set_kpi(session, organisation, name=args.name, team=args.team,
                                   target=args.target, value=args.value, period=args.period)
            goal, slug = result.goal, organisation.slug
            line = (f"{'added' if result.created else 'updated'} KPI #{goal.id} "
                    f"{goal.title!r} ({args.team.strip() if args.team else 'organisation'}"
                    f"{', ' + goal.period if goal.period else ''}): target "
                    f"{_number(goal.target)}, value {_number(goal.value)}")
    finally:
        runtime.close()
    if result.team_created:
        print(f"created team {args.team.strip()!r} in organisation {slug!r}")
    print(line)
    return 0


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:

    runtime = runtime_of(settings)
    try:
        with runtime.sessions() as session:
            organisation = find_organisation(session, settings, args.organisation)
            organisation_id, zone = organisation.id, organisation.default_timezone
            session.commit()
        with runtime.database.connect() as connection:
            team_id = None
            if args.team:
                found = [i for i, name in dashboard.teams(connection, organisation_id)
                         if name == args.team.strip()]
                if not found:
                    print(f"leercoach: organisation {args.organisation!r} has no team "
                          f"{args.team!r}", file=sys.stderr)
                    return EXIT_USAGE
                team_id = found[0]
            today = clock.now().astimezone(ZoneInfo(zone)).date()
            tables = dashboard.all_tables(connection, organisation_id, today=today,
                                          team_id=team_id, locale=args.locale)
    finally:
        runtime.close()
    prompts = PromptLibrary.with_override(settings.prompts_dir)
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        for table in tables:
            path = args.csv / f"{table.key}.csv"
            path.write_text(dashboard.to_csv(table, args.locale, prompts), encoding="utf-8")
            print(f"wrote {path}")
        return 0
    for table in tables:
        shown = dashboard.localize(table, args.locale, prompts)
        widths = [max(len(text) for text in column)
                  for column in zip(shown.headers, *shown.rows, strict=True)]
        print(f"\n{shown.title}")
        for row in (shown.headers, *shown.rows):
            print("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True))
                  .rstrip())
    return 0
