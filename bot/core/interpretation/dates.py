"""Dates and durations of a pause ('over tien dagen', 'tot vrijdag', 'for 2 weeks', 'ne
week'), read by bot.core.date_phrases. What could be more than one day ('tot na de
herfstvakantie', 'next Friday' on a Wednesday) is asked back, with the likeliest day as a
proposal when there is one."""

from __future__ import annotations

from datetime import date

from bot.core.date_phrases import DateProblem, parse_pause_end
from bot.core.interpretation.reading import Reading


def read_back_on(text: str, today: date) -> Reading[date] | DateProblem:
    """The day someone is back: taken, proposed (an ambiguous phrase with a likely day), or
    the reason to ask back."""
    found = parse_pause_end(text, today)
    if isinstance(found, DateProblem):
        if found.reason == "ambiguous" and found.day is not None and found.alternative is None:
            return Reading(found.day, sure=False)
        return found
    return Reading(found.back_on)
