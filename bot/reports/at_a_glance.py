"""The dashboard at a glance: headline figures with their change against the previous
period, the periods the tables cover, and whether a scope is too small to show at all.

The figures are read from the tables `bot.reports.dashboard` already built, never from the
database, so every privacy rule of those tables holds here too: a figure whose cell is
hidden is hidden, and a change is only given between two figures that are both shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Connection, func, select

from bot.reports.dashboard import MIN_GROUP, Cell, Kind, Suppressed, Table, Term
from bot.storage.models import Person, TeamMember, table_of

_people = table_of(Person)
_team_members = table_of(TeamMember)


@dataclass(frozen=True, slots=True)
class Headline:
    """One figure: its value now, the one of the period before, both as the table has them."""

    key: str  # the text `web.glance.<key>` names it
    kind: Kind  # "rate" (a fraction), "count" or "number"
    versus: str  # what it is compared with: the previous "week", "quarter" or "month"
    period: str  # the table's label of the current period: '2026-W11', '2026-Q1', '2026-03'
    value: Cell
    previous: Cell

    @property
    def hidden(self) -> bool:
        return isinstance(self.value, Suppressed)

    @property
    def change(self) -> float | None:
        """Now minus before (a rate in percentage points); None when either is not shown."""
        if not (_numeric(self.value) and _numeric(self.previous)):
            return None
        assert isinstance(self.value, int | float) and isinstance(self.previous, int | float)
        if self.kind == "rate":
            return round((self.value - self.previous) * 100, 1)
        return round(self.value - self.previous, 1)


def _numeric(cell: Cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _column(table: Table, key: str) -> int:
    return [column.key for column in table.columns].index(key)


def _last_two(table: Table, value: str, rows: list[tuple[Cell, ...]] | None = None
              ) -> tuple[str, Cell, Cell]:
    """(period label, last value, the one before) of a table with a period per row."""
    found = list(table.rows) if rows is None else rows
    index = _column(table, value)
    if not found:
        return "", None, None
    previous = found[-2][index] if len(found) > 1 else None
    return str(found[-1][0]), found[-1][index], previous


def _diary_rows(table: Table, team_id: int | None) -> list[tuple[Cell, ...]]:
    """The whole organisation's row of each week, or the one team's when a team is asked."""
    if team_id is None:
        return [row for row in table.rows if row[1] == Term("organisation")]
    return list(table.rows)


def _sum(*cells: Cell) -> Cell:
    """Cells added up; hidden when any is hidden, so no hidden part shows through a sum."""
    if any(isinstance(cell, Suppressed) for cell in cells):
        return cells[next(i for i, cell in enumerate(cells) if isinstance(cell, Suppressed))]
    numbers = [cell for cell in cells if _numeric(cell)]
    return sum(numbers) if numbers else None  # type: ignore[arg-type]


def headlines(tables: tuple[Table, ...], team_id: int | None) -> tuple[Headline, ...]:
    """The row of figures at the top of the dashboard, from the page's own tables."""
    by_key = {table.key: table for table in tables}
    found: list[Headline] = []
    if (diary := by_key.get("diary_response")) is not None:
        rows = _diary_rows(diary, team_id)
        found.append(Headline("diary_rate", "rate", "week", *_last_two(diary, "rate", rows)))
        found.append(Headline("diary_writers", "count", "week",
                              *_last_two(diary, "responded", rows)))
    if (contracts := by_key.get("contracts")) is not None:
        found.append(Headline("contracts", "count", "quarter",
                              *_last_two(contracts, "contracts")))
    if (practice := by_key.get("practice")) is not None:
        cases, sessions = _column(practice, "cases_closed"), _column(practice, "sessions_held")
        rows = [(row[0], _sum(row[cases], row[sessions])) for row in practice.rows]
        last = rows[-1] if rows else ("", None)
        before = rows[-2] if len(rows) > 1 else ("", None)
        found.append(Headline("practice", "number", "month", str(last[0]), last[1], before[1]))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Periods:
    """What the tables cover, to say on the page: the diary's weeks, the contracts'
    quarters and the months of intervision and work sessions, up to `today`."""

    today: date
    diary_from: date  # the Monday of the first week shown
    quarters: tuple[str, str]  # first and last label
    months: tuple[str, str]


def periods(tables: tuple[Table, ...], today: date, diary_weeks: int = 8) -> Periods:
    by_key = {table.key: table for table in tables}
    monday = today - timedelta(days=today.weekday())

    def span(key: str) -> tuple[str, str]:
        table = by_key.get(key)
        if table is None or not table.rows:
            return "", ""
        return str(table.rows[0][0]), str(table.rows[-1][0])

    return Periods(today, monday - timedelta(weeks=diary_weeks - 1), span("contracts"),
                   span("practice"))


def too_small(connection: Connection, organisation_id: int, team_id: int | None) -> int | None:
    """How many people a scope has when that is fewer than MIN_GROUP (but some), so the page
    says so in one sentence instead of tables of hidden cells (the page says "fewer than
    5", not the number); None when it is big enough or empty (an empty scope hides nothing:
    its tables say there is nothing yet)."""
    query = select(func.count()).select_from(_people).where(
        _people.c.organisation_id == organisation_id, _people.c.status != "deleted")
    if team_id is not None:
        query = query.where(_people.c.id.in_(
            select(_team_members.c.person_id).where(_team_members.c.team_id == team_id)))
    size = int(connection.execute(query).scalar_one())
    return size if 0 < size < MIN_GROUP else None
