"""Shared fixtures: a database on SQLite (always) and PostgreSQL (when configured), an engine
with a clock the test controls, and a small chat helper that talks to the engine like an
adapter would."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot import clock as product_clock
from bot.config import Settings
from bot.conversation.coach import Coach
from bot.conversation.services import Services
from bot.core.messages import Address, InboundEvent, Message, Outbound
from bot.core.registry import Registry
from bot.practices import build_registry
from bot.practices.diary import hooks as diary_hooks
from bot.runtime import Runtime, open_runtime
from bot.storage.database import create_db_engine
from tests.rigs import slack_mock
from tests.rigs.browser import chromium  # noqa: F401  (the headless Chromium fixture)
from tests.rigs.clocks import PINNED_NOW, pin_for_the_session
from tests.rigs.databases import (
    PG_URL,
    drop_schema,
    migrated_postgres_schema,
    migrated_sqlite_file,
    sqlite_copy,
)

_CLOCK_HEADER = pin_for_the_session()  # before any test module is imported


def pytest_report_header() -> str:
    return _CLOCK_HEADER


@pytest.fixture(autouse=True)
def _product_clock_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that sets the product's clock (`tick --now` in-process, LEERCOACH_NOW) leaves
    it as it found it for the next test."""
    monkeypatch.setattr(product_clock, "_setting", product_clock._setting)


@dataclass
class Clock:
    """A clock the test moves by hand; engines read it for every turn."""

    now: datetime = PINNED_NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


POSTGRES_FIXTURES = {"postgres_url"}  # tests/cli/test_cli.py: an unmigrated schema


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs more than Python: a test with the headless Chromium is `browser`, a
    test on the PostgreSQL side of `database_url` (or of another PostgreSQL fixture) is `postgres`.
    Derived from the fixtures, so a new test is marked without anyone remembering to."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "chromium" in names:
            item.add_marker(pytest.mark.browser)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("database_url") == "postgresql"
        if on_postgres or POSTGRES_FIXTURES.intersection(names):
            item.add_marker(pytest.mark.postgres)


