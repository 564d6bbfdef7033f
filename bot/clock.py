"""The product's one answer to "what time is it": every date, due instant, expiry, lease and
`created_at` in bot/, adapters/ and scheduler/ comes from `now()`.

By default it is the real clock. Two environment variables set it, for tests and demos, and
because they are read from the environment every subprocess (a `leercoach chat` a test
starts, a replica, a server) follows the same clock:

- `LEERCOACH_NOW=2026-11-23T15:30:00Z` starts the clock at that instant when the process first
  reads it; from there it runs on at the real pace, so a server still sees time pass;
- `LEERCOACH_CLOCK_OFFSET=+365d` shifts the clock in use (`+365d`, `-2h`, `+1d12h`; units
  w, d, h, m, s), e.g. to run the suite a year ahead.

Timers (time.monotonic for timeouts, backoff and rates) are not dates and stay as they are.
Nothing here imports the rest of the product, so any module may use it.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

NOW_VARIABLE = "LEERCOACH_NOW"
OFFSET_VARIABLE = "LEERCOACH_CLOCK_OFFSET"
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_OFFSET = re.compile(r"([+-]?)((?:\d+[wdhms])+)")
_PART = re.compile(r"(\d+)([wdhms])")


def _real_now() -> datetime:
    return datetime.now(UTC)


def _monotonic() -> float:
    return time.monotonic()


class ClockSettingError(ValueError):
    """LEERCOACH_NOW or LEERCOACH_CLOCK_OFFSET holds a value that is not a time or a shift."""


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time (`2026-11-23T15:30:00Z`); without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError) as exc:
        raise ClockSettingError(f"not an ISO date and time: {text!r}") from exc


def parse_offset(text: str) -> timedelta:
    """A signed shift such as `+365d`, `-2h` or `+1d12h` (w, d, h, m, s)."""
    found = _OFFSET.fullmatch(text.strip().lower())
    if found is None:
        raise ClockSettingError(f"not a shift like +365d, -2h or +1d12h: {text!r}")
    try:
        shift = sum((timedelta(**{_UNITS[unit]: int(amount)})
                     for amount, unit in _PART.findall(found.group(2))), timedelta())
    except OverflowError:
        raise ClockSettingError(f"a shift too large for a date: {text!r}") from None
    return -shift if found.group(1) == "-" else shift


@dataclass(frozen=True, slots=True)
class _Setting:
    """The clock the environment asks for; `start` is None for the real clock. `source` is
    the pair of values it was read from (None when set by `start_at`)."""

    start: datetime | None = None
    offset: timedelta = timedelta()
    source: tuple[str, str] | None = None
    started_at: float = field(default_factory=lambda: _monotonic())  # looked up late (tests)

    def read(self) -> datetime:
        if self.start is None:
            base = _real_now()
        else:
            base = self.start + timedelta(seconds=_monotonic() - self.started_at)
        return base + self.offset


def _from(environ: Mapping[str, str]) -> _Setting:
    raw_now = environ.get(NOW_VARIABLE, "").strip()
    raw_offset = environ.get(OFFSET_VARIABLE, "").strip()
    try:
        start = parse_instant(raw_now) if raw_now else None
    except ClockSettingError as exc:
        raise ClockSettingError(f"{NOW_VARIABLE} is {exc}, e.g. 2026-11-23T15:30:00Z") from None
    try:
        offset = parse_offset(raw_offset) if raw_offset else timedelta()
    except ClockSettingError as exc:
        raise ClockSettingError(f"{OFFSET_VARIABLE} is {exc}") from None
    setting = _Setting(start, offset, (raw_now, raw_offset))
    try:
        setting.read()
    except OverflowError:
        raise ClockSettingError(f"{NOW_VARIABLE} and {OFFSET_VARIABLE} leave the years a "
                                "date can have (1 to 9999)") from None
    return setting


_lock = threading.Lock()
_setting: _Setting | None = None


def configure(environ: Mapping[str, str] | None = None) -> None:
    """Read the clock from the environment now (ClockSettingError when it is unreadable);
    a process calls this at start-up, so a bad value stops it with a clear message. Read
    again with the same values, a running LEERCOACH_NOW clock runs on (time never jumps
    back); with other values the clock is set anew."""
    global _setting
    setting = _from(os.environ if environ is None else environ)
    with _lock:
        if _setting is None or _setting.source != setting.source:
            _setting = setting


def start_at(instant: datetime) -> None:
    """From here on the clock shows `instant` and runs on (what `leercoach tick --now` does,
    so the tick and everything it writes agree on one moment)."""
    global _setting
    if instant.tzinfo is None:
        raise ValueError("start_at needs an aware datetime")
    with _lock:
        _setting = _Setting(instant.astimezone(UTC))


def now() -> datetime:
    """What time it is, in UTC (aware): the one clock of the product."""
    setting = _setting
    if setting is None:
        configure()
        setting = _setting
        assert setting is not None
    return setting.read()
