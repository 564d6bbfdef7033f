"""The pages for the people who run Leercoach, under `/admin`: people, teams, cohorts, the
calendar, goals and KPIs, and the competence catalog.

Thin on purpose: every change is a function in `bot/` that the `leercoach` command calls too
(bot.people.roster, bot.organisation.teams, bot.practices.pairing.programmes,
bot.organisation.calendar_settings, bot.organisation.goals, bot.organisation.catalog). Who
may do what is bot.people.admin_rights' one table: an admin everything in their
organisation, a facilitator what running a programme needs. Every form is a plain POST with
the session's CSRF token, checked here and in `bot/`; a refused change shows the page again
with a polite reason and status 400, a done one redirects back (303) and says so.

Here only the routes; what the pages share is adapters/web/admin_desk.py, the pages are in
admin_people.py (people, teams, work sessions), admin_cohorts.py and admin_settings.py
(calendar, goals, competences, checklists).
"""

from __future__ import annotations

from aiohttp import web

from adapters.web import admin_cohorts, admin_people, admin_settings
from adapters.web.site import allow


@allow("admin", "facilitator")
async def admin_home(request: web.Request) -> web.StreamResponse:
    """The first section the viewer may open."""
    raise web.HTTPSeeOther("/admin/people" + (f"?{request.query_string}"
                                              if request.query_string else ""))


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/admin", admin_home)
    router.add_get("/admin/people", admin_people.people_page)
    router.add_post("/admin/people", admin_people.people_post)
    router.add_get("/admin/teams", admin_people.teams_page)
    router.add_post("/admin/teams", admin_people.teams_post)
    router.add_get(r"/admin/teams/{team_id:\d+}", admin_people.team_page)
    router.add_post(r"/admin/teams/{team_id:\d+}", admin_people.team_post)
    router.add_post(r"/admin/teams/{team_id:\d+}/worksessions", admin_people.work_sessions_post)
    router.add_get("/admin/cohorts", admin_cohorts.cohorts_page)
    router.add_post("/admin/cohorts", admin_cohorts.cohorts_post)
    router.add_get(r"/admin/cohorts/{cohort_id:\d+}", admin_cohorts.cohort_page)
    router.add_post(r"/admin/cohorts/{cohort_id:\d+}", admin_cohorts.cohort_post)
    router.add_get("/admin/calendar", admin_settings.calendar_page)
    router.add_post("/admin/calendar", admin_settings.calendar_post)
    router.add_get("/admin/goals", admin_settings.goals_page)
    router.add_post("/admin/goals", admin_settings.goals_post)
    router.add_get("/admin/competences", admin_settings.competences_page)
    router.add_post("/admin/competences", admin_settings.competences_post)
    router.add_get(r"/admin/competences.{kind:(csv|yaml)}", admin_settings.competences_download)
    router.add_get("/admin/checklists", admin_settings.checklists_page)
    router.add_post("/admin/checklists", admin_settings.checklists_post)
