"""The facilitator dashboard's data: small tables of counts and rates, private by design.

Every function reads one organisation (optionally one of its teams) and returns a `Table`:
a title key, typed columns and rows of numbers and labels. The web pages draw them and
offer each as CSV (`to_csv`); they add nothing and leave nothing out, because the privacy
rules are applied here, once, for every way the numbers leave the database:

- aggregates only, never a person: no names, ids or per-person rows;
- never free text: the only words in a table are team and cohort names, competence names
  from the catalog and the titles of goals and KPIs a facilitator wrote; the SMART check
  reads a contract's "how will you know" but only its verdict is counted;
- a number behind which fewer than MIN_GROUP distinct people stand is `SUPPRESSED`
  (shown as "te weinig deelnemers" / "too few participants"):
  * a row whose group (the people expected in a week, everyone paired in a round, the
    contracts of a quarter …) is smaller than MIN_GROUP shows none of its numbers;
  * a count of people from 1 to MIN_GROUP - 1 is suppressed, and so is the rate made
    from it (0 counts no one and stays);
  * counts that add up to a total shown beside them (met / not met / unanswered, the
    streak groups, the focus competences) are suppressed together until what is hidden
    adds up to MIN_GROUP or more, so nothing can be worked out from the total; likewise
    the diary's organisation row minus its team rows never describes fewer than
    MIN_GROUP people (`_guard_rest`);
  * counts of events (intervision cases, work sessions) are suppressed when fewer than
    MIN_GROUP people took part in them all together.

Limit: separate views can still be subtracted (the organisation's streaks minus those of
each of its teams describe whoever is in no team). Keep people outside every team, and
teams under MIN_GROUP, at MIN_GROUP or more, or inside a larger team as well (as the
demo's management team of team leads is).

Who may see the dashboard at all: `may_see_dashboard` (facilitators and admins).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    case,
    func,
    literal_column,
    select,
)

from bot.core.prompts import LOCALES, PromptLibrary
from bot.due.weekdays import WEEKDAYS
from bot.learning_record.periods import contract_quarters
from bot.people.roles import FACILITATING, role_of
from bot.practices.contract.hooks import smart_check
from bot.practices.work_sessions.records import members as series_members
from bot.storage.models import (
    CaseContribution,
    Cohort,
    Competence,
    DiaryEntry,
    Goal,
    IntervisionCase,
    LearningContract,
    MonthlyReflection,
    PairingRound,
    PairMember,
    Person,
    Team,
    TeamMember,
    WorkSession,
    WorkSessionSeries,
    table_of,
)

MIN_GROUP = 5
STREAK_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 4), (5, 9), (10, 19), (20, None))
# Streaks of 20 workdays and more are one group: 20 weeks of diary cover that for anyone
# who works at least one day a week.
_STREAK_HISTORY = timedelta(weeks=20)
_STREAK_CAP = STREAK_BUCKETS[-1][0]
_FIRST_STRETCH = timedelta(weeks=2)  # settles most streaks: they break within days
_CHUNK = 500  # ids per IN (...) list

_people = table_of(Person)
_teams = table_of(Team)
_team_members = table_of(TeamMember)
_entries = table_of(DiaryEntry)
_cohorts = table_of(Cohort)
_rounds = table_of(PairingRound)
_pairs = table_of(PairMember)
_reflections = table_of(MonthlyReflection)
_competences = table_of(Competence)
_contracts = table_of(LearningContract)
_cases = table_of(IntervisionCase)
_contributions = table_of(CaseContribution)
_series = table_of(WorkSessionSeries)
_sessions = table_of(WorkSession)
_goals = table_of(Goal)


class DashboardError(LookupError):
    """A team that is not the organisation's."""


# -- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suppressed:
    """A number left out because fewer than MIN_GROUP people stand behind it."""

    text_key: str = "dashboard.suppressed"


SUPPRESSED = Suppressed()


@dataclass(frozen=True, slots=True)
class Term:
    """A label the renderer translates: text `dashboard.term.<key>` ('Totaal', …)."""

    key: str


Cell = int | float | str | Term | Suppressed | None  # None: nothing to show (no target set)
Kind = Literal["label", "count", "rate", "number"]


@dataclass(frozen=True, slots=True)
class Column:
    """`count`: people (privacy applies); `rate`: a fraction 0..1; `number`: anything else
    numeric (a round, a KPI, events); `label`: text from the catalog or a facilitator."""

    key: str
    kind: Kind

    @property
    def text_key(self) -> str:
        return f"dashboard.column.{self.key}"


