"""A cohort's pairing round: who takes part, the groups, the history, and the messages.

A round takes the cohort's active members who can be reached this round (people on a pause
that covers the round's first day, opted out or unreachable are left out and told nothing),
groups them with the algorithm of their cohort's mode, stores the groups as pair history,
and puts two messages per person in the outbox: the round's message now (partner, half an
hour, the PDCA agenda) and "did you meet?" on the round's last day. Everything happens in
the caller's transaction, so a round is stored and queued together or not at all; its
delivery keys make running the same round twice harmless.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, or_, select, update

from bot.due.items import DueItems
from bot.due.rules import resolve_local
from bot.due.schedule_store import reachable_on
from bot.organisation.cohorts import PAIRING_RHYTHM
from bot.outbox import deliveries
from bot.outbox.deliveries import GROUP_KIND, TEXT_FLOW
from bot.practices.pairing.algorithm import (
    History,
    Participant,
    match_mentors,
    pair_rotating,
    pair_steady,
)
from bot.storage.models import (
    Cohort,
    CohortMember,
    NeverPair,
    Organisation,
    PairingRound,
    PairMember,
    Person,
    Team,
    TeamMember,
    table_of,
)

HISTORY_ROUNDS = 26  # how far back a repeat counts, and how much history is loaded
MISSED_ROUNDS_BEFORE_ASKING = 3
STEADY, ROTATING, MENTORING = "steady", "rotating", "mentoring"
MODES = (STEADY, ROTATING, MENTORING)
_cohorts = table_of(Cohort)
_members = table_of(CohortMember)
_rounds = table_of(PairingRound)
_pairs = table_of(PairMember)
_people = table_of(Person)
_never = table_of(NeverPair)
_teams = table_of(Team)
_team_members = table_of(TeamMember)
_organisations = table_of(Organisation)


@dataclass(slots=True)
class RoundResult:
    cohort: str
    number: int
    starts_on: date
    ends_on: date
    groups: list[tuple[int, ...]] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)  # paused or away: told nothing
    alone: list[int] = field(default_factory=list)  # the only one taking part: told so


def next_round_at(weekday: int, periodic_time: time, timezone: str, after: datetime,
                  cadence_weeks: int = 1, *, first: bool = False) -> datetime:
    """The next start of a round on `weekday` at the periodic time, in the organisation's
    zone: the first such moment after `after`, or `cadence_weeks` weeks on from it."""
    zone = ZoneInfo(timezone)
    day = after.astimezone(zone).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while True:  # the first such moment after `after` ...
        moment = resolve_local(day, periodic_time, zone)
        if moment is not None and moment > after:
            break
        day += timedelta(weeks=1)
    if first or cadence_weeks == 1:
        return moment
    day += timedelta(weeks=cadence_weeks - 1)  # ... or the one `cadence_weeks` on from it
    while (later := resolve_local(day, periodic_time, zone)) is None:
        day += timedelta(weeks=1)
    return later


def _history(connection: Connection, cohort_id: int, number: int) -> tuple[
    History, dict[int, tuple[int, ...]], dict[int, int]
]:
    """Who met whom in the last rounds, the groups of the last round, and for every person
    how many rounds in a row (up to now) they said they did not meet."""
    rows = connection.execute(
        select(_rounds.c.number, _pairs.c.group_number, _pairs.c.person_id, _pairs.c.met)
        .join(_pairs, _pairs.c.round_id == _rounds.c.id)
        .where(_rounds.c.cohort_id == cohort_id,
               _rounds.c.number >= number - HISTORY_ROUNDS, _rounds.c.number < number)
        .order_by(_rounds.c.number)
    ).all()
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    not_met: dict[int, int] = defaultdict(int)
    for round_number, group, person, met in rows:
        groups[(round_number, group)].append(person)
        not_met[person] = not_met[person] + 1 if met is False else 0
    history = History()
    last: dict[int, tuple[int, ...]] = {}
    for (round_number, _), members in sorted(groups.items()):
        history.record([members], round_number)
        if round_number == number - 1:
            for person in members:
                last[person] = tuple(members)
    return history, last, dict(not_met)


def _new_quarter(connection: Connection, cohort_id: int, number: int, starts_on: date) -> bool:
    """Does this round start a quarter the previous round was not in?"""
    previous = connection.execute(
        select(_rounds.c.starts_on).where(_rounds.c.cohort_id == cohort_id,
                                          _rounds.c.number == number - 1)
    ).scalar()
    if previous is None:
        return False
    return (previous.year, (previous.month - 1) // 3) != (starts_on.year,
                                                          (starts_on.month - 1) // 3)


def _teams_of(connection: Connection, person_ids: list[int]) -> dict[int, str | None]:
    teams: dict[int, str | None] = dict.fromkeys(person_ids)
    for person, name in connection.execute(
        select(_team_members.c.person_id, _teams.c.name)
        .join(_teams, _teams.c.id == _team_members.c.team_id)
        .where(_team_members.c.person_id.in_(person_ids))
        .order_by(_teams.c.id)
    ):
        teams[person] = teams[person] or name
    return teams


def never_pairs(connection: Connection, organisation_id: int) -> set[frozenset[int]]:
    return {
        frozenset((a, b)) for a, b in connection.execute(
            select(_never.c.person_a, _never.c.person_b)
            .where(_never.c.organisation_id == organisation_id)
        )
    }


def run_round(
    connection: Connection, cohort_id: int, now: datetime, periodic_time: time,
    *, dry_run: bool = False, seed: int | None = None,
) -> RoundResult:
    """Pair the cohort for a new round starting now; store and queue it unless `dry_run`."""
    cohort = connection.execute(
        select(_cohorts, _organisations.c.default_timezone)
        .join(_organisations, _organisations.c.id == _cohorts.c.organisation_id)
        .where(_cohorts.c.id == cohort_id)
    ).one()
    zone = ZoneInfo(cohort.default_timezone)
    starts_on = now.astimezone(zone).date()
    ends_on = starts_on + timedelta(weeks=cohort.cadence_weeks) - timedelta(days=1)
    number = (connection.execute(
        select(func.max(_rounds.c.number)).where(_rounds.c.cohort_id == cohort_id)
    ).scalar() or 0) + 1
    members = connection.execute(
        select(_members.c.person_id, _members.c.role, _members.c.capacity,
               _members.c.wants_new_partner, _people.c.status, _people.c.paused_until)
        .join(_people, _people.c.id == _members.c.person_id)
        .where(_members.c.cohort_id == cohort_id, _members.c.left_at.is_(None))
        .order_by(_members.c.person_id)
    ).all()
    result = RoundResult(cohort.name, number, starts_on, ends_on)
    taking_part = [m for m in members
                   if reachable_on(m.status, m.paused_until, starts_on)]
    result.left_out = [m.person_id for m in members if m not in taking_part]
    history, last, not_met = _history(connection, cohort_id, number)
    teams = _teams_of(connection, [m.person_id for m in taking_part])
    never = never_pairs(connection, cohort.organisation_id)
    rng_seed = seed if seed is not None else cohort_id * 100_003 + number
    participants = [Participant(m.person_id, teams[m.person_id]) for m in taking_part]
    if cohort.mode == MENTORING:
        mentors = {m.person_id: m.capacity for m in taking_part if m.role in ("mentor", "buddy")}
        mentees = [p for p, m in zip(participants, taking_part, strict=True)
                   if m.role not in ("mentor", "buddy")]
        matched = match_mentors(mentees, mentors, history, seed=rng_seed, never=never,
                                mentor_teams={m: teams.get(m) for m in mentors})
        by_mentor: dict[int, list[int]] = defaultdict(list)
        for mentee, mentor in sorted(matched.items()):
            by_mentor[mentor].append(mentee)
        result.groups = [(mentor, mentee) for mentor, mentees_of in sorted(by_mentor.items())
                         for mentee in mentees_of]
    elif cohort.mode == ROTATING:
        result.groups = pair_rotating(participants, history, number, seed=rng_seed, never=never,
                                      avoid_rounds=HISTORY_ROUNDS)
    else:
        wanting_new = {m.person_id for m in taking_part if m.wants_new_partner}
        released = {group for group in last.values() if wanting_new.intersection(group)}
        if cohort.repair_quarterly and _new_quarter(connection, cohort_id, number, starts_on):
            released = set(last.values())  # the quarterly contract moment: new partners
        # Someone asking for a new partner needs someone else to be free as well: one
        # more group is re-paired with them (otherwise the two would meet again).
        others = sorted({group for group in last.values() if group not in released})
        released.update(others[:len(released)])
        current = {person: group for person, group in last.items() if group not in released}
        result.groups = pair_steady(participants, current, history, number, seed=rng_seed,
                                    never=never)
    grouped = {person for group in result.groups for person in group}
    result.alone = [p.id for p in participants if p.id not in grouped]
    if dry_run:
        return result
    round_id = connection.execute(
        _rounds.insert().values(cohort_id=cohort_id, number=number, starts_on=starts_on,
                                ends_on=ends_on, created_at=now).returning(_rounds.c.id)
    ).scalar_one()
    if result.groups:
        connection.execute(_pairs.insert(), [
            {"round_id": round_id, "person_id": person, "group_number": index, "met": None}
            for index, group in enumerate(result.groups) for person in group
        ])
    connection.execute(
        update(_members).where(_members.c.cohort_id == cohort_id,
                               _members.c.wants_new_partner)
        .values(wants_new_partner=False)
    )
    roles = {m.person_id: m.role for m in taking_part}
    _queue_messages(connection, cohort, round_id, result, not_met, now, zone, periodic_time,
                    roles)
    connection.execute(
        update(_cohorts).where(_cohorts.c.id == cohort_id).values(
            next_round_at=next_round_at(cohort.weekday, periodic_time, cohort.default_timezone,
                                        now, cohort.cadence_weeks))
    )
    return result


def names_of(connection: Connection, person_ids: list[int]) -> dict[int, str]:
    """Display names (or #id when a person has none), for messages and listings."""
    return {
        person: name or f"#{person}" for person, name in connection.execute(
            select(_people.c.id, _people.c.display_name).where(_people.c.id.in_(person_ids))
        )
    }


def _queue_messages(
    connection: Connection, cohort: Any, round_id: int, result: RoundResult,
    not_met: dict[int, int], now: datetime, zone: ZoneInfo, periodic_time: time,
    roles: dict[int, str],
) -> None:
    everyone = [person for group in result.groups for person in group] + result.alone
    names = names_of(connection, everyone)
    last_day = result.ends_on
    check_at = resolve_local(last_day, periodic_time, zone) or now
    round_end = resolve_local(last_day + timedelta(days=1), time(0, 0), zone) or check_at
    rows: list[deliveries.NewDelivery] = []
    base = {"cohort": cohort.name, "round_id": round_id,
            "cadence_weeks": cohort.cadence_weeks, "ends_on": last_day.isoformat()}

    def row(kind: str, person: int, flow: str, send_at: datetime, context: dict[str, Any],
            who: str | None = None) -> deliveries.NewDelivery:
        return deliveries.NewDelivery(
            deliveries.key(kind, who or person, cohort.id, result.number), person, kind,
            PAIRING_RHYTHM, flow, result.starts_on, send_at, round_end, context)

    # A mentor with several mentees is in several groups: one message names them all.
    partners_of: dict[int, list[int]] = defaultdict(list)
    for group in result.groups:
        rows.append(row(GROUP_KIND, group[0], f"{TEXT_FLOW}peer_review.group", now, {
            **base, "members": list(group), "mentoring": cohort.mode == MENTORING},
            who="-".join(map(str, group))))
        for person in group:
            partners_of[person] += [other for other in group if other != person]
    for person, others in partners_of.items():
        partners = [names[other] for other in dict.fromkeys(others)]
        context = {**base, "partners": partners}
        if cohort.mode == MENTORING:  # the mentor / buddy programme's own check-in
            rows.append(row("pairing", person, "mentor_checkin", now,
                            {**context, "role": _side(roles.get(person, "mentee"))}))
        else:
            rows.append(row("pairing", person, "peer_review", now, context))
        rows.append(row("met_check", person, "peer_met", max(check_at, now), {
            **context,
            "three_missed": not_met.get(person, 0) >= MISSED_ROUNDS_BEFORE_ASKING - 1,
        }))
    for person in result.alone:
        rows.append(row("pairing_alone", person, f"{TEXT_FLOW}peer_review.solo", now, base))
    deliveries.enqueue(connection, rows, now)


def _side(role: str) -> str:
    """mentor or buddy (they guide), mentee or newcomer (they are guided)."""
    return role if role in ("mentor", "buddy", "newcomer") else "mentee"


def due_cohorts(connection: Connection, now: datetime, only: int | None = None) -> list[int]:
    """Cohorts whose next round has come (locked on PostgreSQL, skipped by other replicas);
    `only` checks and locks that one cohort."""
    query = (
        select(_cohorts.c.id)
        .where(_cohorts.c.next_round_at <= now)
        .order_by(_cohorts.c.next_round_at)
        .with_for_update(skip_locked=True)
    )
    if only is not None:
        query = query.where(_cohorts.c.id == only)
    return list(connection.execute(query).scalars())


def record_met(connection: Connection, round_id: int, person_id: int, met: bool) -> int:
    """Store whether the person met their partner(s); returns the rounds in a row (this one
    included) in which they did not."""
    connection.execute(
        update(_pairs).where(_pairs.c.round_id == round_id, _pairs.c.person_id == person_id)
        .values(met=met)
    )
    if met:
        return 0
    answers = connection.execute(
        select(_pairs.c.met)
        .join(_rounds, _rounds.c.id == _pairs.c.round_id)
        .where(_pairs.c.person_id == person_id,
               _rounds.c.cohort_id == select(_rounds.c.cohort_id)
               .where(_rounds.c.id == round_id).scalar_subquery(),
               or_(_pairs.c.met.is_not(None), _pairs.c.round_id == round_id))
        .order_by(_rounds.c.number.desc())
        .limit(MISSED_ROUNDS_BEFORE_ASKING)
    ).scalars().all()
    missed = 0
    for answer in answers:
        if answer is not False:
            break
        missed += 1
    return missed


def ask_new_partner(connection: Connection, cohort_id: int, person_id: int) -> None:
    connection.execute(
        update(_members).where(_members.c.cohort_id == cohort_id,
                               _members.c.person_id == person_id)
        .values(wants_new_partner=True)
    )


@dataclass(frozen=True, slots=True)
class CurrentGroup:
    names: tuple[str, ...]
    last_met: date | None  # the last day of the latest round in which they said they met


def current_pairs(connection: Connection, cohort_id: int
                  ) -> tuple[int, date, date, list[CurrentGroup]] | None:
    """The latest round's groups, and for each when its members last met (any round)."""
    rows = connection.execute(
        select(_rounds.c.number, _rounds.c.starts_on, _rounds.c.ends_on, _pairs.c.group_number,
               _pairs.c.person_id, _pairs.c.met)
        .join(_pairs, _pairs.c.round_id == _rounds.c.id)
        .where(_rounds.c.cohort_id == cohort_id)
        .order_by(_rounds.c.number)
    ).all()
    if not rows:
        return None
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    met_in: dict[tuple[int, int], bool] = defaultdict(bool)
    ends: dict[int, date] = {}
    for number, _, ends_on, group, person, met in rows:
        groups[(number, group)].append(person)
        met_in[(number, group)] = met_in[(number, group)] or met is True
        ends[number] = ends_on
    latest = max(number for number, _ in groups)
    starts_on = next(row.starts_on for row in rows if row.number == latest)
    last_met: dict[frozenset[int], date] = {}
    for (number, group), members in groups.items():
        if met_in[(number, group)]:
            last_met[frozenset(members)] = max(ends[number],
                                               last_met.get(frozenset(members), ends[number]))
    names = names_of(connection, [p for (n, _), m in groups.items() if n == latest for p in m])
    current = [
        CurrentGroup(tuple(names[p] for p in members), last_met.get(frozenset(members)))
        for (number, _), members in sorted(groups.items()) if number == latest
    ]
    return latest, starts_on, ends[latest], current


ROUNDS: DueItems[RoundResult] = DueItems(
    "pairing rounds", due_cohorts,
    lambda connection, cohort_id, now, settings: run_round(
        connection, cohort_id, now, settings.periodic_time),
    lambda result: (f"pairing round {result.number} of {result.cohort}: "
                    f"{len(result.groups)} groups"),
)
