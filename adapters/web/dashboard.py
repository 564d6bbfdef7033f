"""The facilitators' dashboard `/dashboard`: bot/reports/dashboard.py's tables as charts, tables and
CSV downloads, and the viewer's own open learning conversation canvases.

The numbers leave the database only through `bot.reports.dashboard`, which applies the privacy rules
(aggregates of at least five people, never free text); this page adds nothing to them. The
one exception to "no free text" is the viewer's *own* canvas: what they told the coach
themselves, never anyone else's (another's export is a 404, as if it did not exist).

Charts are drawn in the browser by static/dashboard.js with the vendored Chart.js; the page
hands it plain numbers as JSON (`chart_of`), a suppressed number as null, so a chart shows a
gap where the table says "te weinig deelnemers". A facilitator sees their own organisation
only (asking for another is a 403, so a shared link never silently shows something else); the
admin of the embedded default chooses any organisation.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiohttp import web
from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import Connection, exists, select
from sqlalchemy.orm import Session

from adapters.web.site import (
    allow,
    locale_of,
    now_of,
    refuse,
    render,
    runtime_of,
    viewer_required,
)
from bot import demo
from bot.core.prompts import LOCALES, PromptLibrary
from bot.people.web_access import Viewer
from bot.practices.learning_conversation.hooks import canvas_markdown
from bot.reports import at_a_glance, dashboard
from bot.reports.dashboard import Cell, Kind, Suppressed, Table, Term
from bot.runtime import Runtime
from bot.storage.models import LearningCanvas, Organisation, Person, table_of

PLAIN_CSV = "csv-plain"
TABLE_KEYS = ("diary_response", "streaks", "peer_reviews", "focus", "contracts", "practice",
              "goals")

_organisations = table_of(Organisation)
_people = table_of(Person)


# -- who sees which organisation -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """The organisation (and team) a request looks at, once the viewer may see it."""

    organisation_id: int
    organisation_name: str
    slug: str
    timezone: str
    team_id: int | None


MAX_ID_DIGITS = 9  # ids are 32-bit integers in PostgreSQL; a longer one exists nowhere


def _int_param(request: web.Request, name: str) -> int | None:
    """An id from the query string; empty means not given, anything but digits is a 400."""
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise web.HTTPBadRequest(text=f"{name} must be a number", content_type="text/plain")
    if len(raw) > MAX_ID_DIGITS:
        raise web.HTTPNotFound(text=f"no such {name}", content_type="text/plain")
    return int(raw)


def default_organisation(connection: Connection) -> int | None:
    """The admin's first view: the demo organisation if there is one (made to be looked
    at), else the first organisation with people, else none."""
    ids = list(connection.execute(
        select(_organisations.c.id).order_by(_organisations.c.id)).scalars())
    for organisation_id in ids:
        if demo.is_demo(connection, organisation_id):
            return int(organisation_id)
    for organisation_id in ids:
        if connection.execute(select(exists().where(
                _people.c.organisation_id == organisation_id))).scalar():
            return int(organisation_id)
    return None


def organisations(connection: Connection) -> list[tuple[int, str]]:
    """Every organisation (id, name) by name: the admin's choice."""
    return [(row.id, row.name) for row in connection.execute(
        select(_organisations.c.id, _organisations.c.name)
        .order_by(_organisations.c.name, _organisations.c.id))]


def resolve_scope(connection: Connection, viewer: Viewer, asked_organisation: int | None,
                  asked_team: int | None) -> Scope | None:
    """The scope the viewer may see: None when there is no organisation to show yet.

    Raises 403 for a facilitator asking for another organisation and 404 for an
    organisation or team that does not exist (or is not that organisation's).
    """
    if viewer.is_admin:
        organisation_id = (asked_organisation if asked_organisation is not None
                           else default_organisation(connection))
        if organisation_id is None:
            return None
    else:
        if viewer.organisation_id is None:
            return None
        if asked_organisation is not None and asked_organisation != viewer.organisation_id:
            raise web.HTTPForbidden(text="not your organisation", content_type="text/plain")
        organisation_id = viewer.organisation_id
    row = connection.execute(
        select(_organisations.c.name, _organisations.c.slug, _organisations.c.default_timezone)
        .where(_organisations.c.id == organisation_id)).first()
    if row is None:
        raise web.HTTPNotFound(text="no such organisation", content_type="text/plain")
    if asked_team is not None and asked_team not in dict(
            dashboard.teams(connection, organisation_id)):
        raise web.HTTPNotFound(text="no such team", content_type="text/plain")
    return Scope(organisation_id, row.name, row.slug, row.default_timezone, asked_team)


