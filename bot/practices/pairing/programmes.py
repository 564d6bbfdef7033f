"""Running a pairing programme by hand: making a cohort, enrolling people or a whole team,
pausing and resuming it, and starting (or previewing) its next round.

`leercoach cohort …`/`pair` and the page `/admin/cohorts` both call these, so a cohort made
in either place is the same cohort. A paused cohort has no next round (`next_round_at` is
empty), which is exactly what keeps the sweep away from it; running a round by hand keeps
it paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Connection, func, select, update

from bot.core.text_input import clean_text
from bot.due.weekdays import WEEKDAYS
from bot.organisation import cohorts
from bot.organisation.teams import members as team_members
from bot.practices.pairing.rounds import MODES, RoundResult, next_round_at, run_round
from bot.storage.models import Cohort, CohortMember, NeverPair, Organisation, Person, table_of

CADENCES = (1, 2, 4)
MEMBER_ROLES = ("participant", "mentor", "mentee", "buddy", "newcomer")
NAME_LIMIT = 100
_cohorts = table_of(Cohort)
_members = table_of(CohortMember)
_organisations = table_of(Organisation)
_people = table_of(Person)
_never = table_of(NeverPair)


class CohortError(ValueError):
    """A cohort change that cannot be made as asked; `reason` names the polite text."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CohortRow:
    id: int
    name: str
    mode: str
    cadence_weeks: int
    weekday: int
    repair_quarterly: bool
    channel: str | None
    next_round_at: datetime | None
    members: int

    @property
    def paused(self) -> bool:
        return self.next_round_at is None

    @property
    def weekday_name(self) -> str:
        return WEEKDAYS[self.weekday]


def _first_round(connection: Connection, organisation_id: int, weekday: int,
                 periodic_time: time, now: datetime) -> datetime:
    zone = connection.execute(select(_organisations.c.default_timezone).where(
        _organisations.c.id == organisation_id)).scalar_one()
    return next_round_at(weekday, periodic_time, zone, now, first=True)


def create_cohort(connection: Connection, organisation_id: int, *, name: str,
                  mode: str = "steady", weekday: str = "mon", every: int = 1,
                  repair_quarterly: bool = False, channel: str | None = None,
                  now: datetime, periodic_time: time) -> CohortRow:
    """A new cohort whose first round is on the next `weekday` at the periodic time; a
    `channel` ("slack:T0123:C0456") enrols its members."""
    cleaned = " ".join(clean_text(name).split())
    if not cleaned:
        raise CohortError("name_empty", "a cohort needs a name")
    if len(cleaned) > NAME_LIMIT:
        raise CohortError("name_long", f"a cohort name is at most {NAME_LIMIT} characters")
    if mode not in MODES:
        raise CohortError("mode", f"the mode is one of {', '.join(MODES)}")
    if weekday not in WEEKDAYS:
        raise CohortError("weekday", f"the weekday is one of {', '.join(WEEKDAYS)}")
    if every not in CADENCES:
        raise CohortError("every", "a round lasts 1, 2 or 4 weeks")
    key = None
    if channel is not None and channel.strip():
        try:
            key = cohorts.parse_channel_key(channel)
        except ValueError as exc:
            raise CohortError("channel", str(exc)) from None
    if connection.execute(select(_cohorts.c.id).where(
            _cohorts.c.organisation_id == organisation_id,
            _cohorts.c.name == cleaned)).first() is not None:
        raise CohortError("exists", f"cohort {cleaned!r} exists already")
    day = WEEKDAYS.index(weekday)
    cohort_id = connection.execute(_cohorts.insert().values(
        organisation_id=organisation_id, name=cleaned, mode=mode, cadence_weeks=every,
        weekday=day, repair_quarterly=repair_quarterly, channel=key, created_at=now,
        next_round_at=_first_round(connection, organisation_id, day, periodic_time, now),
    ).returning(_cohorts.c.id)).scalar_one()
    return cohort_in(connection, organisation_id, int(cohort_id))


def list_cohorts(connection: Connection, organisation_id: int) -> list[CohortRow]:
    count = (select(func.count()).select_from(_members)
             .where(_members.c.cohort_id == _cohorts.c.id, _members.c.left_at.is_(None))
             .scalar_subquery())
    return [CohortRow(row.id, row.name, row.mode, row.cadence_weeks, row.weekday,
                      row.repair_quarterly, row.channel, row.next_round_at, int(row.members))
            for row in connection.execute(
                select(_cohorts, count.label("members"))
                .where(_cohorts.c.organisation_id == organisation_id)
                .order_by(_cohorts.c.name))]


def cohort_in(connection: Connection, organisation_id: int, cohort_id: int) -> CohortRow:
    """The organisation's cohort (an id from a form is checked)."""
    found = [row for row in list_cohorts(connection, organisation_id) if row.id == cohort_id]
    if not found:
        raise CohortError("unknown", f"there is no cohort #{cohort_id}")
    return found[0]


