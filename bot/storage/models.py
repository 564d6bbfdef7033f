"""The tables Leercoach keeps, as typed SQLAlchemy 2 models.

Every change to these models comes with an Alembic migration in `migrations/versions`; a test
compares the two so they cannot drift apart.

Privacy is declared here, with the data (bot.storage.privacy_marks): every table has a
`@privacy` mark saying how erasure treats its rows, every foreign key to people is an
`owner()` or a `mention()`, and what people write is made with `free_text()` (or
`sealed()`). Export, erasure, retention and encryption are derived from these marks.

Free text is kept in SecretText / SecretJSON columns: encrypted at rest when
LEERCOACH_ENCRYPTION_KEY is set (bot.storage.encryption), plain Text / JSON in the schema.
Such columns can be selected and tested for NULL or '', not searched or compared in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot import clock
from bot.storage.privacy_marks import free_text, mention, owner, privacy, sealed, table_mark

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC and always hands back aware UTC, so SQLite and PostgreSQL agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)

    # On SQLite the value is text in SQLAlchemy's DATETIME storage format, which is exactly
    # ISO 8601 with a space and microseconds: the C-level isoformat/fromisoformat produce
    # and read the same text several times faster than the generic processors, on every
    # turn of every conversation.

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is not UTC:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given where UTC is required")
                value = value.astimezone(UTC)
            return value.isoformat(" ", "microseconds")[:26]  # without the "+00:00"

        return to_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return from_text


def utcnow() -> datetime:
    """The default of every `created_at`-like column: the product's clock (bot.clock)."""
    return clock.now()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}  # noqa: RUF012


@privacy("none")
class Organisation(Base):
    """An organisation with its defaults for new people and, optionally, its own prompts."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(8), default="nl")
    default_timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    default_workdays: Mapped[str] = mapped_column(String(32), default="mon,tue,wed,thu,fri")
    default_diary_time: Mapped[time] = mapped_column(Time, default=time(16, 30))
    prompts_dir: Mapped[str | None] = mapped_column(String(500))
    holiday_country: Mapped[str | None] = mapped_column(String(8), default="NL")
    quiet_hours: Mapped[str] = mapped_column(String(16), default="21:00-07:00")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class Workspace(Base):
    """A Slack workspace, Teams tenant or local channel that belongs to an organisation."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally")