def today_of(scope: Scope, request: web.Request) -> date:
    """Today where the organisation is: weeks and months turn at its midnight."""
    try:
        zone = ZoneInfo(scope.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Amsterdam")
    return now_of(request).astimezone(zone).date()


def prompts_of(runtime: Runtime, session: Session, organisation_id: int) -> PromptLibrary:
    """The organisation's texts (its own folder over ours), as the coach speaks to it."""
    services = runtime.engine.services
    return services.prompts_for(services.organisation(lambda: session, organisation_id))


# -- what the charts get ---------------------------------------------------------------


def _number(cell: Cell, percent: bool = False) -> float | None:
    """A cell as a chart value: a suppressed or empty cell is a gap (null)."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return None
    return round(cell * 100, 1) if percent else cell


@dataclass(slots=True)
class Dataset:
    label: str
    data: list[float | None]
    type: Literal["line", "bar"] | None = None
    axis: Literal["y", "y2"] = "y"
    tooltips: list[str] | None = None
    emphasis: bool = False  # the whole organisation, drawn bolder than its teams
    hidden: list[bool] | None = None  # per value: hidden for privacy (not zero, not empty)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"label": self.label, "data": self.data, "axis": self.axis,
                                 "emphasis": self.emphasis,
                                 "hidden": self.hidden or [False] * len(self.data)}
        if self.type:
            found["type"] = self.type
        if self.tooltips is not None:
            found["tooltips"] = self.tooltips
        return found


@dataclass(slots=True)
class Chart:
    """A chart as dashboard.js draws it: Chart.js's shape, without any code."""

    key: str
    type: Literal["line", "bar"]
    labels: list[str]
    datasets: list[Dataset]
    axis: str
    percent: bool = False
    horizontal: bool = False
    stacked: bool = False
    axis2: str | None = None  # a second value axis, always a percentage
    beyond: bool = False  # a percentage that may pass 100 (a KPI above its target)
    hidden_label: str = ""  # what a hidden value is called on the chart

    @property
    def has_hidden(self) -> bool:
        return any(any(dataset.hidden or ()) for dataset in self.datasets)

    @property
    def hatches(self) -> bool:
        """Whether dashboard.js hatches hidden values here: on bars and a lone line; among
        several lines the legend names what is hidden instead."""
        return self.has_hidden and not (self.type == "line" and len(self.datasets) > 1)

    def as_json(self) -> dict[str, Any]:
        return {
            "hidden_label": self.hidden_label, "has_hidden": self.has_hidden,
            "key": self.key, "type": self.type, "labels": self.labels,
            "datasets": [dataset.as_json() for dataset in self.datasets],
            "axis": self.axis, "axis2": self.axis2, "percent": self.percent,
            "horizontal": self.horizontal, "stacked": self.stacked, "beyond": self.beyond,
        }


Text = Callable[..., str]  # a web text: key, variables


@dataclass(frozen=True, slots=True)
class Words:
    """What a chart needs to say things in the viewer's language."""

    prompts: PromptLibrary
    locale: str
    text: Text  # the page's texts `web.<key>`

    def column(self, key: str) -> str:
        return self.prompts.render(f"dashboard.column.{key}", self.locale)

    def cell(self, cell: Cell, kind: Kind = "label") -> str:
        return dashboard.cell_text(cell, kind, self.locale, self.prompts)

    @property
    def suppressed(self) -> str:
        return self.prompts.render(dashboard.SUPPRESSED.text_key, self.locale)


Row = tuple[Cell, ...]


def _parts_only(table: Table) -> list[Row]:
    """The rows that are parts, not the 'Totaal' row added below them."""
    return [row for row in table.rows if row[0] != Term("total")]


def _values(table: Table, rows: Sequence[Row], key: str, percent: bool = False
            ) -> list[float | None]:
    index = [column.key for column in table.columns].index(key)
    return [_number(row[index], percent) for row in rows]


def _hidden(table: Table, rows: Sequence[Row], key: str) -> list[bool]:
    """Which of a column's values the table hides, so the chart draws them as hidden."""
    index = [column.key for column in table.columns].index(key)
    return [isinstance(row[index], Suppressed) for row in rows]


def _dataset(table: Table, rows: Sequence[Row], key: str, label: str, percent: bool = False,
             **options: Any) -> Dataset:
    """A column as a dataset, with which of its values are hidden."""
    return Dataset(label, _values(table, rows, key, percent), hidden=_hidden(table, rows, key),
                   **options)


def _diary_chart(table: Table, words: Words) -> Chart:
    """A line per team over the weeks; a team hidden in some or every week says so in the
    legend (a line among others has no place of its own to hatch)."""
    weeks = list(dict.fromkeys(str(row[0]) for row in table.rows))
    teams: dict[Cell, dict[str, Cell]] = {}
    for week, team, *_, rate in table.rows:
        teams.setdefault(team, {})[str(week)] = rate
    datasets = []
    for team, rates in teams.items():
        cells = [rates.get(week) for week in weeks]
        data = [_number(cell, percent=True) for cell in cells]
        name = words.cell(team)
        hidden = [isinstance(cell, Suppressed) for cell in cells]
        if all(value is None for value in data):
            name = f"{name} ({words.suppressed})"
        elif any(hidden):
            name = f"{name} ({words.text('glance.partly_hidden')})"
        datasets.append(Dataset(name, data, emphasis=isinstance(team, Term), hidden=hidden))
    return Chart(table.key, "line", weeks, datasets, words.column("rate"), percent=True)


def _streaks_chart(table: Table, words: Words) -> Chart:
    rows = _parts_only(table)
    return Chart(table.key, "bar", [str(row[0]) for row in rows],
                 [_dataset(table, rows, "people", words.column("people"))],
                 words.column("people"))


def _peer_reviews_chart(table: Table, words: Words) -> Chart:
    """Stacked per round: met, did not meet, no answer (yet). The cohort is named only when
    there are several."""
    several = len({row[0] for row in table.rows}) > 1
    labels = [f"{f'{row[0]} · ' if several else ''}{words.text('dashboard.round')} {row[1]}"
              for row in table.rows]
    return Chart(table.key, "bar", labels, [
        _dataset(table, table.rows, key, words.column(key))
        for key in ("met", "not_met", "unanswered")
    ], words.column("paired"), stacked=True)


def _focus_chart(table: Table, words: Words) -> Chart:
    rows = _parts_only(table)
    return Chart(table.key, "bar", [words.cell(row[0]) for row in rows],
                 [_dataset(table, rows, "people", words.column("people"))],
                 words.column("people"), horizontal=True)


def _contracts_chart(table: Table, words: Words) -> Chart:
    """Contracts as bars, the share with a measurable criterion as a line on its own axis."""
    return Chart(table.key, "bar", [str(row[0]) for row in table.rows], [
        _dataset(table, table.rows, "contracts", words.column("contracts")),
        _dataset(table, table.rows, "measurable_share", words.column("measurable_share"),
                 percent=True, type="line", axis="y2"),
    ], words.column("contracts"), axis2=words.column("measurable_share"))


def _practice_chart(table: Table, words: Words) -> Chart:
    return Chart(table.key, "bar", [str(row[0]) for row in table.rows], [
        _dataset(table, table.rows, key, words.column(key))
        for key in ("cases_closed", "sessions_held")
    ], words.text("dashboard.events"))


def _goals_chart(table: Table, words: Words) -> Chart:
    """Each KPI's value as a share of its target: KPIs in different units side by side;
    the tooltip gives the numbers themselves."""
    labels: list[str] = []
    progress: list[float | None] = []
    tooltips: list[str] = []
    for team, _, goal, _, target, value, _ in table.rows:
        labels.append(f"{words.cell(goal)} ({words.cell(team)})")
        if isinstance(target, int | float) and isinstance(value, int | float) and target:
            progress.append(round(value / target * 100, 1))
        else:
            progress.append(None)  # no number to compare: the table says what there is
        tooltips.append(words.text("dashboard.goal_tooltip",
                                   value=words.cell(value, "number") or "–",
                                   target=words.cell(target, "number") or "–"))
    title = words.text("dashboard.goal_progress")
    return Chart(table.key, "bar", labels, [Dataset(title, progress, tooltips=tooltips)],
                 title, percent=True, horizontal=True, beyond=True)


CHARTS: dict[str, Callable[[Table, Words], Chart]] = {
    "diary_response": _diary_chart,
    "streaks": _streaks_chart,
    "peer_reviews": _peer_reviews_chart,
    "focus": _focus_chart,
    "contracts": _contracts_chart,
    "practice": _practice_chart,
    "goals": _goals_chart,
}


def chart_of(table: Table, words: Words) -> Chart:
    """The chart that fits the table; every number the table hides is marked hidden here
    too (dashboard.js hatches and labels it), never drawn as a zero."""
    chart = CHARTS[table.key](table, words)
    chart.hidden_label = words.text("glance.hidden_short")
    return chart


# -- what the page lays out ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownCell:
    text: str
    suppressed: bool


@dataclass(frozen=True, slots=True)
class ShownTable:
    key: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[ShownCell, ...], ...]
    csv_url: str

    @property
    def has_hidden(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)

    @property
    def plain_csv_url(self) -> str:
        """The CSV as before: no byte order mark, commas, decimal points."""
        joiner = "&" if "?" in self.csv_url else "?"
        return f"{self.csv_url}{joiner}format={PLAIN_CSV}"