# The diary's follow-up question (bot/practices/diary/deepening.py) is tested where it is the
# subject, marked `deepening`; elsewhere a diary is four questions, as the platform, storage
# and scheduling tests (and their session-wide fixtures) write it. A subprocess (`leercoach
# chat`) has it on.
_DEEPENING_ON = diary_hooks.deepening_on
diary_hooks.deepening_on = lambda _settings: False  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def _deepening_where_marked(request: pytest.FixtureRequest,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("deepening"):
        monkeypatch.setattr(diary_hooks, "deepening_on", _DEEPENING_ON)


@pytest.fixture(autouse=True)
def slack_calls_keep_the_contract(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every Slack Web API mock a test creates checks each call against Slack's Block Kit
    rules; a test whose calls broke one fails here, unless it is marked
    `slack_contract_violations` or took the violations (`api.take_violations()`)."""
    mocks: list[slack_mock.MockSlackApi] = []
    stop = slack_mock.watch(mocks.append)
    try:
        yield
    finally:
        stop()
    if request.node.get_closest_marker("slack_contract_violations"):
        return
    broken = [str(violation) for api in mocks for violation in api.violations]
    if broken:
        pytest.fail("calls to the Slack mock broke Slack's published contract:\n"
                    + "\n".join(broken), pytrace=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema migrated once for the session; each test's database is a copy of it."""
    return migrated_sqlite_file(tmp_path_factory.mktemp("template") / "leercoach.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database: a SQLite file, and PostgreSQL when it is configured."""
    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    if not PG_URL:
        pytest.skip("LEERCOACH_TEST_DATABASE_URL is not set")
    url, schema = migrated_postgres_schema(PG_URL)
    try:
        yield url
    finally:
        drop_schema(PG_URL, schema)


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated, empty SQLite database of the test's own."""
    return sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def no_failed_turns(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """A test whose turns must all succeed: any turn the engine logged as failed fails it
    (the engine answers a crash politely, which would otherwise hide it). A test marked
    xfail documents a known crash, so its crash is not reported twice."""
    caplog.set_level(logging.INFO, logger="leercoach.engine")
    yield
    if request.node.get_closest_marker("xfail"):
        return
    crashes = [
        r for r in caplog.records if r.name == "leercoach.engine" and r.levelno >= logging.ERROR
    ]
    assert not crashes, [r.getMessage() for r in crashes]


@pytest.fixture
def runtime(sqlite_url: str) -> Iterator[Runtime]:
    """The whole wiring (database, engine) on a fresh SQLite file, as `leercoach` opens it."""
    opened = open_runtime(Settings(database_url=sqlite_url))
    yield opened
    opened.close()


@pytest.fixture
def clocked_runtime(sqlite_url: str, clock: Clock) -> Iterator[Runtime]:
    """The wiring on the test's own clock (the `runtime` fixture reads the product's clock)."""
    opened = open_runtime(Settings(database_url=sqlite_url), clock=clock)
    yield opened
    opened.close()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new, empty SQLite file named for `leercoach` by LEERCOACH_DATABASE_URL, with none of
    the developer's own settings in the way."""
    for name in ("LEERCOACH_PROMPTS_DIR", "LEERCOACH_DEFAULT_LOCALE",
                 "LEERCOACH_DEFAULT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    url = f"sqlite:///{tmp_path / 'leercoach.db'}"
    monkeypatch.setenv("LEERCOACH_DATABASE_URL", url)
    yield url


def queue_nudge(runtime: Runtime, person_id: int) -> None:
    """A diary nudge due now in the outbox, as the sweep would queue it."""
    from bot.storage.models import Delivery

    now = product_clock.now()
    with runtime.database.begin() as connection:
        connection.execute(Delivery.__table__.insert().values(  # type: ignore[attr-defined]
            key=f"nudge:{person_id}:diary:test", person_id=person_id, kind="nudge",
            rhythm="diary", flow_id="diary", local_date=now.date(), state="pending",
            attempts=0, due_at=now - timedelta(minutes=1),
            next_attempt_at=now - timedelta(minutes=1), expires_at=now + timedelta(hours=2),
            created_at=now, updated_at=now))


def channel_cohort(runtime: Runtime, channel: str, mode: str = "steady") -> int:
    """A cohort of the default organisation tied to `channel` ("slack:T:C")."""
    from sqlalchemy import insert

    from bot.people.directory import default_organisation
    from bot.storage.models import Cohort

    now = product_clock.now()
    with runtime.sessions() as session:
        organisation = default_organisation(session, runtime.settings).id
        session.commit()
    with runtime.database.begin() as connection:
        return int(connection.execute(insert(Cohort.__table__).values(
            organisation_id=organisation, name=f"Cohort {channel}", mode=mode,
            cadence_weeks=1, weekday=0, repair_quarterly=False, next_round_at=now,
            channel=channel, created_at=now,
        ).returning(Cohort.id)).scalar_one())


def cohort_members(runtime: Runtime, cohort: int) -> dict[str, bool]:
    """Platform id of every member there ever was -> whether they still take part."""
    from sqlalchemy import select

    from bot.storage.models import CohortMember, Identity

    with runtime.database.connect() as connection:
        rows = connection.execute(
            select(Identity.external_id, CohortMember.left_at)
            .join(CohortMember, CohortMember.person_id == Identity.person_id)
            .where(CohortMember.cohort_id == cohort)).all()
    return {external: left is None for external, left in rows}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Engine]:
    engine = create_db_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Engine]:
    """An Engine on `database_url`: SQLite, and PostgreSQL when configured."""
    database = create_db_engine(database_url)
    yield database
    database.dispose()


@pytest.fixture
def settings(sqlite_url: str) -> Settings:
    return Settings(database_url=sqlite_url)


@pytest.fixture(scope="session")
def registry() -> Registry:
    """Every practice's hooks, composed once for the session (as the composition root does
    once per process); a registry is not changed by the turns that use it."""
    return build_registry()


@pytest.fixture
def engine(database: Engine, settings: Settings, clock: Clock, registry: Registry) -> Coach:
    return Coach(database, Services(settings, registry, clock=clock))


class Chat:
    """One person talking to the engine, the way an adapter would pass their events on."""

    def __init__(self, engine: Coach, user: str = "alice", platform: str = "test") -> None:
        self.engine = engine
        self.address = Address(platform, "acme", user, f"dm-{user}")
        self.last: list[Outbound] = []

    def send(self, **fields: Any) -> list[Message]:
        self.last = self.engine.handle(InboundEvent(address=self.address, **fields))
        assert all(out.address == self.address for out in self.last)
        return [out.message for out in self.last]

    def say(self, text: str) -> list[Message]:
        return self.send(text=text)

    def say_text(self, text: str) -> str:
        """Everything the coach answered to `text`, joined, for assertions on wording."""
        return joined(self.say(text))


def joined(messages: list[Message]) -> str:
    parts = []
    for message in messages:
        parts.append(getattr(message, "text", None) or getattr(message, "title", ""))
    return "\n".join(parts)


@pytest.fixture
def chat(engine: Coach) -> Chat:
    return Chat(engine)


@pytest.fixture(autouse=True)
def teams_contracts() -> Iterator[None]:
    """Every activity any test sends to the fake Bot Connector meets Teams' contract (the
    Adaptive Cards schema and Teams' limits, tests/contracts/adaptive_cards.py): a
    violation no test took with `FakeConnector.take_violations()` fails the test."""
    from tests.rigs.teams_connector import unclaimed_violations

    unclaimed_violations()
    yield
    found = unclaimed_violations()
    assert not found, "Teams contract violations:\n" + "\n".join(map(str, found))
