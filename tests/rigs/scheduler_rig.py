"""The scheduler rig: the minute's work on a test database at a chosen moment, with a fake
platform that records what it is sent."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from bot.config import Settings
from bot.conversation.coach import Coach
from bot.core.messages import Outbound
from bot.due.sweep import SweepReport, sweep
from bot.outbox.dispatch import Dispatcher, DispatchReport
from bot.runtime import build_coach
from bot.storage.database import create_db_engine
from bot.storage.models import Delivery, Schedule
from tests.conftest import Chat, Clock, joined

MONDAY = datetime(2026, 11, 23, tzinfo=UTC)  # a Monday, no Dutch holiday that week
DIARY_DUE = MONDAY.replace(hour=15, minute=30)  # 16:30 in Amsterdam (CET, UTC+1)


@dataclass
class FakePlatform:
    """A sender that records what it sends, or fails as the test scripts it."""

    sent: list[Outbound] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    async def send(self, outbound: Outbound) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(outbound)

    def texts(self) -> str:
        return joined([out.message for out in self.sent])


@dataclass
class Rig:
    database: Engine
    engine: Coach
    clock: Clock
    platform: FakePlatform
    dispatcher: Dispatcher

    def sweep(self, now: datetime) -> SweepReport:
        self.clock.now = now
        with self.database.begin() as connection:
            return sweep(connection, now, self.engine.settings, self.engine.calendars)

    def dispatch(self, now: datetime) -> DispatchReport:
        self.clock.now = now
        return asyncio.run(self.dispatcher.dispatch(now))

    def tick(self, now: datetime) -> tuple[SweepReport, DispatchReport]:
        return self.sweep(now), self.dispatch(now)

    def person(self, user: str = "alice", *, first_seen: datetime | None = None) -> Chat:
        """A person who has met the coach (onboarding stopped) and has no open dialog."""
        self.clock.now = first_seen or MONDAY.replace(hour=8)
        chat = Chat(self.engine, user, platform="fake")
        chat.say("hallo")
        chat.say("stop")
        return chat

    def deliveries(self) -> list[Delivery]:
        with self.database.connect() as connection:
            rows = connection.execute(select(Delivery.__table__).order_by("id")).all()
        return [Delivery(**row._mapping) for row in rows]

    def schedule(self, rhythm: str = "diary") -> Due:
        with self.database.connect() as connection:
            row = connection.execute(select(Schedule.__table__)).one()._mapping
        return Due(row[f"{rhythm}_due_at"], row["missed"], row["held"])


@dataclass
class Due:
    due_at: datetime | None
    missed: int
    held: bool


def open_rig(database_url: str, **overrides: object) -> Rig:
    settings = replace(Settings(database_url=database_url), **overrides)  # type: ignore[arg-type]
    database = create_db_engine(database_url)
    clock = Clock(MONDAY.replace(hour=8))
    engine = build_coach(database, settings, clock=clock)
    platform = FakePlatform()
    dispatcher = Dispatcher(engine, {"fake": platform}, worker="test-worker")
    return Rig(database, engine, clock, platform, dispatcher)