def shown_table(table: Table, prompts: PromptLibrary, locale: str, csv_url: str
                ) -> ShownTable:
    """bot.reports.dashboard.localize's strings, with which cells are hidden (to style them)."""
    shown = dashboard.localize(table, locale, prompts)
    return ShownTable(
        table.key, shown.title, shown.headers,
        tuple(
            tuple(ShownCell(text, isinstance(cell, Suppressed))
                  for text, cell in zip(texts, row, strict=True))
            for texts, row in zip(shown.rows, table.rows, strict=True)
        ),
        csv_url,
    )


# -- the viewer's own canvases ---------------------------------------------------------


@dataclass(slots=True)
class Block:
    """A piece of a canvas document: a heading, a paragraph, a list or a quote."""

    kind: Literal["heading", "byline", "paragraph", "list", "quote"]
    text: str = ""
    level: int = 0
    items: list[tuple[str, str]] = field(default_factory=list)


_ITEM = re.compile(r"^- \*\*(?P<label>.+?):\*\* ?(?P<value>.*)$")
_HEADING = re.compile(r"^(?P<marks>#{1,3}) (?P<text>.*)$")


def markdown_blocks(markdown: str) -> list[Block]:
    """`canvas_markdown`'s few constructs as blocks the template escapes and lays out; it
    never produces HTML itself, so nothing typed in a canvas can become markup."""
    blocks: list[Block] = []
    for line in markdown.splitlines():
        last = blocks[-1] if blocks else None
        if not line.strip():
            if last is not None and last.kind == "paragraph" and last.text:
                blocks.append(Block("paragraph"))  # a blank line ends a paragraph
            continue
        if heading := _HEADING.match(line):
            blocks.append(Block("heading", heading["text"], len(heading["marks"])))
        elif item := _ITEM.match(line):
            if last is not None and last.kind == "list":
                last.items.append((item["label"], item["value"]))
            else:
                blocks.append(Block("list", items=[(item["label"], item["value"])]))
        elif line.startswith("  ") and last is not None and last.kind == "list":
            label, value = last.items[-1]
            last.items[-1] = (label, f"{value}\n{line[2:]}")
        elif line.startswith(">"):
            quoted = line[1:].removeprefix(" ")
            if last is not None and last.kind == "quote":
                last.text += "\n" + quoted
            else:
                blocks.append(Block("quote", quoted))
        elif len(line) > 2 and line.startswith("_") and line.endswith("_"):
            blocks.append(Block("byline", line[1:-1]))
        elif last is not None and last.kind == "paragraph":
            last.text = f"{last.text}\n{line}" if last.text else line
        else:
            blocks.append(Block("paragraph", line))
    return [block for block in blocks if block.kind != "paragraph" or block.text]


