"""Sending no faster than a platform allows: token buckets per conversation and per tenant.

Slack allows about one message a second per channel with a workspace-wide budget on top;
Teams about seven a second per conversation with a tenant budget. Each replica paces its own
sends; with several replicas, divide the budgets by their number (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    rate: float
    tokens: float
    stamp: float
    blocked_until: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a token is free (0 when one is free now), refilling first."""
        capacity = max(1.0, self.rate)
        self.tokens = min(capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate


@dataclass(frozen=True, slots=True)
class Limits:
    per_conversation: float  # messages per second in one DM or channel
    per_tenant: float  # messages per second in one workspace or tenant


class Pacer:
    """Token buckets keyed by platform and conversation, and by platform and tenant."""

    def __init__(self, limits: dict[str, Limits]) -> None:
        self.limits = limits
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}

    def _bucket(self, kind: str, platform: str, key: str, rate: float, now: float) -> _Bucket:
        found = self._buckets.get((kind, platform, key))
        if found is None:
            capacity = max(1.0, rate)
            found = self._buckets[(kind, platform, key)] = _Bucket(rate, capacity, now)
        return found

    def reserve(self, platform: str, tenant: str, conversation: str, now: float) -> float:
        """0 and a token taken from both buckets, or the seconds to wait (nothing taken)."""
        limits = self.limits.get(platform)
        if limits is None:
            return 0.0
        tenant_bucket = self._bucket("tenant", platform, tenant, limits.per_tenant, now)
        chat_bucket = self._bucket("chat", platform, conversation, limits.per_conversation, now)
        wait = max(tenant_bucket.wait(now), chat_bucket.wait(now))
        if wait > 0:
            return wait
        tenant_bucket.tokens -= 1.0
        chat_bucket.tokens -= 1.0
        return 0.0

    def hold(self, platform: str, tenant: str, seconds: float, now: float) -> None:
        """The platform said 429 with Retry-After: nothing more to that tenant until then."""
        limits = self.limits.get(platform)
        rate = limits.per_tenant if limits else 1.0
        bucket = self._bucket("tenant", platform, tenant, rate, now)
        bucket.blocked_until = max(bucket.blocked_until, now + seconds)
