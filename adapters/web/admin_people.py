"""`/admin/people` and `/admin/teams`: the people list (role, pause, resume, a login link),
teams with their members, and a team's work sessions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from adapters.web.admin_desk import (
    Desk,
    Invalid,
    admin_page,
    change,
    done,
    form_of,
    number,
    parse_id,
    path_id,
    show,
    text,
)
from adapters.web.site import now_of, runtime_of
from bot.due.weekdays import WEEKDAYS
from bot.organisation import teams
from bot.people import roster
from bot.people import web_access as access
from bot.people.roles import ROLES
from bot.practices.web_link.hooks import login_url
from bot.practices.work_sessions import records as work_sessions

# -- /admin/people ----------------------------------------------------------------------


def _people(desk: Desk, search: str) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        return {"people": roster.people(connection, desk.organisation_id, search),
                "search": search, "roles": ROLES}
    return build


@admin_page("people.view")
async def people_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    search = request.query.get("q", "")[:roster.SEARCH_LIMIT]
    return await show(request, desk, "admin_people.html", _people(desk, search))


@admin_page("people.manage")
async def people_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    try:
        action = text(form, "action", 20)
        person = number(form, "person")
        role = text(form, "role", 20)
        now = now_of(request)

        def work(connection: Connection) -> str | None:
            if action == "role":
                roster.change_role(connection, desk.organisation_id, person, role,
                                   changed_by=desk.viewer.person_id)
            elif action == "pause":
                roster.pause(connection, desk.organisation_id, person)
            elif action == "resume":
                roster.resume(connection, desk.organisation_id, person)
            elif action == "link":
                roster.person_in(connection, desk.organisation_id, person)
                return access.issue_link(connection, person, now)
            else:
                raise Invalid("bad_input")
            return None

        token = await change(request, desk, work)
    except Invalid as problem:
        return await show(request, desk, "admin_people.html", _people(desk, ""), status=400,
                          error=problem)
    if token is None:
        return done(request, desk, action)
    link = login_url(runtime_of(request).settings.public_url, token)
    return await show(request, desk, "admin_people.html", _people(desk, ""), link=link,
                      link_for=person)


# -- /admin/teams -----------------------------------------------------------------------


def _teams(desk: Desk) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        return {"teams": teams.list_teams(connection, desk.organisation_id)}
    return build


def _team(desk: Desk, team_id: int) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        try:
            name = teams.team_of_organisation(connection, desk.organisation_id, team_id)
        except teams.TeamError:
            raise web.HTTPNotFound(text="no such team", content_type="text/plain") from None
        members = teams.members(connection, team_id)
        inside = {person for person, _ in members}
        others = [person for person in roster.people(connection, desk.organisation_id)
                  if person.id not in inside]
        series = [row for row in work_sessions.list_series(connection, desk.organisation_id)
                  if row.team == name]
        return {"team_id": team_id, "team_name": name, "members": members, "others": others,
                "series": series[0] if series else None, "cadences": work_sessions.CADENCES,
                "everyone": roster.people(connection, desk.organisation_id)}
    return build


@admin_page("teams.view")
async def teams_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_teams.html", _teams(desk))


@admin_page("teams.manage")
async def teams_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    now = now_of(request)
    try:
        name = text(form, "name", 400)
        team_id = await change(request, desk, lambda connection: teams.create_team(
            connection, desk.organisation_id, name, now))
    except Invalid as problem:
        return await show(request, desk, "admin_teams.html", _teams(desk), status=400,
                          error=problem)
    return done(request, desk, "team_added", f"/admin/teams/{team_id}")


@admin_page("teams.view")
async def team_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    team_id = path_id(request, "team_id")
    return await show(request, desk, "admin_team.html", _team(desk, team_id))


@admin_page("teams.manage")
async def team_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    team_id = path_id(request, "team_id")
    form = await form_of(request, desk)
    now = now_of(request)
    try:
        action = text(form, "action", 20)
        if action == "rename":
            name = text(form, "name", 400)
            await change(request, desk, lambda connection: teams.rename_team(
                connection, desk.organisation_id, team_id, name))
            return done(request, desk, "team_renamed")
        if action == "remove":
            if form.get("confirm") != "yes":
                raise Invalid("confirm")
            await change(request, desk, lambda connection: teams.delete_team(
                connection, desk.organisation_id, team_id))
            return done(request, desk, "team_removed", "/admin/teams")
        person = number(form, "person")
        if action not in ("add", "drop"):
            raise Invalid("bad_input")

        def members(connection: Connection) -> None:
            teams.team_of_organisation(connection, desk.organisation_id, team_id)
            roster.person_in(connection, desk.organisation_id, person)
            if action == "add":
                teams.add_member(connection, team_id, person, now)
            else:
                teams.remove_member(connection, team_id, person)

        await change(request, desk, members)
        return done(request, desk, "member_added" if action == "add" else "member_removed")
    except Invalid as problem:
        return await show(request, desk, "admin_team.html", _team(desk, team_id), status=400,
                          error=problem)


@admin_page("cohorts")
async def work_sessions_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    """Plan (or plan anew) or stop the team's work sessions (`leercoach worksession`)."""
    team_id = path_id(request, "team_id")
    form = await form_of(request, desk)
    now = now_of(request)
    try:
        action = text(form, "action", 20)
        facilitator_raw = text(form, "facilitator", 20)
        channel, weekday = text(form, "channel", 400), text(form, "weekday", 10)
        every, at, first = text(form, "every", 2), text(form, "time", 10), text(form, "first", 20)

        def work(connection: Connection) -> None:
            name = teams.team_of_organisation(connection, desk.organisation_id, team_id)
            if action == "stop":
                work_sessions.stop_series(connection, desk.organisation_id, name)
                return
            if action != "plan" or weekday not in WEEKDAYS or not every.isdigit():
                raise Invalid("bad_input")
            facilitator = parse_id(facilitator_raw, "facilitator") if facilitator_raw else None
            if facilitator is not None:
                roster.person_in(connection, desk.organisation_id, facilitator)
            try:
                first_day = date.fromisoformat(first) if first else None
            except ValueError:
                raise Invalid("day") from None
            work_sessions.save_series(
                connection, desk.organisation_id, team=name, channel=channel,
                cadence_weeks=int(every), weekday=WEEKDAYS.index(weekday),
                at=work_sessions.parse_time(at), facilitator_id=facilitator, now=now,
                first=first_day)

        try:
            await change(request, desk, work)
        except work_sessions.WorkSessionError as exc:
            raise Invalid("work_session", reason=str(exc)) from None
    except Invalid as problem:
        return await show(request, desk, "admin_team.html", _team(desk, team_id), status=400,
                          error=problem)
    return done(request, desk, "work_sessions_stopped" if action == "stop"
                else "work_sessions", f"/admin/teams/{team_id}")