@dataclass(frozen=True, slots=True)
class OwnCanvas:
    id: int
    held_on: date
    blocks: list[Block]
    export_url: str

    @property
    def title(self) -> str:
        """The document's own heading, to name it in the list."""
        return next((block.text for block in self.blocks if block.kind == "heading"), "")


def own_canvases(session: Session, viewer: Viewer, prompts: PromptLibrary, locale: str
                 ) -> list[OwnCanvas]:
    """The viewer's own canvases, newest first; the admin of the embedded default (no person)
    has none. Only the viewer's rows are read: nobody else's canvas is even loaded."""
    if viewer.person_id is None:
        return []
    found = session.scalars(select(LearningCanvas).where(
        LearningCanvas.person_id == viewer.person_id).order_by(LearningCanvas.id.desc()))
    return [
        OwnCanvas(canvas.id, canvas.created_at.date(),
                  markdown_blocks(canvas_markdown(canvas, prompts, locale, viewer.name)),
                  f"/dashboard/canvas/{canvas.id}.md")
        for canvas in found
    ]


# -- the handlers ----------------------------------------------------------------------


def _query(scope: Scope | None, request: web.Request, viewer: Viewer) -> str:
    """The query string that keeps the admin's organisation, the team and `?lang=`."""
    params: dict[str, str] = {}
    if scope is not None and viewer.is_admin:
        params["organisation"] = str(scope.organisation_id)
    if scope is not None and scope.team_id is not None:
        params["team"] = str(scope.team_id)
    if lang := asked_lang(request):
        params["lang"] = lang
    return "?" + urlencode(params) if params else ""


