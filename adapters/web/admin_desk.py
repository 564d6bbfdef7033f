"""What every admin page shares: who looks and what they may (the desk), reading a posted
form politely, and showing a page again with the reason a change was refused.

A handler declares the right it needs with `@admin_page(...)` (bot.people.admin_rights) and
gets the desk; a change runs in one transaction through `change`, where bot/'s refusals
become `Invalid` with the key of their polite text (`admin.error.*`).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
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
    refuse,
    render,
    runtime_of,
    viewer_required,
)
from bot.due.calendar import CalendarError
from bot.due.weekdays import WEEKDAYS
from bot.organisation import catalog, goals, teams
from bot.people import admin_rights, roster
from bot.people.admin_rights import Level, Right
from bot.people.web_access import Viewer
from bot.practices.pairing import programmes
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


def parse_id(raw: str, name: str) -> int:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        raise Invalid("bad_input")
    return int(raw)


def _organisation_asked(request: web.Request) -> int | None:
    raw = request.query.get("organisation", "").strip()
    if not raw:
        return None
    try:
        return parse_id(raw, "organisation")
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
    return parse_id(text(form, name, 20), name)


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


def path_id(request: web.Request, name: str) -> int:
    try:
        return parse_id(request.match_info[name], name)
    except Invalid:
        raise web.HTTPNotFound(text="not found", content_type="text/plain") from None



async def in_session(request: web.Request, desk: Desk,
                      work: Callable[[Session, Organisation], Any]) -> Any:
    """`work` with the ORM and the organisation, in one transaction (goals, the catalog)."""
    def run(connection: Connection) -> Any:
        with Session(connection) as session:
            organisation = session.get_one(Organisation, desk.organisation_id)
            found = work(session, organisation)
            session.flush()
            return found
    return await change(request, desk, run)



async def upload(form: Form) -> tuple[str, str, str]:
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