class Person(Base):
    """Someone the coach talks to, with the preferences the rhythm depends on."""

    __tablename__ = "people"
    __table_args__ = (
        # The sweep finds people whose schedule is not registered yet without a scan.
        Index(
            "ix_people_unscheduled",
            "id",
            sqlite_where=text("schedule_registered = false"),
            postgresql_where=text("schedule_registered = false"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    display_name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    workdays: Mapped[str] = mapped_column(String(32))
    diary_time: Mapped[time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(16), default="active")
    paused_until: Mapped[date | None] = mapped_column(Date)
    role: Mapped[str] = mapped_column(String(16), default="participant")
    onboarding_offered_at: Mapped[datetime | None] = mapped_column()
    onboarded_at: Mapped[datetime | None] = mapped_column()
    steady_colleague_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention()
    )
    schedule_registered: Mapped[bool] = mapped_column(server_default=false())
    # the language was given (by the platform, `chat --locale`, or an answer), not defaulted:
    # onboarding then does not ask for it again
    locale_chosen: Mapped[bool] = mapped_column(server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


@privacy("delete")
class Identity(Base):
    """A person's account on one platform; one person may have several."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128))
    external_id: Mapped[str] = mapped_column(String(128))
    conversation: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="identities")


@privacy("none")
class Team(Base):
    """A team or cohort of people within an organisation."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="team")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class TeamMember(Base):
    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True, index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class Competence(Base):
    """One competence of an organisation's catalog, named in both languages."""

    __tablename__ = "competences"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    discipline_nl: Mapped[str] = mapped_column(String(100))
    discipline_en: Mapped[str] = mapped_column(String(100))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")


@privacy("delete", purge_by="started_at", purge_finished_only=True)
class Dialog(Base):
    """One run of a flow for a person: where it stands and every answer given so far.

    At most one dialog per person is active (a partial unique index), which is what lets a
    restarted process resume at exactly the same question.
    """

    __tablename__ = "dialogs"
    __table_args__ = (
        Index(
            "uq_dialogs_one_active_per_person",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), index=True
    )
    flow_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="active")
    step_id: Mapped[str | None] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = free_text(json=True, default=dict)
    context: Mapped[dict[str, Any]] = free_text(json=True, default=dict)
    address: Mapped[dict[str, Any]] = mapped_column(default=dict)
    local_date: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    snoozed_until: Mapped[datetime | None] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    end_noticed: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)



@privacy("tally", purge_by="local_date")
class DiaryEntry(Base):
    """One day's learning diary: the learning moments, how they were handled, the one lesson."""

    __tablename__ = "diary_entries"
    # A person's days in order: the streak, the overview and the dashboard read a stretch of
    # them from the index alone, however long the history behind it.
    __table_args__ = (Index("ix_diary_entries_person_day", "person_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("diary_entries")
    )
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    local_date: Mapped[date] = mapped_column(Date, index=True)
    moments: Mapped[str | None] = free_text()
    approach: Mapped[str | None] = free_text()
    learning: Mapped[str | None] = free_text()
    value: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[dict[str, Any]] = free_text(json=True, default=dict)
    complete: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class WeeklyPlan(Base):
    """A week's PDCA plan: which competence, in which situation, how, and when to try it.

    `follows` is what became of last week's plan (continue / adjust / done) with `learned`,
    the sentence on what that week taught; `practised` counts the diary check-ins that said
    the plan was practised that day.
    """

    __tablename__ = "weekly_plans"
    __table_args__ = (Index("ix_weekly_plans_person_week", "person_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("weekly_plans")
    )
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    week_start: Mapped[date] = mapped_column(Date)
    competence_code: Mapped[str | None] = mapped_column(String(64))
    situation: Mapped[str | None] = free_text()
    approach: Mapped[str | None] = free_text()
    moment: Mapped[str | None] = free_text()
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("weekly_plans.id", ondelete="SET NULL")
    )
    follows: Mapped[str | None] = mapped_column(String(16))
    learned: Mapped[str | None] = free_text()
    feedback_given: Mapped[bool] = mapped_column(default=False)
    practised: Mapped[int] = mapped_column(Integer, default=0)
    checked: Mapped[int] = mapped_column(Integer, default=0)
    shared_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class MonthlyReflection(Base):
    """The monthly hour alone: what went well, what could be better, what next; the focus."""

    __tablename__ = "monthly_reflections"
    __table_args__ = (
        Index("ix_monthly_reflections_person_month", "person_id", "month"),
        # The dashboard's focus of one month, without reading everyone's earlier months.
        Index("ix_monthly_reflections_focus_month", "focus_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("monthly_reflections")
    )
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month reflected on
    went_well: Mapped[str | None] = free_text()
    could_be_better: Mapped[str | None] = free_text()
    concrete_next: Mapped[str | None] = free_text()
    contract_progress: Mapped[str | None] = free_text()
    focus: Mapped[list[str]] = mapped_column(JSON, default=list)  # competence codes, 1 or 2
    focus_month: Mapped[date] = mapped_column(Date)  # the month the focus is for
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class LearningContract(Base):
    """One version of a quarter's learning contract (seed 004's five questions, seed 000's
    why on three levels). A revision adds a version; earlier ones stay."""

    __tablename__ = "learning_contracts"
    __table_args__ = (UniqueConstraint("person_id", "quarter", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("learning_contracts")
    )
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    quarter: Mapped[str] = mapped_column(String(7))  # 2026-Q4
    version: Mapped[int] = mapped_column(Integer)
    came_from: Mapped[str | None] = free_text()
    now: Mapped[str | None] = free_text()
    goal: Mapped[str | None] = free_text()
    approach: Mapped[str | None] = free_text()
    evidence: Mapped[str | None] = free_text()
    why_business: Mapped[str | None] = free_text()
    why_team: Mapped[str | None] = free_text()
    why_personal: Mapped[str | None] = free_text()
    competences: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The SMART check's verdict on `evidence` (an observable result?), kept when the contract
    # is written so the dashboard counts it without reading and checking every contract's
    # text again; NULL on contracts kept before it was (the dashboard checks those).
    measurable: Mapped[bool | None] = mapped_column()
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goals.id", ondelete="SET NULL"))
    share_consent: Mapped[bool] = mapped_column(default=False)
    shared_with_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention()
    )
    shared_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class ContractResponse(Base):
    """The steady colleague's reply to a contract that was shared with them."""

    __tablename__ = "contract_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("learning_contracts.id", ondelete="CASCADE"), index=True
    )
    responder_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("contract_responses_written")
    )
    response: Mapped[str] = free_text()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class YearlyReview(Base):
    """The yearly basic choices: still challenging, inspiring, rewarding? What next?"""

    __tablename__ = "yearly_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("yearly_reviews")
    )
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    year: Mapped[int] = mapped_column(Integer)
    challenging: Mapped[int | None] = mapped_column(Integer)
    inspiring: Mapped[int | None] = mapped_column(Integer)
    rewarding: Mapped[int | None] = mapped_column(Integer)
    next_step: Mapped[str | None] = mapped_column(String(32))
    next_step_notes: Mapped[str | None] = free_text()
    proud_of: Mapped[str | None] = free_text()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class Goal(Base):
    """A team or organisation goal on one of seed 000's three levels of results.

    A goal with a `target` and its current `value` is a KPI a facilitator keeps by hand
    (`leercoach kpi set`): strategy translated to team level, next to the goals people link
    their learning contracts to.
    """

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(16))  # business | team | personal
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    period: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(default=True)
    target: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class CommunitySession(Base):
    """A planned SOL / community-of-practice meeting the monthly reflection can point to."""

    __tablename__ = "community_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column()
    location: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class Checklist(Base):
    """A checklist for a critical task of a discipline (seed 000: performance support), kept
    by facilitators with `leercoach checklists import FILE`; archived ones are not offered."""

    __tablename__ = "checklists"
    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    discipline: Mapped[str] = mapped_column(String(100), default="")
    task: Mapped[str] = mapped_column(String(200), default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class ChecklistItem(Base):
    """One point of a checklist; `position` (from 1) is what a run's ticks refer to."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("checklist_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(ForeignKey("checklists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text_nl: Mapped[str] = mapped_column(String(200))
    text_en: Mapped[str] = mapped_column(String(200))


@privacy("tally")
class ChecklistRun(Base):
    """One use of a checklist by a person: the positions ticked off, and when it was done
    (`finished_at` stays empty when the person left it halfway)."""

    __tablename__ = "checklist_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("checklist_runs"), index=True
    )
    checklist_id: Mapped[int] = mapped_column(
        ForeignKey("checklists.id", ondelete="CASCADE"), index=True
    )
    ticked: Mapped[list[int]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()


@privacy("tally", purge_by="created_at")
class LearningCanvas(Base):
    """One open learning conversation (seed 001) a manager or HR lead had with the coach:
    the answers of the preparation and the conversation, the summary they were shown and
    whether it was right (or their correction), and the five-year plan skeleton. It is
    about the organisation, so the organisation is kept with it for its dashboard."""

    __tablename__ = "learning_canvases"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("learning_canvases"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    answers: Mapped[dict[str, Any]] = free_text(json=True, default=dict)
    summary: Mapped[str] = free_text(default="")
    confirmed: Mapped[bool] = mapped_column(default=False)
    correction: Mapped[str | None] = free_text()
    plan: Mapped[dict[str, Any]] = free_text(json=True, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class ProcessedEvent(Base):
    """Platform event ids already handled, so a platform's retry never answers twice.

    `conversation` is part of the key because some platforms number events per
    conversation (Teams' activity ids are millisecond timestamps of one chat), so the same
    id in two chats is two events; it is "" where the platform's ids are global.
    """

    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(200), primary_key=True,
                                              server_default="")
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@privacy("none")
class SendBudget(Base):
    """How fast one workspace or tenant may be sent to, shared by every replica.

    The outbox's pacing (bot.outbox.budgets) hands out send slots from this row with one
    UPDATE ... RETURNING: `next_slot` is the first instant not yet given out, `rate` the
    current messages per second (it adapts: up a little while calm, down on a 429),
    `held_until` the end of a platform's Retry-After. Instants are seconds since the epoch,
    read from each replica's wall clock.
    """

    __tablename__ = "send_budgets"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(128), primary_key=True)
    rate: Mapped[float] = mapped_column(Float)
    next_slot: Mapped[float] = mapped_column(Float)
    held_until: Mapped[float] = mapped_column(Float)
    changed_at: Mapped[float] = mapped_column(Float)  # when `rate` was last raised or cut
    granted: Mapped[int] = mapped_column(Integer)  # slots given out by the last claim


@privacy("delete", accounts=("platform", "tenant", "person"))
class ConversationReference(Base):
    """How a platform reaches a person (or a channel) later, without them writing first.

    Teams needs its own reference (service URL, conversation, bot) to send anything
    proactively; the adapter stores it at install and refreshes it on every message.
    `person` is the platform's user id, or "" for a channel's own reference.
    """

    __tablename__ = "conversation_references"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(128), primary_key=True)
    person: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(300), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class DayOff(Base):
    """A day the organisation wants no nudges on, beyond its country's public holidays."""

    __tablename__ = "days_off"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")


@privacy("delete")
class Schedule(Base):
    """When a person is next due for each rhythm (UTC), recomputed after every change.

    One row per person, one column per rhythm (diary, weekplan, month, contract, year),
    each with its own index: the sweep asks each column who is due, and registering a
    person writes one row. The scheduler never keeps a job per person. `missed` counts
    diary nudges in a row without an entry; `held` stops the daily nudge until the person
    answers the check-in, writes in the diary or changes a setting.
    """

    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_diary_due_at", "diary_due_at"),
        Index("ix_schedules_weekplan_due_at", "weekplan_due_at"),
        Index("ix_schedules_month_due_at", "month_due_at"),
        Index("ix_schedules_contract_due_at", "contract_due_at"),
        Index("ix_schedules_year_due_at", "year_due_at"),
    )

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True,
        autoincrement=False,
    )
    diary_due_at: Mapped[datetime | None] = mapped_column()
    weekplan_due_at: Mapped[datetime | None] = mapped_column()
    month_due_at: Mapped[datetime | None] = mapped_column()
    contract_due_at: Mapped[datetime | None] = mapped_column()
    year_due_at: Mapped[datetime | None] = mapped_column()
    missed: Mapped[int] = mapped_column(Integer, default=0)
    held: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class Delivery(Base):
    """One proactive message in the outbox, committed before it is ever sent.

    `key` (kind, person, rhythm, local period) is unique, so however many sweeps or
    replicas see the same person due, there is one row and so one nudge per period.
    States: pending → sending (claimed, with a lease) → sent | skipped | expired | dead.
    """

    __tablename__ = "deliveries"
    # the claim takes what is due in the order people became due (`due_at`)
    __table_args__ = (Index("ix_deliveries_state_next", "state", "next_attempt_at"),
                      Index("ix_deliveries_state_due", "state", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # nudge | reminder | checkin
    rhythm: Mapped[str] = mapped_column(String(16))
    flow_id: Mapped[str] = mapped_column(String(64))
    local_date: Mapped[date] = mapped_column(Date)
    platform: Mapped[str | None] = mapped_column(String(16))  # known once sent
    tenant: Mapped[str | None] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column()
    next_attempt_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict[str, Any] | None] = sealed()  # the flow's start context
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class Cohort(Base):
    """A group paired for the weekly peer review (seed 004), or a mentor/buddy programme.

    `mode`: steady (keep partners), rotating (a new partner each round), mentoring or
    buddies (matched across groups, mentors with a capacity). A round starts on `weekday`
    every `cadence_weeks` weeks; `next_round_at` (UTC) is when the sweep starts the next.
    `channel` ("slack:T123:C456") ties the cohort to a channel: joining it enrols, leaving
    it takes someone out.
    """

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[str] = mapped_column(String(16), default="steady")
    cadence_weeks: Mapped[int] = mapped_column(Integer, default=1)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # 0 = Monday
    repair_quarterly: Mapped[bool] = mapped_column(default=False)
    next_round_at: Mapped[datetime | None] = mapped_column(index=True)
    channel: Mapped[str | None] = mapped_column(String(300), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class CohortMember(Base):
    """Someone who opted in to a cohort; `role` is participant, mentor or mentee, buddy or
    newcomer. A member who leaves keeps the row (history) with `left_at` set."""

    __tablename__ = "cohort_members"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default="participant")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    wants_new_partner: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column()


@privacy("none")
class PairingRound(Base):
    """One round of a cohort: who was grouped with whom, from `starts_on` to `ends_on`."""

    __tablename__ = "pairing_rounds"
    __table_args__ = (UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class PairMember(Base):
    """A person in one group (pair or trio) of a round, and whether they said they met. A
    mentor with several mentees is in several groups of one round."""

    __tablename__ = "pair_members"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("pairing_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    group_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True, index=True
    )
    met: Mapped[bool | None] = mapped_column()


@privacy("delete")
class NeverPair(Base):
    """Two people of an organisation who are never paired (e.g. manager and report)."""

    __tablename__ = "never_pairs"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    person_a: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True
    )
    person_b: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(200), default="")


