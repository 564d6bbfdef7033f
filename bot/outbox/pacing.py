"""Sending no faster than a platform allows in one conversation: a token bucket per DM or
channel, kept by the replica that sends.

Slack allows about one message a second per channel, Teams about seven a second per
conversation. One person's deliveries are sent one after the other by the replica that
claimed them, so this limit stays local. The workspace or tenant budget on top is shared
by all replicas through the database (bot.outbox.budgets).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    rate: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 when one is free now), refilling first."""
        capacity = max(1.0, self.rate)
        self.tokens = min(capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(frozen=True, slots=True)
class Limits:
    per_conversation: float  # messages per second in one DM or channel
    per_tenant: float  # messages per second in one workspace or tenant (shared budget)


class Pacer:
    """Token buckets keyed by platform and conversation."""

    def __init__(self, limits: dict[str, Limits]) -> None:
        self.limits = limits
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def reserve(self, platform: str, conversation: str, now: float) -> float:
        """0 and a token taken, or the seconds to wait (nothing taken)."""
        limits = self.limits.get(platform)
        if limits is None:
            return 0.0
        bucket = self._buckets.get((platform, conversation))
        if bucket is None:
            capacity = max(1.0, limits.per_conversation)
            bucket = self._buckets[(platform, conversation)] = _Bucket(
                limits.per_conversation, capacity, now)
        wait = bucket.wait(now)
        if wait == 0:
            bucket.tokens -= 1.0
        return wait
