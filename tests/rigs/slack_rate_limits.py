"""Slack's rate limits for posting, as the mock Web API enforces them when asked.

Slack documents chat.postMessage as "special": about one message per second per channel,
short bursts tolerated, and a workspace-wide limit on top
(https://api.slack.com/methods/chat.postMessage#rate_limiting,
https://api.slack.com/apis/rate-limits). Beyond them Slack answers HTTP 429 with
`{"ok": false, "error": "ratelimited"}` and a `Retry-After` header in whole seconds.

Both limits are token buckets here: one per channel holding one message (one a second),
one per workspace holding one second's worth (the tolerated burst). Free of pytest: the
nudge-wave benchmark uses it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Bucket:
    rate: float
    tokens: float
    stamp: float

    def wait(self, now: float) -> float:
        """Refilled to `now`: 0 when a token is free, else the seconds until one is."""
        self.tokens = min(max(1.0, self.rate), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


@dataclass
class PostLimits:
    """Per channel and per workspace, in messages per second."""

    per_channel: float = 1.0
    per_workspace: float = 8.0
    clock: Callable[[], float] = time.monotonic
    refused: int = 0  # 429s answered
    _buckets: dict[tuple[str, str], _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _bucket(self, kind: str, key: str, rate: float, now: float) -> _Bucket:
        found = self._buckets.get((kind, key))
        if found is None:
            found = self._buckets[(kind, key)] = _Bucket(rate, max(1.0, rate), now)
        return found

    def retry_after(self, workspace: str, channel: str) -> int | None:
        """None when the post may go (both buckets give a token), else Retry-After in
        whole seconds as Slack sends it (at least 1). A refused post takes no token."""
        with self._lock:
            now = self.clock()
            team = self._bucket("workspace", workspace, self.per_workspace, now)
            chat = self._bucket("channel", f"{workspace}/{channel}", self.per_channel, now)
            wait = max(team.wait(now), chat.wait(now))
            if wait == 0:
                team.tokens -= 1.0
                chat.tokens -= 1.0
                return None
            self.refused += 1
            return max(1, math.ceil(wait))