@dataclass(frozen=True, slots=True)
class Table:
    """One dashboard table; its title is the text `dashboard.<key>.title`."""

    key: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def title_key(self) -> str:
        return f"dashboard.{self.key}.title"

    def column(self, key: str) -> list[Cell]:
        index = [column.key for column in self.columns].index(key)
        return [row[index] for row in self.rows]

    @property
    def suppressed(self) -> int:
        """How many cells are suppressed."""
        return sum(1 for row in self.rows for cell in row if isinstance(cell, Suppressed))


def _columns(*spec: tuple[str, Kind]) -> tuple[Column, ...]:
    return tuple(Column(key, kind) for key, kind in spec)


# -- privacy ---------------------------------------------------------------------------------


def _count(people: int) -> int | Suppressed:
    """A count of people: 0 counts no one; 1 to MIN_GROUP - 1 could point at someone."""
    return SUPPRESSED if 0 < people < MIN_GROUP else people


def _parts(counts: Sequence[int]) -> list[int | Suppressed]:
    """Counts that add up to a total shown beside them: the small ones suppressed, then
    the next smallest too until the hidden ones add up to at least MIN_GROUP, so neither
    one of them nor their sum can be worked out from the total."""
    cells = [_count(number) for number in counts]
    while True:
        hidden = [i for i, cell in enumerate(cells) if isinstance(cell, Suppressed)]
        shown = [i for i, cell in enumerate(cells) if not isinstance(cell, Suppressed)]
        if not hidden or not shown or sum(counts[i] for i in hidden) >= MIN_GROUP:
            return cells
        cells[min(shown, key=lambda i: (counts[i], i))] = SUPPRESSED


def _rate(part: int | Suppressed, whole: int | Suppressed) -> float | Suppressed | None:
    """A rate never shows what its count may not."""
    if isinstance(part, Suppressed) or isinstance(whole, Suppressed):
        return SUPPRESSED
    return round(part / whole, 4) if whole else None


def _group(size: int, *cells: Cell) -> tuple[Cell, ...]:
    """A row's numbers, or all of them suppressed when its group is too small (an empty
    group tells nothing about anyone: its zeros stay)."""
    if 0 < size < MIN_GROUP:
        return tuple(SUPPRESSED for _ in cells)
    return cells


def _events(count: int, people: int) -> int | Suppressed:
    """A count of events: shown when at least MIN_GROUP people took part in them."""
    return SUPPRESSED if count and people < MIN_GROUP else count


def may_see_dashboard(connection: Connection, person_id: int) -> bool:
    """Facilitators and admins only, whatever LEERCOACH_FACILITATORS allows in a channel."""
    return role_of(connection, person_id) in FACILITATING


# -- who is in scope -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    active: bool
    workdays: str
    since: date  # the day they were first seen


