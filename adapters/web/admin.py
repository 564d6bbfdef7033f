"""The pages for the people who run Leercoach, under `/admin`: people, teams, cohorts, the
calendar, goals and KPIs, and the competence catalog.

Thin on purpose: every change is a function in `bot/` that the `leercoach` command calls too
(bot.people.roster, bot.organisation.teams, bot.practices.pairing.programmes,
bot.organisation.calendar_settings, bot.organisation.goals, bot.organisation.catalog). Who
may do what is bot.people.admin_rights' one table: an admin everything in their
organisation, a facilitator what running a programme needs. Every form is a plain POST with
the session's CSRF token, checked here and in `bot/`; a refused change shows the page again
with a polite reason and status 400, a done one redirects back (303) and says so.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from babel.dates import format_datetime
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from adapters.web.dashboard import default_organisation, organisations
from adapters.web.login import posted
from adapters.web.site import (
    allow,
    check_csrf,
    locale_of,
    now_of,
    refuse,
    render,
    runtime_of,
    viewer_required,
)
from bot.due.calendar import CalendarError
from bot.due.weekdays import WEEKDAYS
from bot.organisation import calendar_settings, catalog, goals, teams
from bot.organisation.cohorts import leave as leave_cohort
from bot.people import admin_rights, roster
from bot.people import web_access as access
from bot.people.admin_rights import Level, Right
from bot.people.roles import ROLES
from bot.people.web_access import Viewer
from bot.practices.checklists import records as checklist_records
from bot.practices.pairing import programmes, rounds
from bot.practices.web_link.hooks import login_url
from bot.practices.work_sessions import records as work_sessions
from bot.runtime import Runtime
from bot.storage.models import Organisation

SECTIONS: tuple[tuple[str, Right], ...] = (
    ("people", "people.view"), ("teams", "teams.view"), ("cohorts", "cohorts"),
    ("calendar", "calendar"), ("goals", "goals"), ("competences", "competences"),
    ("checklists", "competences"))
FIELD_LIMIT = 2000  # no form field of these pages is longer
UPLOAD_LIMIT = 1024 * 1024
MAX_ID_DIGITS = 9
# What a redirect after a change may say (`?done=`); anything else is ignored.
DONE = frozenset({
    "role", "pause", "resume", "team_added", "team_renamed", "team_removed", "member_added",
    "member_removed", "cohort_added", "enrolled", "team_enrolled", "cohort_paused",
    "cohort_resumed", "round_run", "calendar", "day_added", "day_removed", "goal_added",
    "goal_archived", "kpi", "competence", "catalog_imported", "apart", "meet",
    "community", "work_sessions", "work_sessions_stopped", "checklists_imported",
    "checklist_archived", "checklist_restored"})


class Refused(Exception):
    """The viewer may not do this (403)."""


class Invalid(Exception):
    """A form that cannot be used as sent; `key` names the polite text (admin.error.*)."""

    def __init__(self, key: str, **variables: Any) -> None:
        super().__init__(key)
        self.key = key
        self.variables = variables


@dataclass(frozen=True, slots=True)
class Desk:
    """What every admin page knows: who looks, what they may, which organisation."""

    viewer: Viewer
    level: Level
    rights: frozenset[Right]
    organisation_id: int
    organisation_name: str
    timezone: str
    locale: str
    say: Callable[..., str]
    choices: list[tuple[int, str]] = field(default_factory=list)  # the embedded admin's

    def may(self, right: str) -> bool:
        return right in self.rights

    @property
    def query(self) -> str:
        """What keeps the embedded admin in the organisation they chose, on every link."""
        return f"?organisation={self.organisation_id}" if self.viewer.person_id is None else ""

    @property
    def sections(self) -> list[str]:
        return [name for name, right in SECTIONS if right in self.rights]

    def moment(self, value: Any) -> str:
        if value is None:
            return "–"
        return str(format_datetime(value.astimezone(ZoneInfo(self.timezone)),
                                   "d MMM yyyy HH:mm", locale=self.locale))


Page = Callable[[web.Request, Desk], Awaitable[web.StreamResponse]]


def _id(raw: str, name: str) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        raise Invalid("bad_input")
    return int(raw)


def _organisation_asked(request: web.Request) -> int | None:
    raw = request.query.get("organisation", "").strip()
    if not raw:
        return None
    try:
        return _id(raw, "organisation")
    except Invalid:
        raise web.HTTPBadRequest(text="organisation must be a number",
                                 content_type="text/plain") from None


def _desk(runtime: Runtime, viewer: Viewer, right: Right, asked: int | None,
          locale: str) -> Desk | None:
    """The desk, or None when there is no organisation to run yet; Refused without the
    right, or for another organisation than the viewer's own."""
    prompts = runtime.engine.prompts

    def say(key: str, **variables: Any) -> str:
        return prompts.render(f"admin.{key}", locale, **variables)

    with runtime.database.connect() as connection:
        level = admin_rights.level_of(connection, viewer)
        rights = admin_rights.rights_of(level)
        if level is None or right not in rights:
            raise Refused
        choices: list[tuple[int, str]] = []
        if viewer.person_id is None:
            choices = organisations(connection)
            organisation_id = asked if asked is not None else default_organisation(connection)
            if organisation_id is None and choices:
                organisation_id = choices[0][0]
        else:
            if asked is not None and asked != viewer.organisation_id:
                raise Refused
            organisation_id = viewer.organisation_id
        if organisation_id is None:
            return None
        found = connection.execute(
            select(Organisation.name, Organisation.default_timezone)
            .where(Organisation.id == organisation_id)).first()
        if found is None:
            raise web.HTTPNotFound(text="no such organisation", content_type="text/plain")
        return Desk(viewer, level, rights, organisation_id, found.name, found.default_timezone,
                    locale, say, choices)