@privacy("tally", purge_by="created_at")
class IntervisionCase(Base):
    """An intervision case (seed 000) run in a channel thread, phase by phase.

    `phase`: questions, restate, advice, commitment, closing, then closed or cancelled.
    `thread` is the platform id of the case's post, known once it is posted. The case is
    kept in the library only when the owner agreed (`in_library`); an owner may have it
    anonymised or removed from the library.
    """

    __tablename__ = "intervision_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=owner(), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128))
    conversation: Mapped[str] = mapped_column(String(300))
    thread: Mapped[str | None] = mapped_column(String(300))
    phase: Mapped[str] = mapped_column(String(16), default="questions")
    story: Mapped[str] = free_text()
    stuck: Mapped[str] = free_text()
    unsure: Mapped[str] = free_text()
    question: Mapped[str] = free_text()
    core_problem: Mapped[str | None] = free_text()
    commitment: Mapped[str | None] = free_text()
    in_library: Mapped[bool] = mapped_column(default=False)
    anonymised: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_intervision_cases_thread", "platform", "tenant", "thread"),)


@privacy("tally", purge_by="created_at")
class CaseContribution(Base):
    """What someone said in a case's thread, in its phase: a question, a statement during
    the question round (kept, with a gentle reminder), advice or a lesson for the craft."""

    __tablename__ = "case_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("intervision_cases.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=owner()
    )
    phase: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = free_text()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("anonymise")