def teams(connection: Connection, organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's teams (id, name) by name, for choosing one."""
    return [
        (row.id, row.name)
        for row in connection.execute(
            select(_teams.c.id, _teams.c.name)
            .where(_teams.c.organisation_id == organisation_id)
            .order_by(_teams.c.name, _teams.c.id)
        )
    ]


def _team_groups(
    connection: Connection, organisation_id: int, team_id: int | None
) -> list[tuple[str, frozenset[int]]]:
    """(name, members) of the team asked for, or of every team of the organisation."""
    found = teams(connection, organisation_id)
    if team_id is not None:
        found = [(i, name) for i, name in found if i == team_id]
        if not found:
            raise DashboardError(f"organisation {organisation_id} has no team {team_id}")
    members: dict[int, set[int]] = defaultdict(set)
    if found:
        for team, person in connection.execute(
            select(_team_members.c.team_id, _team_members.c.person_id).where(
                _team_members.c.team_id.in_([i for i, _ in found])
            )
        ):
            members[team].add(person)
    return [(name, frozenset(members[i])) for i, name in found]


def _people_of(
    connection: Connection, organisation_id: int, team_id: int | None
) -> dict[int, _Person]:
    """Everyone of the organisation, or of one of its teams."""
    query = select(
        _people.c.id, _people.c.status, _people.c.workdays, _people.c.created_at
    ).where(_people.c.organisation_id == organisation_id)
    if team_id is not None:
        _team_groups(connection, organisation_id, team_id)  # the team must be theirs
        query = query.where(
            _people.c.id.in_(
                select(_team_members.c.person_id).where(_team_members.c.team_id == team_id)
            )
        )
    return {
        row.id: _Person(row.status == "active", row.workdays, row.created_at.date())
        for row in connection.execute(query)
    }


def _scope(
    connection: Connection, organisation_id: int, team_id: int | None
) -> Select[tuple[int]]:
    """The ids of everyone of the organisation, or of one of its teams, for the database to
    filter by (an IN subquery) instead of reading them all out first."""
    query = select(_people.c.id).where(_people.c.organisation_id == organisation_id)
    if team_id is not None:
        _team_groups(connection, organisation_id, team_id)  # the team must be theirs
        query = query.where(
            _people.c.id.in_(
                select(_team_members.c.person_id).where(_team_members.c.team_id == team_id)
            )
        )
    return query


# -- who wrote when --------------------------------------------------------------------------


def _written_masks(
    connection: Connection,
    organisation_id: int,
    spans: Sequence[tuple[date, date]],
    among: Collection[int] | None = None,
) -> dict[int, int]:
    """person -> which of `spans` (consecutive stretches of days, oldest first) they wrote
    in, as bits: bit i for spans[i]; of everyone of the organisation, or of the people
    `among` only (in chunks). The database groups the entries into one row per person, and
    the (person, day) index serves it: it reads the stretches asked for, not the history
    before them."""
    later: list[tuple[ColumnElement[bool], ColumnElement[int]]] = [
        (_entries.c.local_date >= first, literal_column(str(1 << index)))
        for index, (first, _) in reversed(list(enumerate(spans))) if index
    ]
    bit = case(*later, else_=literal_column("1")) if later else literal_column("1")
    # Each bit once: PostgreSQL ORs them as it hashes the groups; SQLite sums the distinct
    # ones (it has no bitwise aggregate), which comes to the same.
    union = func.bit_or(bit) if connection.dialect.name == "postgresql" else func.sum(
        bit.distinct())
    query = (
        select(_entries.c.person_id, union)
        .where(_entries.c.local_date.between(spans[0][0], spans[-1][1]))
        .group_by(_entries.c.person_id)
    )
    if among is None:  # IN, not a join: the index is then walked in person order
        queries = [query.where(_entries.c.person_id.in_(
            select(_people.c.id).where(_people.c.organisation_id == organisation_id)))]
    else:
        ids = sorted(among)
        queries = [query.where(_entries.c.person_id.in_(ids[start:start + _CHUNK]))
                   for start in range(0, len(ids), _CHUNK)]
    return {person: int(mask) for one in queries for person, mask in connection.execute(one)}


# -- diary response per week and team --------------------------------------------------------


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(slots=True)
class _WeekRow:
    """One team's (or the organisation's) week, and which of its numbers may show."""

    label: Cell
    expected: set[int]
    wrote: set[int]
    show_expected: bool = field(init=False)
    show_wrote: bool = field(init=False)

    def __post_init__(self) -> None:
        self.show_expected = not 0 < len(self.expected) < MIN_GROUP
        self.show_wrote = self.show_expected and not 0 < len(self.wrote) < MIN_GROUP

    def hide(self) -> None:
        self.show_expected = self.show_wrote = False

    def cells(self) -> tuple[Cell, ...]:
        expected = len(self.expected) if self.show_expected else SUPPRESSED
        wrote = len(self.wrote) if self.show_wrote else SUPPRESSED
        return (self.label, expected, wrote, _rate(wrote, expected))


def _guard_rest(teams: Sequence[_WeekRow], whole: _WeekRow) -> None:
    """The organisation's row minus the team rows shown must not describe fewer than
    MIN_GROUP people (those of a suppressed team, or in no team): hide the smallest team
    row (or number) until it does not. Teams that overlap count each person once."""
    while whole.show_expected:
        shown = [row for row in teams if row.show_expected]
        rest = whole.expected.difference(*(row.expected for row in shown))
        if 0 < len(rest) < MIN_GROUP:
            if not shown:
                whole.hide()
                return
            min(shown, key=lambda row: len(row.expected)).hide()
            continue
        told = [row for row in teams if row.show_wrote]
        rest = whole.wrote.difference(*(row.wrote for row in told))
        if whole.show_wrote and 0 < len(rest) < MIN_GROUP:
            if not told:
                whole.show_wrote = False
                return
            min(told, key=lambda row: len(row.wrote)).show_wrote = False
            continue
        return


def diary_response(
    connection: Connection,
    organisation_id: int,
    *,
    today: date,
    team_id: int | None = None,
    weeks: int = 8,
) -> Table:
    """Per ISO week (this one last) and per team, then the whole organisation: the people
    expected to write (active now and there by the week's end, or who wrote that week),
    those with at least one entry, and the rate.

    'Expected' approximates with today's status: a pause's history is not kept.
    """
    people = _people_of(connection, organisation_id, team_id)
    groups: list[tuple[Cell, frozenset[int]]] = list(
        _team_groups(connection, organisation_id, team_id)
    )
    if team_id is None:
        groups.append((Term("organisation"), frozenset(people)))
    rows: list[tuple[Cell, ...]] = []
    mondays = [_monday(today) - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    masks = _written_masks(
        connection, organisation_id, [(first, first + timedelta(days=6)) for first in mondays]
    )
    active = {p for p, someone in people.items() if someone.active}
    joining = {p: people[p].since for p in active if people[p].since > mondays[0]}
    for index, first in enumerate(mondays):
        last = first + timedelta(days=6)
        wrote = {person for person, mask in masks.items() if mask >> index & 1}
        there = active.difference(p for p, since in joining.items() if since > last)
        week = [
            _WeekRow(label, (there & members) | (wrote & members), wrote & members)
            for label, members in groups
        ]
        if team_id is None:
            _guard_rest(week[:-1], week[-1])
        rows.extend((week_label(first), *row.cells()) for row in week)
    return Table(
        "diary_response",
        _columns(("week", "label"), ("team", "label"), ("expected", "count"),
                 ("responded", "count"), ("rate", "rate")),
        tuple(rows),
    )


# -- streaks ---------------------------------------------------------------------------------


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}–{high}"


def _workday_bits(workdays: str, first: date, days: int) -> int:
    """The days from `first` on (bit 0 = `first`) that are workdays in `workdays`."""
    working = set(workdays.split(","))
    return sum(1 << index for index in range(days)
               if WEEKDAYS[(first + timedelta(days=index)).weekday()] in working)


def _streak_in(written: int, working: int, until: int, cap: int) -> tuple[int, bool]:
    """`count_streak` (bot.learning_record.diary) on bits of days: the streak ending at day
    `until` counting the days `written`, broken by the latest of the `working` days without
    an entry; and whether it is settled (broken, or `cap` long) or may reach further back
    than these days go."""
    upto = written & ((1 << (until + 1)) - 1)
    gaps = working & ~written & ((1 << (until + 1)) - 1)
    if gaps:
        return (upto >> gaps.bit_length()).bit_count(), True
    count = upto.bit_count()
    return count, count >= cap


def _streaks(
    connection: Connection, organisation_id: int, people: dict[int, str], today: date
) -> dict[int, int]:
    """Each person's streak (`people`: id -> workdays) as `count_streak` counts it on the
    days from _STREAK_HISTORY ago, up to the last group's lower bound, which is all the
    table tells. It reads back only as far as the streaks still go: two weeks for everyone,
    then ever longer stretches for the few whose streak reaches further. Its cost follows
    the streaks, not the history. Days are bits, today's the highest."""
    oldest = today - _STREAK_HISTORY
    written: dict[int, int] = defaultdict(int)
    found: dict[int, int] = {}
    going: Collection[int] | None = None  # None: everyone, at first
    first, span = today + timedelta(days=1), _FIRST_STRETCH
    while people and (going is None or going):
        last, first = first - timedelta(days=1), max(oldest, first - span)
        new = (last - first).days + 1
        masks = _written_masks(
            connection, organisation_id,
            [(first + timedelta(days=i), first + timedelta(days=i)) for i in range(new)], going,
        )
        days = (today - first).days + 1
        working: dict[str, int] = {}
        still: list[int] = []
        for person in people if going is None else going:
            mask = written[person] = written[person] << new | masks.get(person, 0)
            pattern = people[person]
            if pattern not in working:
                working[pattern] = _workday_bits(pattern, first, days)
            until = days - 1 if mask >> (days - 1) & 1 else days - 2
            found[person], settled = _streak_in(mask, working[pattern], until, _STREAK_CAP)
            if not settled and first > oldest:
                still.append(person)
        going, span = still, span * 2
    return found


def streak_distribution(
    connection: Connection, organisation_id: int, *, today: date, team_id: int | None = None
) -> Table:
    """How many active people have a diary streak of 0, 1–4, 5–9, 10–19 and 20+ workdays
    (counted the way the overview does: up to yesterday while today is not written yet)."""
    people = {
        row.id: row.workdays for row in connection.execute(
            select(_people.c.id, _people.c.workdays).where(
                _people.c.id.in_(_scope(connection, organisation_id, team_id)),
                _people.c.status == "active",
            )
        )
    }
    counts = [0] * len(STREAK_BUCKETS)
    for streak in _streaks(connection, organisation_id, people, today).values():
        for index, (low, high) in enumerate(STREAK_BUCKETS):
            if streak >= low and (high is None or streak <= high):
                counts[index] += 1
                break
    total = len(people)
    cells = _parts(counts)
    rows: list[tuple[Cell, ...]] = [
        (_bucket_label(low, high), *_group(total, cell, _rate(cell, total)))
        for (low, high), cell in zip(STREAK_BUCKETS, cells, strict=True)
    ]
    rows.append((Term("total"), *_group(total, total, None)))
    return Table(
        "streaks",
        _columns(("streak", "label"), ("people", "count"), ("share", "rate")),
        tuple(rows),
    )


# -- peer reviews ----------------------------------------------------------------------------


def peer_reviews(
    connection: Connection,
    organisation_id: int,
    *,
    today: date,
    team_id: int | None = None,
    weeks: int = 8,
) -> Table:
    """Per pairing round that started in the last `weeks` weeks: the people paired, and how
    many said they met, did not meet, or did not answer (yet)."""
    person = _pairs.c.person_id  # a mentor is in several groups of one round: count once
    query = (
        select(
            _cohorts.c.name, _rounds.c.number, _rounds.c.starts_on,
            func.count(person.distinct()).label("paired"),
            func.count(case((_pairs.c.met.is_(True), person)).distinct()).label("met"),
            func.count(case((_pairs.c.met.is_not(None), person)).distinct()).label("said"),
        )
        .join(_rounds, _rounds.c.cohort_id == _cohorts.c.id)
        .join(_pairs, _pairs.c.round_id == _rounds.c.id)
        .where(
            _cohorts.c.organisation_id == organisation_id,
            _rounds.c.starts_on > today - timedelta(weeks=weeks),
            _rounds.c.starts_on <= today,
        )
        .group_by(_rounds.c.id, _cohorts.c.name, _rounds.c.number, _rounds.c.starts_on)
        .order_by(_rounds.c.starts_on, _cohorts.c.name, _rounds.c.number, _rounds.c.id)
    )
    if team_id is not None:
        query = query.where(person.in_(_scope(connection, organisation_id, team_id)))
    rows: list[tuple[Cell, ...]] = []
    for row in connection.execute(query):
        # whoever said they met in any group met; whoever answered and never met did not
        paired, met, not_met = int(row.paired), int(row.met), int(row.said) - int(row.met)
        cells = _parts([met, not_met, paired - met - not_met])
        rows.append((row.name, row.number, row.starts_on.isoformat(),
                     *_group(paired, paired, *cells, _rate(cells[0], paired))))
    return Table(
        "peer_reviews",
        _columns(("cohort", "label"), ("round", "number"), ("starts_on", "label"),
                 ("paired", "count"), ("met", "count"), ("not_met", "count"),
                 ("unanswered", "count"), ("met_rate", "rate")),
        tuple(rows),
    )


# -- focus competences -----------------------------------------------------------------------


def competence_labels(
    connection: Connection, organisation_id: int, locale: str
) -> dict[str, str]:
    """Catalog code -> name in `locale`."""
    return {
        row.code: row.name_en if locale == "en" else row.name_nl
        for row in connection.execute(
            select(_competences.c.code, _competences.c.name_nl, _competences.c.name_en).where(
                _competences.c.organisation_id == organisation_id
            )
        )
    }


def focus_distribution(
    connection: Connection,
    organisation_id: int,
    *,
    month: date,
    team_id: int | None = None,
    locale: str = "nl",
) -> Table:
    """Which competences people chose as their focus for `month` (the latest choice of
    each; someone with two counts for both), and how many people chose one at all."""
    month = month.replace(day=1)
    chosen: dict[int, list[str]] = {}
    for row in connection.execute(
        select(_reflections.c.person_id, _reflections.c.focus)
        .where(_reflections.c.person_id.in_(_scope(connection, organisation_id, team_id)),
               _reflections.c.focus_month == month)
        .order_by(_reflections.c.id.desc())
    ):
        codes = [code for code in (row.focus or []) if isinstance(code, str) and code]
        if codes and row.person_id not in chosen:
            chosen[row.person_id] = list(dict.fromkeys(codes))
    total = len(chosen)
    columns = _columns(("competence", "label"), ("people", "count"), ("share", "rate"))
    if total < MIN_GROUP:  # not even which competences: that alone could tell
        return Table("focus", columns, ((Term("total"), *_group(total, total, None)),))
    per_code: dict[str, int] = defaultdict(int)
    for codes in chosen.values():
        for code in codes:
            per_code[code] += 1
    names = competence_labels(connection, organisation_id, locale)
    order = sorted(per_code, key=lambda code: (-per_code[code], names.get(code, code)))
    cells = _parts([per_code[code] for code in order])
    rows: list[tuple[Cell, ...]] = [
        (names.get(code, code), cell, _rate(cell, total))
        for code, cell in zip(order, cells, strict=True)
    ]
    rows.append((Term("total"), total, None))
    return Table("focus", columns, tuple(rows))


# -- learning contracts ----------------------------------------------------------------------


def _quarters(today: date, count: int) -> list[str]:
    """`count` quarters up to today's, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3
    found = []
    for back in range(count - 1, -1, -1):
        index = year * 4 + quarter - back
        found.append(f"{index // 4}-Q{index % 4 + 1}")
    return found


def _newest_contracts(
    connection: Connection, organisation_id: int, quarters: Sequence[str], team_id: int | None
) -> Subquery:
    """The newest version of each person's contract of each of `quarters`, of everyone
    in scope: found by the database on the (person, quarter, version) key."""
    newest = (
        select(_contracts.c.person_id, _contracts.c.quarter,
               func.max(_contracts.c.version).label("version"))
        .where(_contracts.c.person_id.in_(_scope(connection, organisation_id, team_id)),
               _contracts.c.quarter.in_(list(quarters)))
        .group_by(_contracts.c.person_id, _contracts.c.quarter)
        .subquery()
    )
    return (
        select(_contracts.c.person_id, _contracts.c.quarter, _contracts.c.measurable,
               _contracts.c.evidence, _contracts.c.goal_id)
        .join(newest, (newest.c.person_id == _contracts.c.person_id)
              & (newest.c.quarter == _contracts.c.quarter)
              & (newest.c.version == _contracts.c.version))
        .subquery()
    )


def contracts_per_quarter(
    connection: Connection,
    organisation_id: int,
    *,
    today: date,
    team_id: int | None = None,
    quarters: int = 4,
) -> Table:
    """Per quarter: the people with a learning contract (its newest version), and how many
    of those say how they will know with something observable (the contract flow's own
    SMART check). Contracts count for the quarter they plan, so one written in March for
    the second quarter shows in that quarter's row once it has begun."""
    wanted = _quarters(today, quarters)
    newest = _newest_contracts(connection, organisation_id, wanted, team_id)
    contracts: dict[str, int] = defaultdict(int)
    measurable_ones: dict[str, int] = defaultdict(int)
    for row in connection.execute(  # the SMART check's verdict as kept with the contract
        select(newest.c.quarter, func.count().label("contracts"),
               func.sum(case((newest.c.measurable.is_(True), 1), else_=0)).label("measurable"))
        .where(newest.c.measurable.is_not(None))
        .group_by(newest.c.quarter)
    ):
        contracts[row.quarter] += int(row.contracts)
        measurable_ones[row.quarter] += int(row.measurable)
    for quarter, evidence in connection.execute(  # contracts kept without one: check now
        select(newest.c.quarter, newest.c.evidence).where(newest.c.measurable.is_(None))
    ):
        contracts[quarter] += 1
        measurable_ones[quarter] += smart_check(evidence or "")["measurable"]
    rows: list[tuple[Cell, ...]] = []
    for quarter in wanted:
        measurable = _count(measurable_ones[quarter])
        rows.append((quarter, *_group(contracts[quarter], contracts[quarter], measurable,
                                      _rate(measurable, contracts[quarter]))))
    return Table(
        "contracts",
        _columns(("quarter", "label"), ("contracts", "count"), ("measurable", "count"),
                 ("measurable_share", "rate")),
        tuple(rows),
    )


# -- intervision and work sessions -----------------------------------------------------------


def _months(today: date, count: int) -> list[date]:
    """The first days of `count` months up to today's, oldest first."""
    found = []
    for back in range(count - 1, -1, -1):
        index = today.year * 12 + today.month - 1 - back
        found.append(date(index // 12, index % 12 + 1, 1))
    return found


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def practice_counts(
    connection: Connection,
    organisation_id: int,
    *,
    today: date,
    team_id: int | None = None,
    months: int = 6,
) -> Table:
    """Per month: intervision cases closed, and work sessions held (up to today). With a
    team: the cases its members brought, the sessions of its series."""
    months_found = _months(today, months)
    since = _start(months_found[0])
    until = _start(today + timedelta(days=1))
    scope = (set(_people_of(connection, organisation_id, team_id))
             if team_id is not None else None)

    cases: dict[date, set[int]] = defaultdict(set)
    case_people: dict[date, set[int]] = defaultdict(set)
    case_rows = connection.execute(
        select(_cases.c.id, _cases.c.owner_id, _cases.c.closed_at).where(
            _cases.c.organisation_id == organisation_id,
            _cases.c.phase == "closed",
            _cases.c.closed_at >= since,
            _cases.c.closed_at < until,
        )
    ).all()
    taking_part: dict[int, set[int]] = defaultdict(set)
    if case_rows:
        for case, person in connection.execute(
            select(_contributions.c.case_id, _contributions.c.person_id).where(
                _contributions.c.case_id.in_([row.id for row in case_rows]),
                _contributions.c.person_id.is_not(None),
            )
        ):
            taking_part[case].add(person)
    for row in case_rows:
        if scope is not None and row.owner_id not in scope:
            continue
        month = row.closed_at.date().replace(day=1)
        cases[month].add(row.id)
        case_people[month].update(taking_part[row.id])
        if row.owner_id is not None:
            case_people[month].add(row.owner_id)

    sessions: dict[date, int] = defaultdict(int)
    session_people: dict[date, set[int]] = defaultdict(set)
    query = (
        select(_sessions.c.series_id, _sessions.c.starts_at)
        .join(_series, _series.c.id == _sessions.c.series_id)
        .where(_series.c.organisation_id == organisation_id,
               _sessions.c.starts_at >= since, _sessions.c.starts_at < until)
    )
    if team_id is not None:
        query = query.where(_series.c.team_id == team_id)
    team_of_series: dict[int, list[int]] = {}
    for series_id, starts_at in connection.execute(query):
        if series_id not in team_of_series:
            team_of_series[series_id] = series_members(connection, series_id)
        month = starts_at.date().replace(day=1)
        sessions[month] += 1
        session_people[month].update(team_of_series[series_id])

    rows: list[tuple[Cell, ...]] = [
        (month.strftime("%Y-%m"),
         _events(len(cases[month]), len(case_people[month])),
         _events(sessions[month], len(session_people[month])))
        for month in months_found
    ]
    return Table(
        "practice",
        _columns(("month", "label"), ("cases_closed", "number"), ("sessions_held", "number")),
        tuple(rows),
    )


# -- goals and KPIs --------------------------------------------------------------------------


def team_goals(
    connection: Connection, organisation_id: int, *, today: date, team_id: int | None = None
) -> Table:
    """The active goals and KPIs facilitators keep (the organisation's, then each team's):
    level, title, period, target and current value, and how many people linked this
    quarter's learning contract to it: each person's current contract, which in a quarter's
    last month is the coming quarter's once written (`contract_quarters`)."""
    query = (
        select(_goals.c.id, _goals.c.level, _goals.c.title, _goals.c.period, _goals.c.target,
               _goals.c.value, _teams.c.name)
        .select_from(_goals.outerjoin(_teams, _teams.c.id == _goals.c.team_id))
        .where(_goals.c.organisation_id == organisation_id, _goals.c.active.is_(True))
    )
    if team_id is not None:
        query = query.where((_goals.c.team_id == team_id) | _goals.c.team_id.is_(None))
    found = connection.execute(query).all()
    current = contract_quarters(today)
    newest = _newest_contracts(connection, organisation_id, current, team_id)
    chosen: dict[int, tuple[int, int | None]] = {}  # person → (preference, goal linked)
    for person_id, quarter, goal_id in connection.execute(
        select(newest.c.person_id, newest.c.quarter, newest.c.goal_id)
    ):
        preference = current.index(quarter)
        if person_id not in chosen or preference < chosen[person_id][0]:
            chosen[person_id] = (preference, goal_id)
    linked: dict[int, int] = defaultdict(int)
    for _, goal_id in chosen.values():
        if goal_id is not None:
            linked[goal_id] += 1
    found = sorted(found, key=lambda r: (r.name is not None, r.name or "", r.id))
    rows: list[tuple[Cell, ...]] = [
        (row.name if row.name is not None else Term("organisation"), Term(f"level.{row.level}"),
         row.title, row.period or None, row.target, row.value, _count(linked[row.id]))
        for row in found
    ]
    return Table(
        "goals",
        _columns(("team", "label"), ("level", "label"), ("goal", "label"),
                 ("period", "label"), ("target", "number"), ("value", "number"),
                 ("linked_contracts", "count")),
        tuple(rows),
    )


def all_tables(
    connection: Connection,
    organisation_id: int,
    *,
    today: date,
    team_id: int | None = None,
    locale: str = "nl",
) -> tuple[Table, ...]:
    """Every dashboard table, in the order the page shows them."""
    return (
        diary_response(connection, organisation_id, today=today, team_id=team_id),
        streak_distribution(connection, organisation_id, today=today, team_id=team_id),
        peer_reviews(connection, organisation_id, today=today, team_id=team_id),
        focus_distribution(connection, organisation_id, month=today, team_id=team_id,
                           locale=locale),
        contracts_per_quarter(connection, organisation_id, today=today, team_id=team_id),
        practice_counts(connection, organisation_id, today=today, team_id=team_id),
        team_goals(connection, organisation_id, today=today, team_id=team_id),
    )


# -- showing and exporting -------------------------------------------------------------------


@cache
def _builtin() -> PromptLibrary:
    return PromptLibrary.builtin()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def cell_text(cell: Cell, kind: Kind, locale: str = "nl",
              prompts: PromptLibrary | None = None) -> str:
    """A cell as the page shows it: 'te weinig deelnemers', '75%', 'Totaal', '12'."""
    texts = prompts or _builtin()
    if isinstance(cell, Suppressed):
        return texts.render(cell.text_key, locale)
    if isinstance(cell, Term):
        return texts.render(f"dashboard.term.{cell.key}", locale)
    if cell is None:
        return ""
    if kind == "rate" and isinstance(cell, float | int):
        return f"{round(cell * 100)}%"
    if isinstance(cell, float):
        return _number(cell)
    return str(cell)


@dataclass(frozen=True, slots=True)
class Shown:
    """A table in one language, every cell a string: what the page lays out."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def localize(table: Table, locale: str = "nl", prompts: PromptLibrary | None = None) -> Shown:
    texts = prompts or _builtin()
    locale = locale if locale in LOCALES else "nl"
    return Shown(
        texts.render(table.title_key, locale),
        tuple(texts.render(column.text_key, locale) for column in table.columns),
        tuple(
            tuple(cell_text(cell, column.kind, locale, texts)
                  for cell, column in zip(row, table.columns, strict=True))
            for row in table.rows
        ),
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_label(text: str) -> str:
    """A facilitator's title is never run as a spreadsheet formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(
    table: Table,
    locale: str = "nl",
    prompts: PromptLibrary | None = None,
    delimiter: str = ",",
    decimal: str = ".",
) -> str:
    """The table as CSV for a spreadsheet: headers in `locale`, rates as percentages with
    one decimal ('(%)' in the header), numbers with `decimal` as the decimal mark (Dutch
    Excel wants a comma, and then `;` between fields).

    A suppressed cell is left empty, so a column stays numeric for sums and charts, and
    the last column ('opmerking' / 'note') says 'te weinig deelnemers' on every row that
    has one.
    """
    texts = prompts or _builtin()
    locale = locale if locale in LOCALES else "nl"
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    headers = [
        texts.render(column.text_key, locale) + (" (%)" if column.kind == "rate" else "")
        for column in table.columns
    ]
    writer.writerow([*headers, texts.render("dashboard.column.note", locale)])
    suppressed = texts.render(SUPPRESSED.text_key, locale)
    for row in table.rows:
        values = []
        for cell, column in zip(row, table.columns, strict=True):
            if isinstance(cell, Suppressed) or cell is None:
                values.append("")
            elif isinstance(cell, Term):
                values.append(texts.render(f"dashboard.term.{cell.key}", locale))
            elif isinstance(cell, str):
                values.append(_csv_label(cell))
            elif column.kind == "rate":
                values.append(f"{cell * 100:.1f}".replace(".", decimal))
            else:
                values.append(_number(cell).replace(".", decimal))
        note = suppressed if any(isinstance(cell, Suppressed) for cell in row) else ""
        writer.writerow([*values, note])
    return out.getvalue()
