"""The days and hours an organisation does not want its people nudged on.

Public holidays come from the `holidays` package (the Netherlands and Belgium are what we
ship for; any country code it knows works), extra days off are the organisation's own, and
quiet hours are a daily window in each person's local time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache

import holidays


class CalendarError(ValueError):
    """A holiday country or quiet-hours window Leercoach cannot use."""


@lru_cache(maxsize=256)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year).keys())


def check_country(country: str) -> str:
    """The upper-cased country code, if the holidays package knows it."""
    code = country.strip().upper()
    try:
        known = holidays.country_holidays(code, years=2026)
    except NotImplementedError as exc:
        raise CalendarError(f"no public holidays known for country {country!r}") from exc
    return str(known.country)  # 'NLD' and 'nl' are both stored as 'NL'



def parse_quiet_hours(text: str) -> QuietHours:
    """'21:00-07:00' → QuietHours; an empty text or 'none' means no quiet hours."""
    text = text.strip()
    if text.lower() in ("", "none", "geen"):
        return QuietHours(None, None)
    try:
        start_text, end_text = text.split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError as exc:
        raise CalendarError(f"quiet hours must look like 21:00-07:00, got {text!r}") from exc
    if start.tzinfo is not None or end.tzinfo is not None:
        raise CalendarError(f"quiet hours are local times without a zone, got {text!r}")
    return QuietHours(start, end)


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window [start, end) of local time without nudges; it may wrap midnight."""

    start: time | None
    end: time | None

    def contains(self, moment: time) -> bool:
        if self.start is None or self.end is None or self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def __str__(self) -> str:
        if self.start is None or self.end is None:
            return "none"
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class DaysOff:
    """An organisation's public-holiday country and its own extra days off."""

    country: str | None = "NL"
    extra: frozenset[date] = field(default_factory=frozenset)

    def is_off(self, day: date) -> bool:
        if day in self.extra:
            return True
        return self.country is not None and day in _public_holidays(self.country, day.year)

    @classmethod
    def of(cls, country: str | None, extra: Iterable[date] = ()) -> DaysOff:
        return cls(country.upper() if country else None, frozenset(extra))