def asked_lang(request: web.Request) -> str:
    """`?lang=` when it names one of our languages, to keep it in links and forms."""
    lang = request.query.get("lang", "")
    return lang if lang in LOCALES else ""


@allow("admin", "facilitator")
async def page(request: web.Request) -> web.StreamResponse:
    """Every table as chart, table and CSV link, for the organisation (and team) asked."""
    viewer = await viewer_required(request)
    runtime = runtime_of(request)
    locale = locale_of(request, viewer)
    asked_organisation = _int_param(request, "organisation")
    asked_team = _int_param(request, "team")

    def gather() -> dict[str, Any]:
        with runtime.database.connect() as connection, Session(connection) as session:
            scope = resolve_scope(connection, viewer, asked_organisation, asked_team)
            choices = organisations(connection) if viewer.is_admin else []
            if scope is None:
                prompts = runtime.engine.prompts
                return {"scope": None, "organisations": choices, "teams": [], "tables": [],
                        "data": {"charts": []}, "headlines": (), "periods": None,
                        "hatched": set(),
                        "small": None,
                        "canvases": own_canvases(session, viewer, prompts, locale)}
            prompts = prompts_of(runtime, session, scope.organisation_id)
            today = today_of(scope, request)
            small = at_a_glance.too_small(connection, scope.organisation_id, scope.team_id)
            tables = () if small else dashboard.all_tables(
                connection, scope.organisation_id, today=today, team_id=scope.team_id,
                locale=locale)
            teams = dashboard.teams(connection, scope.organisation_id)
            canvases = own_canvases(session, viewer, prompts, locale)

        def text(key: str, **variables: Any) -> str:
            return prompts.render(f"web.{key}", locale, **variables)

        words = Words(prompts, locale, text)

        query = _query(scope, request, viewer)
        charts = [chart_of(table, words) for table in tables]
        return {
            "scope": scope, "organisations": choices, "teams": teams, "small": small,
            "headlines": at_a_glance.headlines(tables, scope.team_id),
            "periods": at_a_glance.periods(tables, today) if tables else None,
            "tables": [shown_table(table, prompts, locale,
                                   f"/dashboard/{table.key}.csv{query}") for table in tables],
            "data": {"charts": [chart.as_json() for chart in charts]},
            "hatched": {chart.key for chart in charts if chart.hatches},
            "canvases": canvases,
        }

    try:
        context = await asyncio.to_thread(gather)
    except web.HTTPForbidden:
        return refuse(request, viewer, 403)
    return render(request, "dashboard.html", viewer=viewer, lang=asked_lang(request),
                  day=lambda value: str(format_date(value, "d MMMM yyyy", locale=locale)),
                  number=lambda value: str(format_decimal(value, locale=locale)),
                  **context)


