"""The workspace budget that all replicas share through the database (bot.outbox.budgets):
two real processes together stay within it, a 429 seen by one holds the workspace for the
other, the rate adapts (AIMD), and the outbox sends in the order people became due."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from bot.outbox import budgets, deliveries
from bot.outbox.budgets import SharedBudgets
from bot.outbox.pacing import Limits
from bot.storage.database import create_db_engine
from bot.storage.models import Delivery, Identity, SendBudget
from tests.rigs.scheduler_rig import DIARY_DUE, MONDAY, Rig, open_rig

WORKER = Path(__file__).resolve().parents[1] / "rigs" / "budget_worker.py"
SLACK = {"slack": Limits(per_conversation=1.0, per_tenant=8.0)}


class FakeTime:
    """A wall clock that only moves when the code under test sleeps."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def wall(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _replica(url: str, fake: FakeTime, engines: list[Engine]) -> SharedBudgets:
    """A replica's budgets on its own engine (its own connections)."""
    engines.append(create_db_engine(url))
    return SharedBudgets(engines[-1], SLACK, wall=fake.wall, sleep=fake.sleep)


@pytest.fixture
def engines() -> Iterator[list[Engine]]:
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()


def test_two_processes_together_stay_within_one_workspace_budget(database_url: str,
                                                                 tmp_path: Path) -> None:
    rate, sends = 20.0, 15
    start = tmp_path / "start"
    workers = [subprocess.Popen(
        [sys.executable, str(WORKER), "--url", database_url, "--rate", str(rate),
         "--sends", str(sends), "--start-file", str(start)],
        stdout=subprocess.PIPE, text=True) for _ in range(2)]
    start.touch()
    results = []
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    slots = sorted(slot for result in results for slot in result["slots"])
    assert len(slots) == 2 * sends
    # Every slot is given once, 1/rate after the one before: whichever process took it,
    # the two together never send faster than the workspace allows.
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert min(gaps) >= 1 / rate - 1e-6
    assert all(result["round_trips"] >= 1 for result in results)


def test_a_429_seen_by_one_replica_holds_the_workspace_for_another(
        database_url: str, engines: list[Engine]) -> None:
    fake = FakeTime()
    one, other = _replica(database_url, fake, engines), _replica(database_url, fake, engines)
    assert asyncio.run(other.slot("slack", "T1")) == fake.now  # free: a slot right now
    asyncio.run(one.hold("slack", "T1", 20.0))  # one replica was told Retry-After: 20
    held_until = fake.now + 20.0
    slot = asyncio.run(other.slot("slack", "T1"))
    assert slot is not None and slot >= held_until
    assert fake.slept and sum(fake.slept) < 20.0  # it waited for the hold, in one sleep
    # another workspace is not held
    assert asyncio.run(other.slot("slack", "T2")) == fake.now


def test_a_hold_longer_than_a_send_may_wait_puts_the_send_back(database_url: str,
                                                               engines: list[Engine]) -> None:
    fake = FakeTime()
    one, other = _replica(database_url, fake, engines), _replica(database_url, fake, engines)
    asyncio.run(one.hold("slack", "T1", 600.0))
    wait = asyncio.run(other.reserve("slack", "T1"))
    assert wait >= 600.0 - 1e-6 and wait > other.max_wait
    assert fake.slept == []  # nothing slept: the dispatcher defers the delivery instead


def test_unpaced_platforms_never_touch_the_database(database_url: str,
                                                    engines: list[Engine]) -> None:
    fake = FakeTime()
    replica = _replica(database_url, fake, engines)
    assert asyncio.run(replica.reserve("terminal", "local")) == 0
    assert replica.round_trips == 0


def test_slots_are_claimed_in_batches_one_round_trip_for_many_sends(
        database_url: str, engines: list[Engine]) -> None:
    fake = FakeTime()
    replica = _replica(database_url, fake, engines)

    async def wave(count: int) -> list[float]:
        async def one() -> float:
            slot = await replica.slot("slack", "T1")
            assert slot is not None
            return slot
        return await asyncio.gather(*(one() for _ in range(count)))

    slots = sorted(asyncio.run(wave(24)))
    assert [round(b - a, 6) for a, b in itertools.pairwise(slots)] == [0.125] * 23
    # a second's worth at first (9 slots at 8 a second), then half a second's (4) a claim
    assert replica.round_trips == 5


