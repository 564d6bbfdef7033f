"""Named validators that flows refer to (`validate = "timezone"`).

Each takes the cleaned text and returns the normalised value, or None when it cannot be
understood; the flow then shows the text `validation.<name>` and the question stays open.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from zoneinfo import available_timezones

Validator = Callable[[str], str | None]


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    zones = {zone.lower(): zone for zone in available_timezones() if "/" in zone or zone == "UTC"}
    by_city: dict[str, list[str]] = {}
    for zone in zones.values():
        if zone.startswith("Etc/"):
            continue  # 'GMT+1' would become Etc/GMT+1, which is UTC-1: only by its full name
        by_city.setdefault(zone.rsplit("/", 1)[-1].lower().replace("_", " "), []).append(zone)
    for city, candidates in by_city.items():
        if len(candidates) == 1:
            zones.setdefault(city, candidates[0])
    return zones


def timezone(text: str) -> str | None:
    """An IANA time zone name, also written in lower case or as its city ('amsterdam')."""
    key = " ".join(text.strip().split()).lower()
    return _zones().get(key) or _zones().get(key.replace(" ", "_"))


_TIME = re.compile(
    r"^(?P<hour>\d{1,2})"
    r"(?:(?:[:.]|\s*[hu]\s*)(?P<minute>\d{2})|\s*(?:u|uur|h))?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?$"
)


def time_of_day(text: str) -> str | None:
    """A time like 16:30, 16.30, 16u30, 16 uur or 4:30 pm, normalised to HH:MM."""
    match = _TIME.match(text.strip().lower())
    if not match:
        return None
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    ampm = (match["ampm"] or "").replace(".", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


VALIDATORS: dict[str, Validator] = {"timezone": timezone, "time_of_day": time_of_day}
