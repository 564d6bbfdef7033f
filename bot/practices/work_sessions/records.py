"""Action-learning work sessions per team (seed 000): the series, its sessions, the agenda
items and their votes, the decisions and learnings recorded afterwards, the experiments.

A series (`leercoach worksession add`) meets every two or four weeks in the team's channel.
The scheduler's tick opens the next session COLLECT_BEFORE ahead (`open_session`): it
queues, in one transaction with the session row, the call for agenda items for every
member, the agenda for the facilitator to post (AGENDA_BEFORE the start), the question to
record decisions and learnings (RECORD_AFTER the start). A decision's owner is asked how it
stands FOLLOW_UP_BEFORE the next session, an experiment's owner how it goes
REMINDER_BEFORE it (a day apart from the call for items, so two questions never cross);
those deliveries are queued when the decision gets its owner and when the experiment
starts (or, for one still running, when the next session opens), and an experiment that
ends takes its pending reminder back. Delivery keys make running any of this twice
harmless.

The team's members are its `team_members` plus the people of a cohort tied to the same
channel (who the Slack adapter keeps in step with the channel); whoever proposes or votes
joins the team, so they are asked next time. This module is the data side; the chat side
is bot/practices/work_sessions/hooks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.core.messages import Address
from bot.due.items import DueItems
from bot.due.rules import resolve_local
from bot.organisation.cohorts import channel_key, split_channel
from bot.organisation.teams import add_member
from bot.outbox import deliveries
from bot.outbox.deliveries import TEXT_FLOW
from bot.storage.models import (
    AgendaItem,
    AgendaVote,
    Cohort,
    CohortMember,
    Experiment,
    ExperimentLog,
    Organisation,
    Person,
    Team,
    TeamMember,
    WorkOutcome,
    WorkSession,
    WorkSessionSeries,
    table_of,
)

COLLECT_BEFORE = timedelta(days=3)  # members are asked for agenda items
AGENDA_BEFORE = timedelta(days=1)  # the facilitator gets the agenda to post
RECORD_AFTER = timedelta(hours=2)  # the facilitator is asked what was decided and learned
RECORD_WINDOW = timedelta(days=7)
FOLLOW_UP_BEFORE = timedelta(days=4)  # owners say how their decisions stand
REMINDER_BEFORE = timedelta(days=5)  # experiment owners: how is it going?
RECORD_EARLY = timedelta(hours=12)  # a session about to start may be recorded already
MAX_VOTES = 3  # per person per session: priorities, not a wish list
CADENCES = (2, 4)
KINDS = ("topic", "decision", "experiment")
STATUSES = ("open", "done", "ongoing", "stuck")
TEXT_LIMIT = 500
RHYTHM = "worksession"
ITEMS_FLOW, AGENDA_FLOW, RECORD_FLOW = ("worksession_propose", "worksession_agenda",
                                        "worksession_record")
FOLLOW_UP_FLOW = "worksession_followup"
EXPERIMENT_REMINDER = "ws_exp"  # the key's first part: how is the experiment going?

_series = table_of(WorkSessionSeries)
_sessions = table_of(WorkSession)
_items = table_of(AgendaItem)
_votes = table_of(AgendaVote)
_outcomes = table_of(WorkOutcome)
_experiments = table_of(Experiment)
_logs = table_of(ExperimentLog)
_teams = table_of(Team)
_team_members = table_of(TeamMember)
_cohorts = table_of(Cohort)
_cohort_members = table_of(CohortMember)
_people = table_of(Person)
_organisations = table_of(Organisation)


class WorkSessionError(ValueError):
    """A series that cannot be stored as given; the message says why."""


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """A session with what the chat needs of its series."""

    id: int
    series_id: int
    organisation_id: int
    team_id: int
    team: str
    starts_at: datetime
    timezone: str
    platform: str
    tenant: str
    conversation: str
    facilitator_id: int | None
    agenda_posted_at: datetime | None

    @property
    def channel(self) -> Address:
        return Address(self.platform, self.tenant, "", self.conversation)

    def local_start(self) -> datetime:
        return self.starts_at.astimezone(_zone(self.timezone))

    def when(self) -> dict[str, Any]:
        """`date` and `time` for texts (format_date(date) in the reader's language)."""
        local = self.local_start()
        return {"team": self.team, "date": local.date(), "time": local.strftime("%H:%M")}


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


# -- the series ------------------------------------------------------------------------------


def parse_channel(text: str) -> tuple[str, str, str]:
    """PLATFORM:WORKSPACE:CHANNEL (bot/organisation/cohorts.py), as a work-session error."""
    try:
        return split_channel(text)
    except ValueError as exc:
        raise WorkSessionError(str(exc)) from None


def parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise WorkSessionError(f"--time must look like 14:00, got {text!r}") from None


def first_start(weekday: int, at: time, timezone: str, after: datetime,
                first: date | None = None) -> datetime:
    """The first session: on `first` when given, else the first `weekday` at `at` after
    `after` (in the organisation's zone)."""
    zone = _zone(timezone)
    if first is not None:
        if first.weekday() != weekday:
            raise WorkSessionError(f"{first.isoformat()} is not on the weekday given")
        moment = resolve_local(first, at, zone)
        if moment is None or moment <= after:
            raise WorkSessionError(f"{first.isoformat()} {at:%H:%M} has passed already")
        return moment
    day = after.astimezone(zone).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while True:
        moment = resolve_local(day, at, zone)
        if moment is not None and moment > after:
            return moment
        day += timedelta(weeks=1)


def following_start(previous: datetime, weekday: int, at: time, timezone: str,
                    cadence_weeks: int) -> datetime:
    """The session `cadence_weeks` after `previous` (a day without that moment is skipped)."""
    zone = _zone(timezone)
    day = previous.astimezone(zone).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while True:
        day += timedelta(weeks=cadence_weeks)
        moment = resolve_local(day, at, zone)
        if moment is not None and moment > previous:
            return moment


def _team(connection: Connection, organisation_id: int, name: str,
          create_at: datetime | None = None) -> int | None:
    """The team's id; created (at `create_at`) when given and it does not exist yet."""
    name = " ".join(name.split())
    if not name:
        raise WorkSessionError("a team needs a name")
    found = connection.execute(select(_teams.c.id).where(
        _teams.c.organisation_id == organisation_id, _teams.c.name == name)).scalar()
    if found is not None or create_at is None:
        return int(found) if found is not None else None
    if len(name) > 200:
        raise WorkSessionError("a team name is at most 200 characters")
    return int(connection.execute(_teams.insert().values(
        organisation_id=organisation_id, name=name, kind="team",
        created_at=create_at).returning(_teams.c.id)).scalar_one())


@dataclass(frozen=True, slots=True)
class SeriesSaved:
    series_id: int
    created: bool
    next_starts_at: datetime


def save_series(
    connection: Connection, organisation_id: int, *, team: str, channel: str,
    cadence_weeks: int, weekday: int, at: time, facilitator_id: int | None, now: datetime,
    first: date | None = None,
) -> SeriesSaved:
    """Plan a team's work sessions; a team that has them already gets the new plan."""
    if cadence_weeks not in CADENCES:
        raise WorkSessionError("--every is 2 or 4 (weeks)")
    platform, tenant, conversation = parse_channel(channel)
    timezone = connection.execute(select(_organisations.c.default_timezone).where(
        _organisations.c.id == organisation_id)).scalar_one()
    team_id = _team(connection, organisation_id, team, now)
    assert team_id is not None
    starts = first_start(weekday, at, timezone, now, first)
    values = {"organisation_id": organisation_id, "platform": platform, "tenant": tenant,
              "conversation": conversation, "cadence_weeks": cadence_weeks,
              "weekday": weekday, "local_time": at, "facilitator_id": facilitator_id,
              "next_starts_at": starts, "active": True}
    existing = connection.execute(select(_series.c.id).where(
        _series.c.team_id == team_id)).scalar()
    if existing is not None:
        connection.execute(update(_series).where(_series.c.id == existing).values(**values))
        return SeriesSaved(int(existing), False, starts)
    series_id = connection.execute(_series.insert().values(
        team_id=team_id, created_at=now, **values).returning(_series.c.id)).scalar_one()
    return SeriesSaved(int(series_id), True, starts)


def stop_series(connection: Connection, organisation_id: int, team: str) -> bool:
    """No more sessions for the team (what was recorded stays)."""
    team_id = _team(connection, organisation_id, team)
    if team_id is None:
        return False
    changed = connection.execute(update(_series).where(
        _series.c.team_id == team_id, _series.c.active).values(active=False))
    return changed.rowcount == 1


def team_id_of(connection: Connection, organisation_id: int, team: str) -> int | None:
    return _team(connection, organisation_id, team)


def members(connection: Connection, series_id: int) -> list[int]:
    """The team's members, the people of a cohort tied to its channel, its facilitator."""
    series = connection.execute(select(_series).where(_series.c.id == series_id)).one()
    team = set(connection.execute(select(_team_members.c.person_id).where(
        _team_members.c.team_id == series.team_id)).scalars())
    key = channel_key(series.platform, series.tenant, series.conversation)
    team.update(connection.execute(
        select(_cohort_members.c.person_id)
        .join(_cohorts, _cohorts.c.id == _cohort_members.c.cohort_id)
        .where(_cohorts.c.channel == key, _cohort_members.c.left_at.is_(None))).scalars())
    if series.facilitator_id is not None:
        team.add(series.facilitator_id)
    return sorted(team)


@dataclass(frozen=True, slots=True)
class SeriesRow:
    team: str
    channel: str
    cadence_weeks: int
    weekday: int
    local_time: time
    timezone: str
    facilitator: str
    next_starts_at: datetime | None
    active: bool
    members: int
    sessions: int


def list_series(connection: Connection, organisation_id: int) -> list[SeriesRow]:
    rows = connection.execute(
        select(_series, _teams.c.name, _organisations.c.default_timezone,
               _people.c.display_name)
        .join(_teams, _teams.c.id == _series.c.team_id)
        .join(_organisations, _organisations.c.id == _series.c.organisation_id)
        .join(_people, _people.c.id == _series.c.facilitator_id, isouter=True)
        .where(_series.c.organisation_id == organisation_id)
        .order_by(_teams.c.name)).all()
    found = []
    for row in rows:
        held = connection.execute(select(func.count()).select_from(_sessions).where(
            _sessions.c.series_id == row.id)).scalar_one()
        found.append(SeriesRow(
            team=row.name, channel=f"{row.platform}:{row.tenant}:{row.conversation}",
            cadence_weeks=row.cadence_weeks, weekday=row.weekday, local_time=row.local_time,
            timezone=row.default_timezone,
            facilitator=row.display_name or (f"#{row.facilitator_id}"
                                             if row.facilitator_id else "-"),
            next_starts_at=row.next_starts_at, active=row.active,
            members=len(members(connection, row.id)), sessions=int(held)))
    return found


# -- opening a session (the scheduler's tick) --------------------------------------------------


def due_series(connection: Connection, now: datetime, only: int | None = None) -> list[int]:
    """Series whose next session is to be opened (locked on PostgreSQL, skipped by other
    replicas); `only` checks and locks that one series."""
    query = (select(_series.c.id)
             .where(_series.c.active, _series.c.next_starts_at <= now + COLLECT_BEFORE)
             .order_by(_series.c.next_starts_at)
             .with_for_update(skip_locked=True))
    if only is not None:
        query = query.where(_series.c.id == only)
    return list(connection.execute(query).scalars())


def _session_row(connection: Connection, series_id: int, starts_at: datetime,
                 now: datetime) -> int:
    """The session's id; made when it is not there yet (an early item, or the tick), and
    made once however many turns and replicas try at the same moment."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(insert(_sessions).values(
        series_id=series_id, starts_at=starts_at, created_at=now,
    ).on_conflict_do_nothing(index_elements=["series_id", "starts_at"]))
    return int(connection.execute(select(_sessions.c.id).where(
        _sessions.c.series_id == series_id, _sessions.c.starts_at == starts_at)).scalar_one())


def _delivery(key: str, person_id: int, kind: str, flow_id: str, due: datetime,
              expires: datetime, context: dict[str, Any], zone: ZoneInfo
              ) -> deliveries.NewDelivery:
    return deliveries.NewDelivery(key[:deliveries.KEY_LENGTH], person_id, kind, RHYTHM,
                                  flow_id, due.astimezone(zone).date(), due, expires, context)


def open_session(connection: Connection, series_id: int, now: datetime) -> int | None:
    """Open the series' next session: its row, the call for agenda items to every member,
    the agenda and the record question for the facilitator, reminders for experiments
    still running; then move the series on. Returns the session's id."""
    series = connection.execute(
        select(_series, _organisations.c.default_timezone)
        .join(_organisations, _organisations.c.id == _series.c.organisation_id)
        .where(_series.c.id == series_id)).one()
    if not series.active or series.next_starts_at is None:
        return None
    starts_at: datetime = series.next_starts_at
    if starts_at <= now:  # missed while the scheduler was down: plan the next one
        while starts_at <= now:
            starts_at = following_start(starts_at, series.weekday, series.local_time,
                                        series.default_timezone, series.cadence_weeks)
        connection.execute(update(_series).where(_series.c.id == series_id).values(
            next_starts_at=starts_at))
        return None
    zone = _zone(series.default_timezone)
    session_id = _session_row(connection, series_id, starts_at, now)
    context = {"session_id": session_id}
    collect_until = starts_at - AGENDA_BEFORE if starts_at - AGENDA_BEFORE > now else starts_at
    rows = [_delivery(deliveries.key("ws_items", person, session_id), person, "ws_items",
                      ITEMS_FLOW, now, collect_until, context, zone)
            for person in members(connection, series_id)]
    following = following_start(starts_at, series.weekday, series.local_time,
                                series.default_timezone, series.cadence_weeks)
    if series.facilitator_id is not None:
        facilitator = series.facilitator_id
        rows.append(_delivery(deliveries.key("ws_agenda", session_id), facilitator,
                              "ws_agenda", AGENDA_FLOW, max(now, starts_at - AGENDA_BEFORE),
                              starts_at, context, zone))
        rows.append(_delivery(deliveries.key("ws_record", session_id), facilitator,
                              "ws_record", RECORD_FLOW, starts_at + RECORD_AFTER,
                              starts_at + RECORD_WINDOW, context, zone))
    for experiment in connection.execute(
            select(_experiments.c.id, _experiments.c.owner_id, _experiments.c.title)
            .join(_sessions, _sessions.c.id == _experiments.c.session_id)
            .where(_sessions.c.series_id == series_id, _sessions.c.starts_at <= starts_at,
                   _experiments.c.state == "running")):
        rows.append(_reminder(experiment.id, experiment.owner_id, experiment.title,
                              following, zone, now))
    deliveries.enqueue(connection, rows, now)
    connection.execute(update(_series).where(_series.c.id == series_id).values(
        next_starts_at=following))
    return session_id


def _reminder(experiment_id: int, owner_id: int, title: str, before: datetime,
              zone: ZoneInfo, now: datetime) -> deliveries.NewDelivery:
    """How is the experiment going? REMINDER_BEFORE the session that starts at `before`."""
    return _delivery(deliveries.key(EXPERIMENT_REMINDER, experiment_id,
                                    f"{before:%Y%m%d%H%M}"),
                     owner_id, "ws_experiment", f"{TEXT_FLOW}worksession.experiment_reminder",
                     max(now, before - REMINDER_BEFORE), before, {"title": title}, zone)


# -- finding a session -----------------------------------------------------------------------


def _info_query() -> Any:
    return (select(_sessions.c.id, _sessions.c.series_id, _sessions.c.starts_at,
                   _sessions.c.agenda_posted_at, _series.c.organisation_id,
                   _series.c.team_id, _series.c.platform, _series.c.tenant,
                   _series.c.conversation, _series.c.facilitator_id, _teams.c.name,
                   _organisations.c.default_timezone)
            .join(_series, _series.c.id == _sessions.c.series_id)
            .join(_teams, _teams.c.id == _series.c.team_id)
            .join(_organisations, _organisations.c.id == _series.c.organisation_id))


def _info(row: Any) -> SessionInfo:
    return SessionInfo(
        id=row.id, series_id=row.series_id, organisation_id=row.organisation_id,
        team_id=row.team_id, team=row.name, starts_at=row.starts_at,
        timezone=row.default_timezone, platform=row.platform, tenant=row.tenant,
        conversation=row.conversation, facilitator_id=row.facilitator_id,
        agenda_posted_at=row.agenda_posted_at)


def session_info(connection: Connection, session_id: Any) -> SessionInfo | None:
    if not isinstance(session_id, int):
        return None
    row = connection.execute(_info_query().where(_sessions.c.id == session_id)).first()
    return _info(row) if row is not None else None


def _series_of(connection: Connection, person_id: int, channel: Address | None) -> list[int]:
    """The series of the channel the person typed in; else those they take part in."""
    if channel is not None:
        return list(connection.execute(select(_series.c.id).where(
            _series.c.active, _series.c.platform == channel.platform,
            _series.c.tenant == channel.tenant,
            _series.c.conversation == channel.conversation)).scalars())
    found = []
    for series_id, facilitator in connection.execute(
            select(_series.c.id, _series.c.facilitator_id).where(_series.c.active)):
        if facilitator == person_id or person_id in members(connection, series_id):
            found.append(series_id)
    return found


def upcoming_session(connection: Connection, person_id: int, channel: Address | None,
                     now: datetime) -> SessionInfo | None:
    """The next session the person can propose items for (created ahead of the tick when
    someone brings an item early)."""
    best: tuple[datetime, int] | None = None
    for series_id in _series_of(connection, person_id, channel):
        row = connection.execute(
            select(_sessions.c.starts_at, _sessions.c.id)
            .where(_sessions.c.series_id == series_id, _sessions.c.starts_at > now)
            .order_by(_sessions.c.starts_at).limit(1)).first()
        if row is not None:
            opened: tuple[datetime, int] = (row.starts_at, row.id)
        else:
            starts = connection.execute(select(_series.c.next_starts_at).where(
                _series.c.id == series_id)).scalar()
            if starts is None:
                continue
            opened = (starts, _session_row(connection, series_id, starts, now))
        if best is None or opened[0] < best[0]:
            best = opened
    return session_info(connection, best[1]) if best else None


def recording_session(connection: Connection, person_id: int, channel: Address | None,
                      now: datetime) -> SessionInfo | None:
    """The latest session that has begun (or is about to), to record decisions for."""
    series = _series_of(connection, person_id, channel)
    if not series:
        return None
    row = connection.execute(
        _info_query().where(_sessions.c.series_id.in_(series),
                            _sessions.c.starts_at <= now + RECORD_EARLY)
        .order_by(_sessions.c.starts_at.desc()).limit(1)).first()
    return _info(row) if row is not None else None


# -- agenda items and votes -------------------------------------------------------------------


def add_item(connection: Connection, session: SessionInfo, proposer_id: int, kind: str,
             text: str, now: datetime) -> tuple[int, int | None]:
    """An item on the agenda (the proposer joins the team); an experiment also starts
    the experiment, owned by the proposer. Returns the item's and experiment's ids."""
    kind = kind if kind in KINDS else "topic"
    item_id = int(connection.execute(_items.insert().values(
        session_id=session.id, proposer_id=proposer_id, kind=kind, text=text[:TEXT_LIMIT],
        created_at=now).returning(_items.c.id)).scalar_one())
    add_member(connection, session.team_id, proposer_id, now)
    experiment_id = None
    if kind == "experiment":
        experiment_id = int(connection.execute(_experiments.insert().values(
            organisation_id=session.organisation_id, owner_id=proposer_id,
            session_id=session.id, item_id=item_id, title=text[:TEXT_LIMIT],
            state="running", shared=False, started_at=now,
        ).returning(_experiments.c.id)).scalar_one())
        following = next_session_start(connection, session)
        if following is not None and following > now:
            deliveries.enqueue(connection, [_reminder(
                experiment_id, proposer_id, text[:TEXT_LIMIT], following,
                _zone(session.timezone), now)], now)
    return item_id, experiment_id


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    session_id: int
    kind: str
    text: str
    proposer_id: int | None


def item(connection: Connection, item_id: int) -> Item | None:
    row = connection.execute(select(_items).where(_items.c.id == item_id)).first()
    if row is None:
        return None
    return Item(row.id, row.session_id, row.kind, row.text, row.proposer_id)


def votes_used(connection: Connection, session_id: int, person_id: int) -> int:
    return int(connection.execute(
        select(func.count()).select_from(_votes)
        .join(_items, _items.c.id == _votes.c.item_id)
        .where(_items.c.session_id == session_id, _votes.c.person_id == person_id)
    ).scalar_one())


def votes_for(connection: Connection, item_id: int) -> int:
    return int(connection.execute(select(func.count()).select_from(_votes).where(
        _votes.c.item_id == item_id)).scalar_one())


def voted_items(connection: Connection, session_id: int, person_id: int) -> set[int]:
    return set(connection.execute(
        select(_votes.c.item_id).join(_items, _items.c.id == _votes.c.item_id)
        .where(_items.c.session_id == session_id, _votes.c.person_id == person_id)).scalars())


def toggle_vote(connection: Connection, found: Item, person_id: int, now: datetime) -> str:
    """A vote for the item, or taken back when there was one: "added", "removed", or
    "limit" when the person used all MAX_VOTES of the session."""
    removed = connection.execute(_votes.delete().where(
        _votes.c.item_id == found.id, _votes.c.person_id == person_id))
    if removed.rowcount:
        return "removed"
    if votes_used(connection, found.session_id, person_id) >= MAX_VOTES:
        return "limit"
    connection.execute(_votes.insert().values(item_id=found.id, person_id=person_id,
                                              created_at=now))
    return "added"


def _names(connection: Connection, ids: set[int | None]) -> dict[int, str]:
    known = [i for i in ids if i is not None]
    if not known:
        return {}
    return {person: (name or f"#{person}").split(" ")[0] for person, name in connection.execute(
        select(_people.c.id, _people.c.display_name).where(_people.c.id.in_(known)))}


def agenda_items(connection: Connection, session_id: int) -> list[dict[str, Any]]:
    """The session's items, most votes first (earliest proposed first among equals)."""
    votes = (select(_votes.c.item_id, func.count().label("votes"))
             .group_by(_votes.c.item_id).subquery())
    rows = connection.execute(
        select(_items, func.coalesce(votes.c.votes, 0).label("votes"))
        .join(votes, votes.c.item_id == _items.c.id, isouter=True)
        .where(_items.c.session_id == session_id)
        .order_by(func.coalesce(votes.c.votes, 0).desc(), _items.c.id)).all()
    names = _names(connection, {row.proposer_id for row in rows})
    return [{"id": row.id, "kind": row.kind, "text": row.text, "votes": int(row.votes),
             "proposer": names.get(row.proposer_id or 0, "?")} for row in rows]


def open_decisions(connection: Connection, session: SessionInfo) -> list[dict[str, Any]]:
    """What earlier sessions of the series decided: all of the previous session's
    decisions, and older ones not done yet."""
    previous = connection.execute(
        select(_sessions.c.id).where(_sessions.c.series_id == session.series_id,
                                     _sessions.c.starts_at < session.starts_at)
        .order_by(_sessions.c.starts_at.desc()).limit(1)).scalar()
    if previous is None:
        return []
    rows = connection.execute(
        select(_outcomes).join(_sessions, _sessions.c.id == _outcomes.c.session_id)
        .where(_sessions.c.series_id == session.series_id,
               _sessions.c.starts_at < session.starts_at, _outcomes.c.kind == "decision",
               or_(_outcomes.c.session_id == previous, _outcomes.c.status != "done"))
        .order_by(_outcomes.c.id)).all()
    names = _names(connection, {row.owner_id for row in rows})
    return [{"id": row.id, "text": row.text, "owner": names.get(row.owner_id or 0, "?"),
             "status": row.status, "note": row.note or ""} for row in rows]


def running_experiments_of_series(connection: Connection, session: SessionInfo
                                  ) -> list[dict[str, Any]]:
    """Experiments begun at earlier sessions of the series and still running."""
    rows = connection.execute(
        select(_experiments.c.id, _experiments.c.title, _experiments.c.owner_id)
        .join(_sessions, _sessions.c.id == _experiments.c.session_id)
        .where(_sessions.c.series_id == session.series_id,
               _sessions.c.starts_at < session.starts_at, _experiments.c.state == "running")
        .order_by(_experiments.c.id)).all()
    names = _names(connection, {row.owner_id for row in rows})
    return [{"id": row.id, "title": row.title, "owner": names.get(row.owner_id, "?"),
             "logs": len(logs(connection, row.id))} for row in rows]


def agenda(connection: Connection, session: SessionInfo) -> dict[str, Any]:
    """Everything the agenda text shows."""
    return {**session.when(), "items": agenda_items(connection, session.id),
            "previous": open_decisions(connection, session),
            "experiments": running_experiments_of_series(connection, session)}


def mark_agenda_posted(connection: Connection, session_id: int, now: datetime) -> None:
    connection.execute(update(_sessions).where(_sessions.c.id == session_id).values(
        agenda_posted_at=now))


# -- decisions and learnings -------------------------------------------------------------------


def record(connection: Connection, session: SessionInfo, kind: str, text: str,
           recorded_by: int, now: datetime, owner_id: int | None = None) -> int:
    outcome_id = int(connection.execute(_outcomes.insert().values(
        session_id=session.id, kind=kind, text=text[:TEXT_LIMIT], owner_id=owner_id,
        status="open", recorded_by=recorded_by, created_at=now,
    ).returning(_outcomes.c.id)).scalar_one())
    if owner_id is not None:
        set_owner(connection, outcome_id, owner_id, now)
    return outcome_id


@dataclass(frozen=True, slots=True)
class Outcome:
    id: int
    session_id: int
    kind: str
    text: str
    owner_id: int | None
    status: str


def outcome(connection: Connection, outcome_id: Any) -> Outcome | None:
    if not isinstance(outcome_id, int):
        return None
    row = connection.execute(select(_outcomes).where(_outcomes.c.id == outcome_id)).first()
    if row is None:
        return None
    return Outcome(row.id, row.session_id, row.kind, row.text, row.owner_id, row.status)


def set_owner(connection: Connection, outcome_id: int, owner_id: int, now: datetime) -> None:
    """The decision's owner; they are asked how it stands before the next session."""
    connection.execute(update(_outcomes).where(_outcomes.c.id == outcome_id).values(
        owner_id=owner_id, updated_at=now))
    queue_follow_up(connection, outcome_id, now)


def next_session_start(connection: Connection, session: SessionInfo) -> datetime | None:
    """When the session after `session` starts: one opened already, else the series' plan."""
    opened = connection.execute(
        select(_sessions.c.starts_at).where(_sessions.c.series_id == session.series_id,
                                            _sessions.c.starts_at > session.starts_at)
        .order_by(_sessions.c.starts_at).limit(1)).scalar()
    if opened is not None:
        return opened  # type: ignore[no-any-return]
    planned = connection.execute(select(_series).where(
        _series.c.id == session.series_id)).one()
    if not planned.active:
        return None
    if planned.next_starts_at is not None and planned.next_starts_at > session.starts_at:
        return planned.next_starts_at  # type: ignore[no-any-return]
    return following_start(session.starts_at, planned.weekday, planned.local_time,
                           session.timezone, planned.cadence_weeks)


def queue_follow_up(connection: Connection, outcome_id: int, now: datetime) -> datetime | None:
    """The owner's follow-up, FOLLOW_UP_BEFORE the next session (at once when that is
    sooner); None when there is no next session to prepare."""
    found = outcome(connection, outcome_id)
    session = session_info(connection, found.session_id) if found else None
    if found is None or session is None or found.owner_id is None:
        return None
    starts = next_session_start(connection, session)
    if starts is None or starts <= now:
        return None
    due = max(now, starts - FOLLOW_UP_BEFORE)
    deliveries.enqueue(connection, [_delivery(
        deliveries.key("ws_follow", outcome_id, found.owner_id), found.owner_id,
        "ws_followup", FOLLOW_UP_FLOW, due, starts,
        {"outcome_id": outcome_id, "session_id": session.id}, _zone(session.timezone))], now)
    return due


def follow_up(connection: Connection, outcome_id: int, status: str, note: str | None,
              now: datetime) -> None:
    connection.execute(update(_outcomes).where(_outcomes.c.id == outcome_id).values(
        status=status if status in STATUSES else "open", note=note, updated_at=now))


def outcomes_of(connection: Connection, session_id: int) -> dict[str, list[dict[str, Any]]]:
    rows = connection.execute(select(_outcomes).where(_outcomes.c.session_id == session_id)
                              .order_by(_outcomes.c.id)).all()
    names = _names(connection, {row.owner_id for row in rows})
    return {
        "decisions": [{"text": r.text, "owner": names.get(r.owner_id or 0, "?")}
                      for r in rows if r.kind == "decision"],
        "learnings": [{"text": r.text} for r in rows if r.kind == "learning"],
    }


def member_choices(connection: Connection, session_id: Any) -> list[tuple[int, str]]:
    """Who can own a decision: the team, and whoever proposed or voted for this session."""
    session = session_info(connection, session_id)
    if session is None:
        return []
    ids: set[int | None] = set(members(connection, session.series_id))
    ids.update(connection.execute(select(_items.c.proposer_id).where(
        _items.c.session_id == session.id)).scalars())
    ids.update(connection.execute(
        select(_votes.c.person_id).join(_items, _items.c.id == _votes.c.item_id)
        .where(_items.c.session_id == session.id)).scalars())
    rows = connection.execute(select(_people.c.id, _people.c.display_name).where(
        _people.c.id.in_([i for i in ids if i is not None]),
        _people.c.status != "opted_out")).all()
    return sorted(((row.id, row.display_name or f"#{row.id}") for row in rows),
                  key=lambda pair: (pair[1].lower(), pair[0]))


# -- experiments -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExperimentRow:
    id: int
    title: str
    state: str
    started_at: datetime
    session_id: int | None
    logs: int


def experiments_of(connection: Connection, person_id: int, running_only: bool = False
                   ) -> list[ExperimentRow]:
    query = select(_experiments).where(_experiments.c.owner_id == person_id)
    if running_only:
        query = query.where(_experiments.c.state == "running")
    rows = connection.execute(query.order_by(_experiments.c.id)).all()
    return [ExperimentRow(r.id, r.title, r.state, r.started_at, r.session_id,
                          len(logs(connection, r.id))) for r in rows]


def add_log(connection: Connection, experiment_id: int, person_id: int, text: str,
            now: datetime) -> int:
    """A log entry; returns how many the experiment has now."""
    connection.execute(_logs.insert().values(experiment_id=experiment_id, person_id=person_id,
                                             text=text[:2000], created_at=now))
    return len(logs(connection, experiment_id))


def logs(connection: Connection, experiment_id: int) -> list[str]:
    return list(connection.execute(select(_logs.c.text).where(
        _logs.c.experiment_id == experiment_id).order_by(_logs.c.id)).scalars())


def end_experiment(connection: Connection, experiment_id: int, *, tried: str | None,
                   learned: str | None, next_time: str | None, shared: bool,
                   now: datetime) -> None:
    connection.execute(update(_experiments).where(_experiments.c.id == experiment_id).values(
        state="ended", tried=tried, learned=learned, next_time=next_time, shared=shared,
        ended_at=now))
    # no "how is it going?" any more
    deliveries.withdraw(connection, deliveries.key(EXPERIMENT_REMINDER, experiment_id, ""))


def experiment_channel(connection: Connection, experiment_id: int) -> Address | None:
    """The channel of the team whose session the experiment was put on."""
    row = connection.execute(
        select(_series.c.platform, _series.c.tenant, _series.c.conversation)
        .join(_sessions, _sessions.c.series_id == _series.c.id)
        .join(_experiments, and_(_experiments.c.session_id == _sessions.c.id,
                                 _experiments.c.id == experiment_id))).first()
    return Address(row.platform, row.tenant, "", row.conversation) if row else None


SESSIONS: DueItems[int] = DueItems(
    "work sessions", due_series,
    lambda connection, series_id, now, settings: open_session(connection, series_id, now),
)
