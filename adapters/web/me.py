"""`/me`: a person's own history — diary, plans and outcomes, focus over time, contracts.

It shows exactly one person: the viewer themself, or for the embedded default's admin the
person they chose in the web chat. There is deliberately no parameter to pick someone else
(`?person=` and the like are ignored), so no link or guess can open another person's page.
The focus chart is drawn by `static/me.js` from JSON in the page; the same numbers are in a
table beneath it, so the page says everything without scripts too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from babel.dates import format_date, format_datetime

from adapters.web.site import (
    STATIC,
    allow,
    locale_of,
    now_of,
    render,
    runtime_of,
    static_url,
    viewer_required,
)
from bot.core.messages import Home
from bot.learning_record.periods import contract_quarters
from bot.people.web_access import Viewer
from bot.reports import my_overview
from bot.reports import personal_page as personal

CHART_LIBRARY = "chart.umd.min.js"
FIRST_SHOWN = 10  # timeline entries open at first; the rest fold under "show more"


@dataclass(frozen=True, slots=True)
class Glance:
    """The top of /me: the engine's overview, the current contract (`contract_quarters`) with the
    colleague's response, the next nudge, and a year of diary days."""

    home: Home | None
    contract: personal.QuarterContract | None
    nudge: my_overview.NextNudge | None
    calendar: my_overview.DiaryCalendar
    zone: ZoneInfo


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def person_of(viewer: Viewer) -> int | None:
    """Whose page the viewer sees: their own, or the admin's chosen chat person."""
    return viewer.chat_person_id if viewer.is_admin else viewer.person_id


def chart_data(history: personal.History, month: Callable[[date], str],
               text: Callable[..., str]) -> dict[str, Any]:
    """The focus chart as plain JSON: months on one axis, competences on the other, a point
    where a competence was chosen as focus and one where weekly plans worked on it."""
    months = [month(entry.month) for entry in history.focus]
    competences: dict[str, None] = {}
    chosen: list[dict[str, Any]] = []
    planned: list[dict[str, Any]] = []
    for entry, label in zip(history.focus, months, strict=True):
        for name in entry.chosen:
            competences.setdefault(name)
            chosen.append({"x": label, "y": name})
        for name, weeks in entry.planned:
            competences.setdefault(name)
            planned.append({"x": label, "y": name, "weeks": weeks})
    return {
        "months": months,
        "competences": list(competences),
        "chosen": chosen,
        "planned": planned,
        "labels": {"chosen": text("me.chart_chosen"), "planned": text("me.chart_planned"),
                   "week": text("me.chart_week"), "weeks": text("me.chart_weeks")},
    }


@allow("admin", "facilitator", "participant")
async def me_page(request: web.Request) -> web.StreamResponse:
    viewer = await viewer_required(request)
    locale = locale_of(request, viewer)
    person_id = person_of(viewer)
    if person_id is None:
        return render(request, "me.html", viewer=viewer, history=None, pick=True)
    runtime = runtime_of(request)

    now = now_of(request)

    def read() -> tuple[personal.History, Glance] | None:
        with runtime.database.connect() as connection:
            found = personal.history(connection, person_id, locale)
            if found is None:
                return None
            zone = _zone(my_overview.timezone_of(connection, person_id))
            today = now.astimezone(zone).date()
            address = my_overview.chat_address(connection, person_id)
            nudge = my_overview.next_nudge(connection, person_id, now)
            calendar = my_overview.diary_calendar(connection, person_id, today)
        contract = next((c for quarter in contract_quarters(today)
                         for c in found.contracts if c.quarter == quarter), None)
        home = runtime.engine.home(address) if address is not None else None
        return found, Glance(home, contract, nudge, calendar, zone)

    read_back = await asyncio.to_thread(read)
    if read_back is None:  # the admin's chat person was removed meanwhile
        return render(request, "me.html", viewer=viewer, history=None, pick=True)
    history, glance = read_back

    def day(value: date, heading: bool = False) -> str:
        shown = str(format_date(value, "EEEE d MMMM yyyy", locale=locale))
        return shown[:1].upper() + shown[1:] if heading else shown

    def month(value: date, heading: bool = False) -> str:
        shown = str(format_date(value, "LLLL yyyy", locale=locale))
        return shown[:1].upper() + shown[1:] if heading else shown

    def moment(value: datetime) -> str:
        return str(format_date(value.date(), "d MMMM yyyy", locale=locale))

    def when(value: datetime) -> str:
        """An instant in the person's own time zone: 'dinsdag 10 maart om 09:30'."""
        local = value.astimezone(glance.zone)
        return str(format_datetime(local, "EEEE d MMMM, HH:mm", tzinfo=glance.zone,
                                   locale=locale))

    prompts = runtime.engine.prompts

    def text(key: str, **variables: Any) -> str:
        return prompts.render(f"web.{key}", locale, **variables)

    chart = chart_data(history, lambda value: str(format_date(value, "LLL yyyy",
                                                                locale=locale)), text)
    library = static_url(CHART_LIBRARY) if (STATIC / CHART_LIBRARY).is_file() else None
    return render(request, "me.html", viewer=viewer, history=history, pick=False,
                  someone_else=viewer.is_admin, chart=chart, chart_library=library,
                  day=day, month=month, moment=moment, when=when, glance=glance,
                  short_month=lambda value: str(format_date(value, "LLL", locale=locale)),
                  short_day=lambda value: str(format_date(value, "EEEEEE", locale=locale)),
                  first_shown=FIRST_SHOWN)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/me", me_page)
