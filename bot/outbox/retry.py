"""How long to wait before trying a failed send again: exponential, capped, with jitter.

Jitter spreads the retries of many deliveries that failed together (a platform outage) so
they do not all come back in the same second.
"""

from __future__ import annotations

import random


def backoff_seconds(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Attempt 1 waits about `base`, each next one twice as long, never more than `cap`;
    the wait is drawn from the upper half of that ceiling ("equal jitter")."""
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    return rng.uniform(ceiling / 2, ceiling)