def test_the_rate_is_cut_once_per_hold_and_grows_back_additively(db: Engine) -> None:
    limit = 8.0
    with db.begin() as connection:
        budgets.ensure(connection, "slack", "T1", limit, 100.0)
        first = budgets.claim(connection, "slack", "T1", limit, 5, 100.0)
        assert first is not None and first.rate == limit  # starts at the limit
        assert first.slots == [100.0, 100.125, 100.25, 100.375, 100.5]
        budgets.hold(connection, "slack", "T1", limit, 102.0, 101.0)
        budgets.hold(connection, "slack", "T1", limit, 102.5, 101.5)  # same hold: no 2nd cut
        held = budgets.claim(connection, "slack", "T1", limit, 1, 102.5)
        assert held is not None and held.rate == pytest.approx(limit * budgets.DECREASE)
        assert held.slots == [pytest.approx(102.5)]
        calm = budgets.claim(connection, "slack", "T1", limit, 1, 112.5)  # 10 calm seconds
        assert calm is not None
        assert calm.rate == pytest.approx(limit * budgets.DECREASE + limit * budgets.INCREASE * 10)
        back = budgets.claim(connection, "slack", "T1", limit, 1, 1_000.0)
        assert back is not None and back.rate == limit  # never above the limit
        for second in range(10):  # 429 after 429, each after the hold before it ended
            now = 2_000.0 + second * 2
            budgets.hold(connection, "slack", "T1", limit, now + 1.0, now)
        low = budgets.claim(connection, "slack", "T1", limit, 1, 2_100.0)
        assert low is not None and low.rate < limit * budgets.DECREASE ** 9 + limit / 60 * 82
        assert low.rate >= limit * budgets.FLOOR


# -- nobody waits for a stranger ------------------------------------------------------------


def _three_due_in_reverse(rig: Rig) -> None:
    """Three people's diary nudges, due at different instants: carol first, alice last;
    carol's was tried before and waits for its retry (a later next attempt)."""
    for user in ("alice", "bob", "carol"):
        rig.person(user)
    rig.sweep(MONDAY.replace(hour=9))
    rig.sweep(DIARY_DUE)
    table = Delivery.__table__
    with rig.database.begin() as connection:
        for offset, name in enumerate(("carol", "bob", "alice")):
            key_like = f"{deliveries.NUDGE}:%"
            person = connection.execute(select(Identity.__table__.c.person_id).where(
                Identity.__table__.c.external_id == name)).scalar()
            connection.execute(update(table).where(
                table.c.person_id == person, table.c.key.like(key_like)).values(
                due_at=DIARY_DUE - timedelta(minutes=30 - offset * 10),
                next_attempt_at=DIARY_DUE - timedelta(seconds=offset)))


@pytest.fixture
def rig(database_url: str) -> Iterator[Rig]:
    opened = open_rig(database_url)
    yield opened
    opened.database.dispose()


def test_the_claim_takes_who_became_due_first_even_when_retried_later(rig: Rig) -> None:
    _three_due_in_reverse(rig)
    with rig.database.begin() as connection:
        first = deliveries.claim(connection, DIARY_DUE, "w", 1, 60)
    assert len(first) == 1
    rig.dispatcher.concurrency = 1
    rig.dispatch(DIARY_DUE)
    people = [outbound.address.person for outbound in rig.platform.sent]
    assert [p for i, p in enumerate(people) if p not in people[:i]] == ["bob", "alice"]
    assert first[0].due_at == DIARY_DUE - timedelta(minutes=30)  # carol's


def test_a_round_sends_in_the_order_people_became_due(rig: Rig) -> None:
    _three_due_in_reverse(rig)
    rig.dispatcher.concurrency = 1  # one claim per round: the order is the claim's
    rig.dispatch(DIARY_DUE)
    people = [outbound.address.person for outbound in rig.platform.sent]
    assert [p for i, p in enumerate(people) if p not in people[:i]] == ["carol", "bob", "alice"]


def test_the_dispatcher_waits_for_its_slots_of_the_shared_budget(rig: Rig) -> None:
    fake = FakeTime(1_800_000_000.0)  # the budget's own time base, not today's date
    start = fake.now
    rig.dispatcher.budgets = SharedBudgets(rig.database, {"fake": Limits(1.0, 4.0)},
                                           wall=fake.wall, sleep=fake.sleep)
    _three_due_in_reverse(rig)
    report = rig.dispatch(DIARY_DUE)
    assert sorted(outcome.result for outcome in report.outcomes) == ["sent"] * 3
    # Every message took a slot, a quarter of a second apart (the fake platform sends a
    # nudge's lead and question apart), and the first of each nudge came in one claim.
    sent = len(rig.platform.sent)
    assert sent == 6
    with rig.database.connect() as connection:
        row = connection.execute(select(SendBudget.__table__)).one()
    assert row.next_slot == pytest.approx(start + sent * 0.25)
    assert fake.now >= start + (sent - 1) * 0.25  # the last one waited for its slot
    assert rig.dispatcher.budgets.round_trips < sent
