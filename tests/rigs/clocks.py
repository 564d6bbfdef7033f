"""The tests' side of the product's clock (bot/clock.py): one pinned moment for the suite, and
one helper that puts every subprocess a test starts on the same clock.

The suite runs at PINNED_NOW unless whoever runs it sets LEERCOACH_NOW or
LEERCOACH_CLOCK_OFFSET: CI runs the date-sensitive tests a second time with
LEERCOACH_CLOCK_OFFSET=+365d, and a failure seen there is repeated exactly with the
LEERCOACH_NOW that pytest prints in its header.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from bot import clock

# A Wednesday afternoon in Amsterdam (16:00 CET): a workday, no public holiday, outside the
# default quiet hours; the `Clock` fixture starts here too.
PINNED_NOW = datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


def set_from_outside(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether whoever runs the suite chose the clock."""
    return any(environ.get(name, "").strip()
               for name in (clock.NOW_VARIABLE, clock.OFFSET_VARIABLE))


def pin_for_the_session() -> str:
    """Put this process on PINNED_NOW (unless the clock was chosen from outside) and say
    which clock the suite runs on, for pytest's header."""
    if not set_from_outside():
        os.environ[clock.NOW_VARIABLE] = PINNED_NOW.isoformat()
        clock.configure()
        return f"clock: pinned at {PINNED_NOW.isoformat()} (tests/rigs/clocks.py)"
    clock.configure()
    chosen = ", ".join(f"{name}={os.environ[name]}"
                       for name in (clock.NOW_VARIABLE, clock.OFFSET_VARIABLE)
                       if os.environ.get(name, "").strip())
    started = clock.now().isoformat(timespec="seconds")
    return f"clock: {chosen}, now {started} (repeat the run with LEERCOACH_NOW={started})"


def with_clock(env: Mapping[str, str], at: datetime | None = None) -> dict[str, str]:
    """`env` for a subprocess, on the test's clock: LEERCOACH_NOW is `at` (by default what
    the product's clock shows in this process now, so a subprocess and the test agree), and
    no LEERCOACH_CLOCK_OFFSET (any offset is already in that instant)."""
    moment = clock.now() if at is None else at
    started = {name: value for name, value in env.items() if name != clock.OFFSET_VARIABLE}
    started[clock.NOW_VARIABLE] = moment.astimezone(UTC).isoformat()
    return started
