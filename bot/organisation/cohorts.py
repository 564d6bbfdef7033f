"""Who takes part in which cohort: joining and leaving, the channel whose members a cohort
enrols, and whom someone was paired with last.

The pairing practice runs the rounds (bot/practices/pairing/rounds.py); the turn enrols the
members of a cohort's channel, work sessions name their channel the same way, and the
overview shows the latest partners, so these live here, below the practices.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, and_, select, update

from bot.outbox import deliveries
from bot.storage.models import (
    Cohort,
    CohortMember,
    PairingRound,
    PairMember,
    Person,
    table_of,
)

_cohorts = table_of(Cohort)
_members = table_of(CohortMember)
_rounds = table_of(PairingRound)
_pairs = table_of(PairMember)
_people = table_of(Person)

PAIRING_RHYTHM = "pairing"  # the rhythm of every delivery a cohort queues


def queue_welcome(connection: Connection, cohort_id: int, person_id: int, now: datetime) -> None:
    """Tell someone enrolled by a facilitator what the cohort is and how to leave."""
    cohort = connection.execute(select(_cohorts).where(_cohorts.c.id == cohort_id)).one()
    context = {"cohort": cohort.name, "cohort_id": cohort.id, "mode": cohort.mode,
               "cadence_weeks": cohort.cadence_weeks, "weekday": cohort.weekday}
    stamp = now.strftime("%Y%m%d%H%M%S")
    deliveries.enqueue(connection, [deliveries.NewDelivery(
        deliveries.key(deliveries.FIRST_KIND, person_id, cohort_id, stamp), person_id,
        deliveries.FIRST_KIND, PAIRING_RHYTHM,
        "cohort_joined", now.date(), now, now + timedelta(days=7), context)], now)


def channel_key(platform: str, tenant: str, conversation: str) -> str:
    """How a cohort names its channel: "slack:T123:C456"."""
    return f"{platform}:{tenant}:{conversation}"


def split_channel(text: str) -> tuple[str, str, str]:
    """PLATFORM:WORKSPACE:CHANNEL from the command line; the channel may hold colons itself
    (a Teams team's "19:…@thread.tacv2")."""
    parts = [part.strip() for part in text.strip().split(":", 2)]
    if len(parts) != 3 or not all(parts):
        raise ValueError("a channel is PLATFORM:WORKSPACE:CHANNEL, e.g. slack:T0123:C0456")
    return parts[0], parts[1], parts[2]


def parse_channel_key(text: str) -> str:
    """A channel key from the command line, checked."""
    return channel_key(*split_channel(text))


def cohorts_of_channel(connection: Connection, key: str) -> list[int]:
    return list(connection.execute(
        select(_cohorts.c.id).where(_cohorts.c.channel == key).order_by(_cohorts.c.id)
    ).scalars())


def membership(connection: Connection, person_id: int) -> list[tuple[int, str]]:
    """The cohorts (id, name) the person takes part in now."""
    return [(cohort_id, name) for cohort_id, name in connection.execute(
        select(_cohorts.c.id, _cohorts.c.name)
        .join(_members, and_(_members.c.cohort_id == _cohorts.c.id,
                             _members.c.person_id == person_id))
        .where(_members.c.left_at.is_(None))
        .order_by(_cohorts.c.name)
    )]


def join(connection: Connection, cohort_id: int, person_id: int, now: datetime,
         role: str = "participant", capacity: int = 1) -> bool:
    """Enrol (or re-enrol) someone; False when they take part already."""
    found = connection.execute(
        select(_members.c.left_at).where(_members.c.cohort_id == cohort_id,
                                         _members.c.person_id == person_id)
    ).first()
    if found is not None and found.left_at is None:
        connection.execute(update(_members).where(
            _members.c.cohort_id == cohort_id, _members.c.person_id == person_id
        ).values(role=role, capacity=capacity))
        return False
    if found is None:
        connection.execute(_members.insert().values(
            cohort_id=cohort_id, person_id=person_id, role=role, capacity=capacity,
            wants_new_partner=False, joined_at=now))
    else:
        connection.execute(update(_members).where(
            _members.c.cohort_id == cohort_id, _members.c.person_id == person_id
        ).values(left_at=None, joined_at=now, role=role, capacity=capacity))
    return True


def leave(connection: Connection, cohort_id: int, person_id: int, now: datetime) -> bool:
    """Leave a cohort; the partner left behind is re-paired at the next round."""
    changed = connection.execute(
        update(_members).where(_members.c.cohort_id == cohort_id,
                               _members.c.person_id == person_id, _members.c.left_at.is_(None))
        .values(left_at=now)
    )
    return changed.rowcount == 1


def latest_partners(connection: Connection, person_id: int
                    ) -> tuple[tuple[str, ...], date] | None:
    """The partner(s) of the person's latest round in a cohort they still take part in, and
    that round's last day; None when they were never paired there (or were alone).

    What a person's overview shows as their next peer review. A mentor with several mentees
    is in several groups of one round: all of them are partners.
    """
    latest = connection.execute(
        select(_rounds.c.id, _rounds.c.ends_on)
        .join(_pairs, _pairs.c.round_id == _rounds.c.id)
        .join(_members, and_(_members.c.cohort_id == _rounds.c.cohort_id,
                             _members.c.person_id == _pairs.c.person_id))
        .where(_pairs.c.person_id == person_id, _members.c.left_at.is_(None))
        .order_by(_rounds.c.starts_on.desc(), _rounds.c.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    mine = _pairs.alias("mine")
    rows = connection.execute(
        select(_people.c.id, _people.c.display_name)
        .join(_pairs, _pairs.c.person_id == _people.c.id)
        .join(mine, and_(mine.c.round_id == _pairs.c.round_id,
                         mine.c.group_number == _pairs.c.group_number))
        .where(mine.c.round_id == latest.id, mine.c.person_id == person_id,
               _pairs.c.person_id != person_id)
        .order_by(_pairs.c.group_number, _people.c.id)
    ).all()
    if not rows:
        return None
    names = {partner: name or f"#{partner}" for partner, name in rows}
    return tuple(names.values()), latest.ends_on
