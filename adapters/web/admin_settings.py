"""What an organisation keeps: `/admin/calendar` (holidays, quiet hours, days off),
`/admin/goals` (goals, KPIs, community sessions), `/admin/competences` and
`/admin/checklists`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from adapters.web.admin_desk import (
    Desk,
    Invalid,
    admin_page,
    change,
    decimal,
    done,
    form_of,
    in_session,
    number,
    show,
    text,
    upload,
)
from adapters.web.site import (
    now_of,
    runtime_of,
)
from bot.due.calendar import CalendarError, check_country, parse_quiet_hours
from bot.organisation import calendar_settings, catalog, goals, teams
from bot.organisation.calendar_settings import NONE_WORDS
from bot.practices.checklists import records as checklist_records
from bot.runtime import Runtime
from bot.storage.models import Organisation


def checked(check: Callable[[str], object], value: str, key: str, *, skip: bool = False
            ) -> None:
    """One field checked by bot/'s own check before the change, so its refusal can be said
    in the viewer's language (admin.error.<key>) rather than in the command's words."""
    if skip:
        return
    try:
        check(value)
    except (CalendarError, goals.GoalError):
        raise Invalid(key) from None


# -- /admin/calendar --------------------------------------------------------------------


def _calendar(desk: Desk) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        return {"calendar": calendar_settings.calendar_of(connection, desk.organisation_id)}
    return build


@admin_page("calendar")
async def calendar_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_calendar.html", _calendar(desk))


@admin_page("calendar")
async def calendar_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    runtime = runtime_of(request)
    now = now_of(request)
    try:
        action = text(form, "action", 20)
        if action == "settings":
            holidays, quiet = text(form, "holidays", 20), text(form, "quiet_hours", 40)
            checked(check_country, holidays, "holidays", skip=holidays.lower() in NONE_WORDS)
            checked(parse_quiet_hours, quiet, "quiet_hours")

            def apply(connection: Connection) -> None:
                calendar_settings.set_calendar(connection, desk.organisation_id,
                                               holidays=holidays, quiet_hours=quiet)
        elif action in ("add_day", "remove_day"):
            try:
                day = date.fromisoformat(text(form, "day", 20))
            except ValueError:
                raise Invalid("day") from None
            name = text(form, "name", 400)

            def apply(connection: Connection) -> None:
                if action == "add_day":
                    calendar_settings.add_day_off(connection, desk.organisation_id, day, name)
                else:
                    calendar_settings.remove_day_off(connection, desk.organisation_id, day)
        else:
            raise Invalid("bad_input")

        def work(connection: Connection) -> None:
            apply(connection)
            calendar_settings.reschedule(connection, desk.organisation_id,
                                         runtime.engine.calendars,
                                         runtime.settings.periodic_time, now)

        await change(request, desk, work)
    except Invalid as problem:
        return await show(request, desk, "admin_calendar.html", _calendar(desk), status=400,
                          error=problem)
    return done(request, desk, {"settings": "calendar", "add_day": "day_added",
                                "remove_day": "day_removed"}[action])


# -- /admin/goals -----------------------------------------------------------------------


def _goals(desk: Desk, runtime: Runtime) -> Callable[[Connection], dict[str, Any]]:
    now = runtime.engine.clock()

    def build(connection: Connection) -> dict[str, Any]:
        with Session(connection) as session:
            organisation = session.get_one(Organisation, desk.organisation_id)
            rows = goals.list_goals(session, organisation, include_archived=True)
            found = [(row.goal.id, row.goal.level, row.goal.title, row.goal.period, row.team,
                      row.goal.active, row.goal.target, row.goal.value) for row in rows]
            sessions = [(row.id, row.title, row.starts_at, row.location) for row in
                        goals.list_sessions(session, organisation, now=now)]
        return {"goals": found, "levels": goals.LEVELS, "sessions": sessions,
                "teams": teams.list_teams(connection, desk.organisation_id)}
    return build


@admin_page("goals")
async def goals_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_goals.html", _goals(desk, runtime_of(request)))


@admin_page("goals")
async def goals_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    runtime = runtime_of(request)
    try:
        action = text(form, "action", 20)
        team_name = None
        if action in ("add", "kpi") and text(form, "team", 20):
            team_id = number(form, "team")

            def team_named(connection: Connection) -> str:
                return teams.team_of_organisation(connection, desk.organisation_id, team_id)

            team_name = await change(request, desk, team_named)
        if action == "add":
            level, title = text(form, "level", 20), text(form, "title", 400)
            description, period = text(form, "description"), text(form, "period", 20)
            checked(goals.normalise_period, period, "period")
            await in_session(request, desk, lambda session, organisation: goals.add_goal(
                session, organisation, level=level, title=title, description=description,
                team=team_name, period=period))
            what = "goal_added"
        elif action == "kpi":
            name, period = text(form, "title", 400), text(form, "period", 20)
            checked(goals.normalise_period, period, "period")
            target, value = decimal(form, "target"), decimal(form, "value")
            if not name:
                raise Invalid("goal", reason=desk.say("error.kpi_name"))
            await in_session(request, desk, lambda session, organisation: goals.set_kpi(
                session, organisation, name=name, team=team_name, target=target, value=value,
                period=period))
            what = "kpi"
        elif action == "community":
            title, location = text(form, "title", 400), text(form, "location", 600)
            starts = text(form, "starts", 40)
            checked(lambda value: goals.parse_starts(value, desk.timezone), starts, "starts")
            await in_session(request, desk, lambda session, organisation: goals.add_session(
                session, organisation, title=title, location=location,
                starts_at=goals.parse_starts(starts, organisation.default_timezone)))
            what = "community"
        elif action == "archive":
            goal_id = number(form, "goal")
            await in_session(request, desk, lambda session, organisation: goals.archive_goal(
                session, organisation, goal_id))
            what = "goal_archived"
        else:
            raise Invalid("bad_input")
    except Invalid as problem:
        return await show(request, desk, "admin_goals.html", _goals(desk, runtime),
                          status=400, error=problem)
    return done(request, desk, what)


# -- /admin/competences -----------------------------------------------------------------


def _competences(desk: Desk) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        with Session(connection) as session:
            return {"competences": catalog.catalog_entries(session, desk.organisation_id)}
    return build


@admin_page("competences")
async def competences_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_competences.html", _competences(desk))


@admin_page("competences")
async def competences_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    try:
        action = text(form, "action", 20)
        if action == "save":
            values = {name: text(form, name) for name in catalog.FIELDS}
            entries = [catalog.one_entry(values) if values["code"] else _missing_code()]
            what = "competence"
        elif action == "import":
            content, kind, name = await upload(form)
            entries = catalog.parse_catalog_text(content, kind, name)
            what = "catalog_imported"
        else:
            raise Invalid("bad_input")
        await in_session(request, desk, lambda session, organisation: catalog.import_catalog(
            session, organisation.id, entries))
    except catalog.CatalogError as exc:
        problem = Invalid("catalog", reason="; ".join(exc.problems[:5]))
        return await show(request, desk, "admin_competences.html", _competences(desk),
                          status=400, error=problem)
    except Invalid as problem:
        return await show(request, desk, "admin_competences.html", _competences(desk),
                          status=400, error=problem)
    return done(request, desk, what)


def _missing_code() -> dict[str, str]:
    raise Invalid("code")


@admin_page("competences")
async def competences_download(request: web.Request, desk: Desk) -> web.StreamResponse:
    """The catalog as `leercoach catalog export` writes it, to edit and upload again."""
    kind = request.match_info["kind"]
    runtime = runtime_of(request)

    def read() -> str:
        with runtime.database.connect() as connection, Session(connection) as session:
            return catalog.catalog_text(catalog.catalog_entries(session, desk.organisation_id),
                                        kind)

    body = await asyncio.to_thread(read)
    return web.Response(text=body, content_type="text/csv" if kind == "csv"
                        else "application/yaml", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="competences.{kind}"',
        "Cache-Control": "no-store"})


# -- /admin/checklists ------------------------------------------------------------------


def _checklists(desk: Desk) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        with Session(connection) as session:
            return {"checklists": checklist_records.list_checklists(
                session, desk.organisation_id, include_archived=True)}
    return build


@admin_page("competences")
async def checklists_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_checklists.html", _checklists(desk))


@admin_page("competences")
async def checklists_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    """Import checklists from a file, or stop / start offering one (`leercoach checklists`)."""
    form = await form_of(request, desk)
    try:
        action = text(form, "action", 20)
        if action == "import":
            content, kind, name = await upload(form)
            specs = checklist_records.parse_checklist_text(content, kind, name)
            await in_session(request, desk, lambda session, _: checklist_records.
                              import_checklists(session, desk.organisation_id, specs, name))
            what = "checklists_imported"
        elif action in ("archive", "restore"):
            code = text(form, "code", 100)
            await in_session(request, desk, lambda session, _: checklist_records.
                              archive_checklist(session, desk.organisation_id, code,
                                                action == "archive"))
            what = "checklist_archived" if action == "archive" else "checklist_restored"
        else:
            raise Invalid("bad_input")
    except checklist_records.ChecklistFileError as exc:
        problem = Invalid("catalog", reason="; ".join(exc.problems[:5]))
        return await show(request, desk, "admin_checklists.html", _checklists(desk),
                          status=400, error=problem)
    except checklist_records.ChecklistError:
        return await show(request, desk, "admin_checklists.html", _checklists(desk),
                          status=400, error=Invalid("unknown"))
    except Invalid as problem:
        return await show(request, desk, "admin_checklists.html", _checklists(desk),
                          status=400, error=problem)
    return done(request, desk, what)


