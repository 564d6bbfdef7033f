"""`/admin/cohorts`: making a cohort, enrolling people or a team, pausing it, previewing or
starting its next round, its current pairs, and who is never paired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy import Connection

from adapters.web.admin_desk import (
    Desk,
    Form,
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
from adapters.web.site import (
    now_of,
    runtime_of,
)
from bot.organisation import teams
from bot.organisation.cohorts import leave as leave_cohort
from bot.people import roster
from bot.practices.pairing import programmes, rounds

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
        team_id = parse_id(team, "team") if team else None

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
    cohort_id = path_id(request, "cohort_id")
    return await show(request, desk, "admin_cohort.html", _cohort(desk, cohort_id))


@admin_page("cohorts")
async def cohort_post(request: web.Request, desk: Desk) -> web.StreamResponse:
    cohort_id = path_id(request, "cohort_id")
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


