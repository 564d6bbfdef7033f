"""Refusing a replayed Slack request: one whose signature was accepted before.

A signature covers the body and the timestamp, and the timestamp must be within 5
minutes, so remembering the signatures of the last 5 minutes (and a minute more for clock
skew) is enough to know every replay a stolen request could be used for. Slack's own
retries say so (`X-Slack-Retry-Num`) and go on to the event-id store, which answers them
once and stores nothing twice; a replay sent to another replica meets that store too.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

WINDOW_SECONDS = 6 * 60
MOST_REMEMBERED = 200_000  # about 20 MB at the most; far beyond a workspace's 5 minutes


class SeenSignatures:
    """The signatures accepted in the last WINDOW_SECONDS, oldest first."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 window: float = WINDOW_SECONDS, most: int = MOST_REMEMBERED) -> None:
        self._clock = clock
        self._window = window
        self._most = most
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str) -> bool:
        """Remember the signature; False when it was seen within the window."""
        now = self._clock()
        while self._seen:
            oldest, seen_at = next(iter(self._seen.items()))
            if now - seen_at <= self._window and len(self._seen) < self._most:
                break
            del self._seen[oldest]
        if signature in self._seen:
            return False
        self._seen[signature] = now
        return True