def cohort_named(connection: Connection, organisation_id: int, name: str) -> int:
    found = connection.execute(select(_cohorts.c.id).where(
        _cohorts.c.organisation_id == organisation_id,
        _cohorts.c.name == " ".join(name.split()))).scalar()
    if found is None:
        raise CohortError("unknown", f"there is no cohort {name!r}")
    return int(found)


def enrol(connection: Connection, cohort_id: int, person_id: int, now: datetime,
          role: str = "participant", capacity: int = 1) -> bool:
    """Enrol someone and tell them what it is and how to leave; False when they took part
    already (their role and capacity are updated)."""
    if role not in MEMBER_ROLES:
        raise CohortError("role", f"a member's role is one of {', '.join(MEMBER_ROLES)}")
    if not 1 <= capacity <= 20:
        raise CohortError("capacity", "a mentor takes on 1 to 20 mentees")
    joined = cohorts.join(connection, cohort_id, person_id, now, role, capacity)
    if joined:
        cohorts.queue_welcome(connection, cohort_id, person_id, now)
    return joined


def enrol_team(connection: Connection, cohort_id: int, team_id: int, now: datetime) -> int:
    """Enrol everyone in the team who does not take part yet; how many joined."""
    return sum(enrol(connection, cohort_id, person_id, now)
               for person_id, _ in team_members(connection, team_id))


def members_of(connection: Connection, cohort_id: int) -> list[tuple[int, str, str]]:
    """Who takes part now: (person id, name, role) by name."""
    return [(row.id, row.display_name or f"#{row.id}", row.role) for row in connection.execute(
        select(_people.c.id, _people.c.display_name, _members.c.role)
        .join(_members, _members.c.person_id == _people.c.id)
        .where(_members.c.cohort_id == cohort_id, _members.c.left_at.is_(None))
        .order_by(_people.c.display_name, _people.c.id))]


def pause_cohort(connection: Connection, cohort_id: int) -> None:
    """No more rounds until it is resumed; the current round runs its course."""
    connection.execute(update(_cohorts).where(_cohorts.c.id == cohort_id)
                       .values(next_round_at=None))


def resume_cohort(connection: Connection, organisation_id: int, cohort_id: int,
                  now: datetime, periodic_time: time) -> datetime:
    """Rounds again, the first on the cohort's next weekday; when that is."""
    row = cohort_in(connection, organisation_id, cohort_id)
    moment = _first_round(connection, organisation_id, row.weekday, periodic_time, now)
    connection.execute(update(_cohorts).where(_cohorts.c.id == cohort_id)
                       .values(next_round_at=moment))
    return moment


def start_round(connection: Connection, cohort_id: int, now: datetime, periodic_time: time,
                *, dry_run: bool = False) -> RoundResult:
    """The next round now (stored and announced), or with `dry_run` only who would be
    grouped with whom; a paused cohort stays paused."""
    paused = connection.execute(select(_cohorts.c.next_round_at).where(
        _cohorts.c.id == cohort_id)).scalar() is None
    result = run_round(connection, cohort_id, now, periodic_time, dry_run=dry_run)
    if paused and not dry_run:
        pause_cohort(connection, cohort_id)
    return result


REASON_LIMIT = 200


def keep_apart(connection: Connection, organisation_id: int, first: int, second: int,
               reason: str = "") -> bool:
    """Two people are never paired in any of the organisation's cohorts (a manager and
    their report, say); False when that was so already."""
    if first == second:
        raise CohortError("same_person", "give two different people")
    cleaned = " ".join(clean_text(reason).split())
    if len(cleaned) > REASON_LIMIT:
        raise CohortError("reason_long", f"a reason is at most {REASON_LIMIT} characters")
    low, high = sorted((first, second))
    found = connection.execute(select(_never.c.person_a).where(
        _never.c.organisation_id == organisation_id, _never.c.person_a == low,
        _never.c.person_b == high)).first()
    if found is not None:
        return False
    connection.execute(_never.insert().values(organisation_id=organisation_id, person_a=low,
                                              person_b=high, reason=cleaned))
    return True


def let_meet(connection: Connection, organisation_id: int, first: int, second: int) -> bool:
    """Undo `keep_apart`; False when they were not kept apart."""
    low, high = sorted((first, second))
    changed = connection.execute(_never.delete().where(
        _never.c.organisation_id == organisation_id, _never.c.person_a == low,
        _never.c.person_b == high))
    return changed.rowcount == 1


def kept_apart(connection: Connection, organisation_id: int
               ) -> list[tuple[int, str, int, str, str]]:
    """Who is never paired with whom: (id, name, id, name, reason)."""
    first, second = _people.alias("first"), _people.alias("second")
    return [(row.person_a, row.first_name or f"#{row.person_a}", row.person_b,
             row.second_name or f"#{row.person_b}", row.reason or "")
            for row in connection.execute(
                select(_never.c.person_a, _never.c.person_b, _never.c.reason,
                       first.c.display_name.label("first_name"),
                       second.c.display_name.label("second_name"))
                .join(first, first.c.id == _never.c.person_a)
                .join(second, second.c.id == _never.c.person_b)
                .where(_never.c.organisation_id == organisation_id)
                .order_by(first.c.display_name, second.c.display_name))]
