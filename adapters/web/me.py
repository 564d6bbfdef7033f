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
from datetime import date, datetime
from typing import Any

from aiohttp import web
from babel.dates import format_date

from adapters.web.site import (
    STATIC,
    allow,
    locale_of,
    render,
    runtime_of,
    static_url,
    viewer_required,
)
from bot.people.web_access import Viewer
from bot.reports import personal_page as personal

CHART_LIBRARY = "chart.umd.min.js"


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

    def read() -> personal.History | None:
        with runtime.database.connect() as connection:
            return personal.history(connection, person_id, locale)

    history = await asyncio.to_thread(read)
    if history is None:  # the admin's chat person was removed meanwhile
        return render(request, "me.html", viewer=viewer, history=None, pick=True)

    def day(value: date, heading: bool = False) -> str:
        shown = str(format_date(value, "EEEE d MMMM yyyy", locale=locale))
        return shown[:1].upper() + shown[1:] if heading else shown

    def month(value: date, heading: bool = False) -> str:
        shown = str(format_date(value, "LLLL yyyy", locale=locale))
        return shown[:1].upper() + shown[1:] if heading else shown

    def moment(value: datetime) -> str:
        return str(format_date(value.date(), "d MMMM yyyy", locale=locale))

    prompts = runtime.engine.prompts

    def text(key: str, **variables: Any) -> str:
        return prompts.render(f"web.{key}", locale, **variables)

    chart = chart_data(history, lambda value: str(format_date(value, "LLL yyyy",
                                                                locale=locale)), text)
    library = static_url(CHART_LIBRARY) if (STATIC / CHART_LIBRARY).is_file() else None
    return render(request, "me.html", viewer=viewer, history=history, pick=False,
                  someone_else=viewer.is_admin, chart=chart, chart_library=library,
                  day=day, month=month, moment=moment)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/me", me_page)
