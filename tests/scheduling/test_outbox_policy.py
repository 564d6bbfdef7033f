"""Backoff with jitter and pacing per conversation: pure code, exact numbers (the tenant's
budget, shared through the database, is tested in test_shared_budgets.py)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from bot.outbox.pacing import Limits, Pacer
from bot.outbox.retry import backoff_seconds


@given(attempt=st.integers(1, 30), seed=st.integers(0, 2**32))
def test_backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half(attempt: int,
                                                                     seed: int) -> None:
    wait = backoff_seconds(attempt, 30, 3600, random.Random(seed))
    ceiling = min(3600, 30 * 2 ** (attempt - 1))
    assert ceiling / 2 <= wait <= ceiling


def test_backoff_spreads_retries_that_failed_together() -> None:
    rng = random.Random(7)
    waits = {round(backoff_seconds(3, 30, 3600, rng), 3) for _ in range(50)}
    assert len(waits) > 40


def test_one_message_a_second_per_slack_channel() -> None:
    pacer = Pacer({"slack": Limits(per_conversation=1.0, per_tenant=100.0)})
    assert pacer.reserve("slack", "D1", now=0.0) == 0
    assert pacer.reserve("slack", "D1", now=0.25) == 0.75
    assert pacer.reserve("slack", "D2", now=0.25) == 0  # another channel is free
    assert pacer.reserve("slack", "D1", now=1.0) == 0


def test_seven_a_second_per_teams_conversation_then_wait() -> None:
    pacer = Pacer({"teams": Limits(per_conversation=7.0, per_tenant=1000.0)})
    assert [pacer.reserve("teams", "c", now=0.0) for _ in range(7)] == [0] * 7
    assert round(pacer.reserve("teams", "c", now=0.0), 6) == round(1 / 7, 6)


def test_platforms_without_limits_are_not_paced() -> None:
    pacer = Pacer({})
    assert all(pacer.reserve("terminal", "me", now=0.0) == 0 for _ in range(100))