def admin_page(right: Right) -> Callable[[Page], Callable[[web.Request],
                                                           Awaitable[web.StreamResponse]]]:
    """Only who holds `right` (admin_rights) opens the page; the handler gets the desk."""

    def decorate(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        @allow("admin", "facilitator")
        @wraps(handler)
        async def guarded(request: web.Request) -> web.StreamResponse:
            viewer = await viewer_required(request)
            runtime = runtime_of(request)
            asked = _organisation_asked(request)
            locale = locale_of(request, viewer)
            try:
                desk = await asyncio.to_thread(_desk, runtime, viewer, right, asked, locale)
            except Refused:
                return refuse(request, viewer, 403)
            if desk is None:
                return render(request, "admin_empty.html", viewer=viewer, desk=None,
                              a=lambda key, **v: runtime.engine.prompts.render(
                                  f"admin.{key}", locale, **v))
            return await handler(request, desk)

        return guarded

    return decorate


# -- forms -------------------------------------------------------------------------------


Form = Mapping[str, Any]


def text(form: Form, name: str, limit: int = FIELD_LIMIT) -> str:
    value = form.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise Invalid("bad_input")
    return value.strip()


def number(form: Form, name: str) -> int:
    return _id(text(form, name, 20), name)


def decimal(form: Form, name: str) -> float | None:
    """A number as people type it ('1.234,5' in Dutch too); empty: not given."""
    raw = text(form, name, 40).replace(" ", "")
    if not raw:
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise Invalid("number") from None
    if not math.isfinite(value):
        raise Invalid("number")
    return value


async def form_of(request: web.Request, desk: Desk) -> Form:
    """The posted form, once its CSRF token is right."""
    form = await posted(request)
    await check_csrf(request, desk.viewer, form)
    return form


def done(request: web.Request, desk: Desk, what: str, to: str | None = None
         ) -> web.StreamResponse:
    """Back to the page (or `to`) after a change, saying what was done."""
    target = to or request.path
    joiner = "&" if desk.query else "?"
    raise web.HTTPSeeOther(f"{target}{desk.query}{joiner}done={what}")


async def show(request: web.Request, desk: Desk, template: str,
               build: Callable[[Connection], dict[str, Any]], *, status: int = 200,
               error: Invalid | None = None, **extra: Any) -> web.StreamResponse:
    """An admin page: its context read in one connection, the notice of a change just
    done, or the polite reason a change was refused."""
    runtime = runtime_of(request)

    def read() -> dict[str, Any]:
        with runtime.database.connect() as connection:
            return build(connection)

    context = await asyncio.to_thread(read)
    asked = request.query.get("done", "")
    notice = desk.say(f"done.{asked}") if asked in DONE and error is None else None
    problem = desk.say(f"error.{error.key}", **error.variables) if error else None
    return render(request, template, status=status, viewer=desk.viewer, desk=desk, a=desk.say,
                  notice=notice, error=problem, weekdays=WEEKDAYS, **context, **extra)


async def change(request: web.Request, desk: Desk, work: Callable[[Connection], Any]) -> Any:
    """Run `work` in one transaction; bot/'s refusals become Invalid with their reason."""
    runtime = runtime_of(request)

    def run() -> Any:
        with runtime.database.begin() as connection:
            return work(connection)

    try:
        return await asyncio.to_thread(run)
    except (teams.TeamError, roster.RosterError, programmes.CohortError) as exc:
        raise Invalid(exc.reason) from None
    except CalendarError as exc:
        raise Invalid("calendar", reason=str(exc)) from None
    except goals.GoalError as exc:
        raise Invalid("goal", reason=str(exc)) from None
    except catalog.CatalogError as exc:
        raise Invalid("catalog", reason="; ".join(exc.problems[:5])) from None


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
    team_id = _path_id(request, "team_id")
    return await show(request, desk, "admin_team.html", _team(desk, team_id))


@admin_page("teams.manage")
async def team_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    team_id = _path_id(request, "team_id")
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
    team_id = _path_id(request, "team_id")
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
            facilitator = _id(facilitator_raw, "facilitator") if facilitator_raw else None
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


def _path_id(request: web.Request, name: str) -> int:
    try:
        return _id(request.match_info[name], name)
    except Invalid:
        raise web.HTTPNotFound(text="not found", content_type="text/plain") from None


# -- /admin/cohorts ---------------------------------------------------------------------


MODES = rounds.MODES


def _cohorts(desk: Desk) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        return {"cohorts": programmes.list_cohorts(connection, desk.organisation_id),
                "modes": MODES, "cadences": programmes.CADENCES,
                "teams": teams.list_teams(connection, desk.organisation_id),
                "people": roster.people(connection, desk.organisation_id),
                "apart": programmes.kept_apart(connection, desk.organisation_id)}
    return build


def _cohort(desk: Desk, cohort_id: int) -> Callable[[Connection], dict[str, Any]]:
    def build(connection: Connection) -> dict[str, Any]:
        try:
            cohort = programmes.cohort_in(connection, desk.organisation_id, cohort_id)
        except programmes.CohortError:
            raise web.HTTPNotFound(text="no such cohort", content_type="text/plain") from None
        members = programmes.members_of(connection, cohort_id)
        inside = {person for person, _, _ in members}
        return {"cohort": cohort, "members": members,
                "current": rounds.current_pairs(connection, cohort_id),
                "others": [person for person in roster.people(connection, desk.organisation_id)
                           if person.id not in inside],
                "teams": teams.list_teams(connection, desk.organisation_id),
                "member_roles": programmes.MEMBER_ROLES}
    return build


@admin_page("cohorts")
async def cohorts_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    return await show(request, desk, "admin_cohorts.html", _cohorts(desk))


@admin_page("cohorts")
async def cohorts_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    form = await form_of(request, desk)
    now = now_of(request)
    periodic_time = runtime_of(request).settings.periodic_time
    try:
        if text(form, "action", 20) in ("apart", "meet"):
            return await _apart(request, desk, form)
        name = text(form, "name", 400)
        mode = text(form, "mode", 20)
        weekday = text(form, "weekday", 10)
        every = text(form, "every", 2)
        if not every.isdigit():
            raise Invalid("bad_input")
        channel = text(form, "channel", 400) or None
        team = text(form, "team", 20)
        team_id = _id(team, "team") if team else None

        def create(connection: Connection) -> int:
            if team_id is not None:
                teams.team_of_organisation(connection, desk.organisation_id, team_id)
            cohort = programmes.create_cohort(
                connection, desk.organisation_id, name=name, mode=mode, weekday=weekday,
                every=int(every), repair_quarterly=form.get("repair_quarterly") == "yes",
                channel=channel, now=now, periodic_time=periodic_time)
            if team_id is not None:
                programmes.enrol_team(connection, cohort.id, team_id, now)
            return cohort.id

        cohort_id = await change(request, desk, create)
    except Invalid as problem:
        return await show(request, desk, "admin_cohorts.html", _cohorts(desk), status=400,
                          error=problem)
    return done(request, desk, "cohort_added", f"/admin/cohorts/{cohort_id}")


async def _apart(request: web.Request, desk: Desk, form: Form) -> web.StreamResponse:
    """Keep two people from ever being paired (`leercoach never-pair`), or undo it."""
    apart = text(form, "action", 20) == "apart"
    first, second = number(form, "first"), number(form, "second")
    reason = text(form, "reason", 400)

    def work(connection: Connection) -> None:
        for someone in (first, second):
            roster.person_in(connection, desk.organisation_id, someone)
        if apart:
            programmes.keep_apart(connection, desk.organisation_id, first, second, reason)
        else:
            programmes.let_meet(connection, desk.organisation_id, first, second)

    await change(request, desk, work)
    return done(request, desk, "apart" if apart else "meet")


@admin_page("cohorts")
async def cohort_page(request: web.Request, desk: Desk) -> web.StreamResponse:
    cohort_id = _path_id(request, "cohort_id")
    return await show(request, desk, "admin_cohort.html", _cohort(desk, cohort_id))


@admin_page("cohorts")
async def cohort_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    cohort_id = _path_id(request, "cohort_id")
    form = await form_of(request, desk)
    now = now_of(request)
    periodic_time = runtime_of(request).settings.periodic_time
    try:
        action = text(form, "action", 20)

        def work(connection: Connection) -> Any:
            programmes.cohort_in(connection, desk.organisation_id, cohort_id)
            if action == "enrol":
                person = number(form, "person")
                roster.person_in(connection, desk.organisation_id, person)
                return programmes.enrol(connection, cohort_id, person, now,
                                        text(form, "role", 20) or "participant")
            if action == "enrol_team":
                team_id = number(form, "team")
                teams.team_of_organisation(connection, desk.organisation_id, team_id)
                return programmes.enrol_team(connection, cohort_id, team_id, now)
            if action == "leave":
                person = number(form, "person")
                roster.person_in(connection, desk.organisation_id, person)
                return leave_cohort(connection, cohort_id, person, now)
            if action == "pause":
                return programmes.pause_cohort(connection, cohort_id)
            if action == "resume":
                return programmes.resume_cohort(connection, desk.organisation_id, cohort_id,
                                                now, periodic_time)
            if action in ("preview", "run"):
                result = programmes.start_round(connection, cohort_id, now, periodic_time,
                                                dry_run=action == "preview")
                ids = [p for group in result.groups for p in group] + result.alone
                return result, rounds.names_of(connection, ids)
            raise Invalid("bad_input")

        result = await change(request, desk, work)
    except Invalid as problem:
        return await show(request, desk, "admin_cohort.html", _cohort(desk, cohort_id),
                          status=400, error=problem)
    if action in ("preview", "run"):
        found, names = result
        return await show(request, desk, "admin_cohort.html", _cohort(desk, cohort_id),
                          outcome=found, names=names, dry_run=action == "preview")
    what = {"enrol": "enrolled", "enrol_team": "team_enrolled", "leave": "member_removed",
            "pause": "cohort_paused", "resume": "cohort_resumed"}[action]
    return done(request, desk, what)


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


async def _in_session(request: web.Request, desk: Desk,
                      work: Callable[[Session, Organisation], Any]) -> Any:
    """`work` with the ORM and the organisation, in one transaction (goals, the catalog)."""
    def run(connection: Connection) -> Any:
        with Session(connection) as session:
            organisation = session.get_one(Organisation, desk.organisation_id)
            found = work(session, organisation)
            session.flush()
            return found
    return await change(request, desk, run)


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
            await _in_session(request, desk, lambda session, organisation: goals.add_goal(
                session, organisation, level=level, title=title, description=description,
                team=team_name, period=period))
            what = "goal_added"
        elif action == "kpi":
            name, period = text(form, "title", 400), text(form, "period", 20)
            target, value = decimal(form, "target"), decimal(form, "value")
            if not name:
                raise Invalid("goal", reason=desk.say("error.kpi_name"))
            await _in_session(request, desk, lambda session, organisation: goals.set_kpi(
                session, organisation, name=name, team=team_name, target=target, value=value,
                period=period))
            what = "kpi"
        elif action == "community":
            title, location = text(form, "title", 400), text(form, "location", 600)
            starts = text(form, "starts", 40)
            await _in_session(request, desk, lambda session, organisation: goals.add_session(
                session, organisation, title=title, location=location,
                starts_at=goals.parse_starts(starts, organisation.default_timezone)))
            what = "community"
        elif action == "archive":
            goal_id = number(form, "goal")
            await _in_session(request, desk, lambda session, organisation: goals.archive_goal(
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
            content, kind, name = await _upload(form)
            entries = catalog.parse_catalog_text(content, kind, name)
            what = "catalog_imported"
        else:
            raise Invalid("bad_input")
        await _in_session(request, desk, lambda session, organisation: catalog.import_catalog(
            session, organisation.id, entries))
    except catalog.CatalogError as exc:
        problem = Invalid("catalog", reason="; ".join(exc.problems[:5]))
        return await show(request, desk, "admin_competences.html", _competences(desk),
                          status=400, error=problem)
    except Invalid as problem:
        return await show(request, desk, "admin_competences.html", _competences(desk),
                          status=400, error=problem)
    return done(request, desk, what)


async def _upload(form: Form) -> tuple[str, str, str]:
    """An uploaded YAML or CSV file: its text, kind and name; at most 1 MB of UTF-8."""
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise Invalid("file")
    body = upload.file.read(UPLOAD_LIMIT + 1)
    if len(body) > UPLOAD_LIMIT:
        raise Invalid("file")
    try:
        content = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("file") from None
    name = upload.filename or "upload"
    return content, "csv" if name.lower().endswith(".csv") else "yaml", name


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
            content, kind, name = await _upload(form)
            specs = checklist_records.parse_checklist_text(content, kind, name)
            await _in_session(request, desk, lambda session, _: checklist_records.
                              import_checklists(session, desk.organisation_id, specs, name))
            what = "checklists_imported"
        elif action in ("archive", "restore"):
            code = text(form, "code", 100)
            await _in_session(request, desk, lambda session, _: checklist_records.
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


# -- routes -----------------------------------------------------------------------------


@allow("admin", "facilitator")
async def admin_home(request: web.Request) -> web.StreamResponse:
    """The first section the viewer may open."""
    raise web.HTTPSeeOther("/admin/people" + (f"?{request.query_string}"
                                              if request.query_string else ""))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/admin", admin_home)
    router.add_get("/admin/people", people_page)
    router.add_post("/admin/people", people_post)
    router.add_get("/admin/teams", teams_page)
    router.add_post("/admin/teams", teams_post)
    router.add_get(r"/admin/teams/{team_id:\d+}", team_page)
    router.add_post(r"/admin/teams/{team_id:\d+}", team_post)
    router.add_post(r"/admin/teams/{team_id:\d+}/worksessions", work_sessions_post)
    router.add_get("/admin/cohorts", cohorts_page)
    router.add_post("/admin/cohorts", cohorts_post)
    router.add_get(r"/admin/cohorts/{cohort_id:\d+}", cohort_page)
    router.add_post(r"/admin/cohorts/{cohort_id:\d+}", cohort_post)
    router.add_get("/admin/calendar", calendar_page)
    router.add_post("/admin/calendar", calendar_post)
    router.add_get("/admin/goals", goals_page)
    router.add_post("/admin/goals", goals_post)
    router.add_get("/admin/competences", competences_page)
    router.add_post("/admin/competences", competences_post)
    router.add_get(r"/admin/competences.{kind:(csv|yaml)}", competences_download)
    router.add_get("/admin/checklists", checklists_page)
    router.add_post("/admin/checklists", checklists_post)