def spreadsheet_csv(table: Table, locale: str, prompts: PromptLibrary, *, plain: bool) -> str:
    """The CSV a spreadsheet opens right: a UTF-8 byte order mark (else Excel reads
    "Financiën" as Latin-1) and, in Dutch, `;` between fields with decimal commas (Dutch
    Excel's list separator). `plain` keeps the earlier format for scripts: no mark, commas
    and decimal points."""
    if plain:
        return dashboard.to_csv(table, locale, prompts)
    if locale == "nl":
        return "\ufeff" + dashboard.to_csv(table, locale, prompts, delimiter=";", decimal=",")
    return "\ufeff" + dashboard.to_csv(table, locale, prompts)


@allow("admin", "facilitator")
async def csv_download(request: web.Request) -> web.StreamResponse:
    """One table as CSV, with exactly the page's access rule and privacy."""
    viewer = await viewer_required(request)
    key = request.match_info["key"]
    if key not in TABLE_KEYS:
        raise web.HTTPNotFound(text="no such table", content_type="text/plain")
    runtime = runtime_of(request)
    locale = locale_of(request, viewer)
    asked_organisation = _int_param(request, "organisation")
    asked_team = _int_param(request, "team")

    def build() -> tuple[str, str] | None:
        with runtime.database.connect() as connection, Session(connection) as session:
            scope = resolve_scope(connection, viewer, asked_organisation, asked_team)
            if scope is None:
                return None
            prompts = prompts_of(runtime, session, scope.organisation_id)
            today = today_of(scope, request)
            table = next(table for table in dashboard.all_tables(
                connection, scope.organisation_id, today=today, team_id=scope.team_id,
                locale=locale) if table.key == key)
        slug = re.sub(r"[^a-z0-9-]+", "-", scope.slug.lower()).strip("-") or "organisation"
        return f"{slug}-{key}-{today.isoformat()}.csv", spreadsheet_csv(
            table, locale, prompts, plain=request.query.get("format") == PLAIN_CSV)

    try:
        built = await asyncio.to_thread(build)
    except web.HTTPForbidden:
        return refuse(request, viewer, 403)
    if built is None:
        raise web.HTTPNotFound(text="no organisation yet", content_type="text/plain")
    filename, body = built
    return web.Response(text=body, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@allow("admin", "facilitator")
async def canvas_download(request: web.Request) -> web.StreamResponse:
    """The viewer's own canvas as Markdown; anyone else's is not found, not forbidden, so
    the address does not even tell that it exists."""
    viewer = await viewer_required(request)
    digits = request.match_info["canvas_id"]
    if len(digits) > MAX_ID_DIGITS:
        raise web.HTTPNotFound(text="no such canvas", content_type="text/plain")
    canvas_id = int(digits)
    runtime = runtime_of(request)
    locale = locale_of(request, viewer)

    def build() -> str | None:
        if viewer.person_id is None:
            return None
        with runtime.sessions() as session:
            canvas = session.get(LearningCanvas, canvas_id)
            if canvas is None or canvas.person_id != viewer.person_id:
                return None
            prompts = prompts_of(runtime, session, canvas.organisation_id)
            return canvas_markdown(canvas, prompts, locale, viewer.name)

    text = await asyncio.to_thread(build)
    if text is None:
        raise web.HTTPNotFound(text="no such canvas", content_type="text/plain")
    return web.Response(text=text, content_type="text/markdown", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="canvas-{canvas_id}.md"',
        "Cache-Control": "no-store",
    })


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/dashboard", page)
    router.add_get(r"/dashboard/canvas/{canvas_id:\d+}.md", canvas_download)
    router.add_get(r"/dashboard/{key:[a-z_]+}.csv", csv_download)