class WorkshopRun(Base):
    """A workshop exercise (seed 002) a facilitator launched in a channel: its questions or
    statements are posted one by one in the thread of its first post until it is closed.

    `exercise` is the code of its definition in prompts (workshop.exercise.<code>), `kind`
    questions or statements, `item_count` how many it had at launch and `current` the one
    that is on. The posts stay in `locale`, whoever moves them on. An `anonymous` poll never
    shows names in its results.
    """

    __tablename__ = "workshop_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    exercise: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    item_count: Mapped[int] = mapped_column(Integer)
    current: Mapped[int] = mapped_column(Integer, default=1)
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128))
    conversation: Mapped[str] = mapped_column(String(300))
    thread: Mapped[str | None] = mapped_column(String(300))
    locale: Mapped[str] = mapped_column(String(8))
    anonymous: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16), default="open")
    started_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention(), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_workshop_runs_thread", "platform", "tenant", "thread"),)


@privacy("tally", purge_by="created_at")
class WorkshopResponse(Base):
    """An answer given in an exercise's thread, or a vote on one of its statements (`item`,
    from 1). One vote per person per statement: pressing again changes `value`."""

    __tablename__ = "workshop_responses"
    __table_args__ = (
        # before the `text` column below, which would shadow sqlalchemy's text() here
        Index(
            "uq_workshop_responses_vote",
            "run_id",
            "item",
            "person_id",
            unique=True,
            sqlite_where=text("kind = 'vote'"),
            postgresql_where=text("kind = 'vote'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("workshop_runs.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=owner("workshop_responses"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # answer | vote
    text: Mapped[str | None] = free_text()
    value: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("anonymise")
class WorkSessionSeries(Base):
    """A team's recurring action-learning work session (seed 000), held in its channel
    every `cadence_weeks` weeks on `weekday` at `local_time` (the organisation's zone).

    `next_starts_at` (UTC) is the next session not opened yet: the scheduler opens it a few
    days ahead (asks for agenda items) and moves this on. `facilitator_id` gets the
    agenda to post and is asked to record decisions and learnings afterwards.
    """

    __tablename__ = "work_session_series"
    __table_args__ = (
        UniqueConstraint("team_id"),
        Index("ix_work_session_series_channel", "platform", "tenant", "conversation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    tenant: Mapped[str] = mapped_column(String(128))
    conversation: Mapped[str] = mapped_column(String(300))
    cadence_weeks: Mapped[int] = mapped_column(Integer, default=2)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    local_time: Mapped[time] = mapped_column(Time)
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention()
    )
    next_starts_at: Mapped[datetime | None] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class WorkSession(Base):
    """One work session of a series; `agenda_posted_at` is when its agenda went to the
    channel."""

    __tablename__ = "work_sessions"
    __table_args__ = (UniqueConstraint("series_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(
        ForeignKey("work_session_series.id", ondelete="CASCADE")
    )
    starts_at: Mapped[datetime] = mapped_column()
    agenda_posted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally", purge_by="created_at")
class AgendaItem(Base):
    """A point someone put on a work session's agenda: a topic, a decision to take, or a
    seemingly impossible assignment taken on as an experiment."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True
    )
    proposer_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=owner("agenda_items"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="topic")
    text: Mapped[str] = free_text()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class AgendaVote(Base):
    """One person's vote for an agenda item (a few per person per session)."""

    __tablename__ = "agenda_votes"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("agenda_votes"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("anonymise", purge_by="created_at")
class WorkOutcome(Base):
    """A decision (with its owner) or a learning recorded for a work session. A decision's
    owner says before the next session how it stands: `status` open, done, ongoing or
    stuck, with a `note`."""

    __tablename__ = "work_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # decision | learning
    text: Mapped[str] = free_text()
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True,
        info=mention(clears=("note",), export="work_decisions_owned"),
    )
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str | None] = free_text()
    recorded_by: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention()
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column()


@privacy("tally", purge_by="started_at")
class Experiment(Base):
    """A seemingly impossible assignment (seed 000) its owner took on as an experiment:
    running while they keep a log, ended with a reflection (what was tried, what it
    taught, what next) they may share with the team."""

    __tablename__ = "experiments"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("experiments"), index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_sessions.id", ondelete="SET NULL")
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id", ondelete="SET NULL"))
    title: Mapped[str] = free_text()
    state: Mapped[str] = mapped_column(String(16), default="running")  # running | ended
    tried: Mapped[str | None] = free_text()
    learned: Mapped[str | None] = free_text()
    next_time: Mapped[str | None] = free_text()
    shared: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


@privacy("delete", purge_by="created_at")
class ExperimentLog(Base):
    """One entry of an experiment's log, written by its owner."""

    __tablename__ = "experiment_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    experiment_id: Mapped[int] = mapped_column(
        ForeignKey("experiments.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("experiment_logs"), index=True
    )
    text: Mapped[str] = free_text()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("tally")
class CommunitySignup(Base):
    """Someone who takes part in a community session; `case_dialog_id` is the intervision
    intake of the case they bring to it, if any."""

    __tablename__ = "community_signups"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("community_sessions.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner("community_signups"), index=True
    )
    case_dialog_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogs.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("none")
class CommunityChannel(Base):
    """A channel a community session was announced in (with its sign-up button); a case
    brought to the session is posted in the latest one."""

    __tablename__ = "community_channels"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("community_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(128), primary_key=True)
    conversation: Mapped[str] = mapped_column(String(300), primary_key=True)
    announced_at: Mapped[datetime] = mapped_column(default=utcnow)


@privacy("delete")
class LoginLink(Base):
    """A one-time link into the web pages, DMed by the `dashboard` command or printed by
    `serve`: only its SHA-256 is kept, so the database cannot be read for a way in.
    `person_id` is None for the admin link of the embedded default."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


@privacy("delete")
class WebSession(Base):
    """A browser's session after a login link: the cookie holds a secret whose SHA-256 is
    `token_hash`; `csrf` goes into every form. `chat_person_id` is whom an admin is trying
    the web chat as."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), info=owner(), index=True
    )
    csrf: Mapped[str] = mapped_column(String(64))
    chat_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), info=mention()
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


@privacy("none")
class DeletedPersonTally(Base):
    """What is left of people who deleted their data (bot.privacy.erasure): per organisation and
    month of deletion, how many people and how many of each kind of record, with no id,
    name or date of their own, so totals over time stay honest without keeping anyone."""

    __tablename__ = "deleted_person_tallies"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)  # people, diary_entries…
    count: Mapped[int] = mapped_column(Integer, default=0)


@privacy("none")
class TickHeartbeat(Base):
    """When each scheduler job (due-sweep, outbox-dispatch, dialog-expiry) last ran in any
    replica, so every replica's /metrics can say how long ago (bot/operations.py)."""

    __tablename__ = "tick_heartbeats"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    ran_at: Mapped[datetime] = mapped_column()


# The dates bot.privacy.retention purges free text by (each table's `purge_by` mark), indexed
# so the daily purge reads only the rows past the retention period (a date that has its own
# index, like the diary's local_date, needs no second one).
RETENTION_INDEXES = tuple(
    Index(f"ix_{table.name}_{mark.purge_by}", table.c[mark.purge_by])
    for table in Base.metadata.tables.values()
    if (mark := table_mark(table)) is not None and mark.purge_by is not None
    and not table.c[mark.purge_by].index
)

def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for the prebuilt statements of the hot path."""
    return cast(Table, model.__table__)
