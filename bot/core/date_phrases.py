"""Understanding when a pause ends, in Dutch and English, relative to the person's local today.

Pure functions, no database and no clock: `parse_pause_end("tot 1 december", today)` says
which day is the last day of the pause, or why it cannot say (a `DateProblem`), so the coach
can ask back instead of guessing. What is understood:

- a duration, from today: `voor 2 weken`, `for 3 days`, `een maand`, `over twee weken`,
  `in 2 weeks`;
- a day the person is back (`tot`, `until`, `till`, or a bare date when the question was
  "when are you back?"), or the last day away (`tot en met`, `t/m`, `through`);
- such a day as a weekday (`maandag`, `until Friday`, `volgende week vrijdag`), a relative
  day (`morgen`, `tomorrow`), an ISO week (`week 20`), or a date: `1 december`,
  `December 1st`, `1/12` (day first: 1 December), `1-12-2026`, `2026-12-01`, and other
  wordings dateparser knows (absolute dates only, day and month required).

Refused, with the reason: dates in the past, dates that do not exist (`31 februari`), more
than a year away, a pause that starts later (`vanaf 1 mei`), and anything that could mean
more than one day (`volgende week`, `eind mei`, `een paar weken`, `next Friday` said on a
Wednesday) and a weekday that does not fit the date (`zondag 1 december` when 1 December is
a Tuesday).

The other way round, `long_date` and `month_label` write a day or a month in the person's
language, the way practices show them back.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from babel.dates import format_date

Reason = Literal[
    "empty", "unclear", "ambiguous", "mismatch", "impossible", "past", "past_no_year",
    "too_far", "starts_later",
]
Bare = Literal["back_on", "ambiguous"]

MAX_PAUSE_DAYS = 366  # a pause ends within a year (the last day is at most today + 365)
ROLL_OVER_DAYS = 183  # a date without a year that has passed means next year, if that is near
MAX_INPUT = 120


@dataclass(frozen=True, slots=True)
class PauseEnd:
    """A pause that starts today and whose last day is `last_day` (in the local calendar)."""

    last_day: date

    @property
    def back_on(self) -> date:
        return self.last_day + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DateProblem:
    """Why no pause end could be read: the reason, the day understood (if any) and the day
    the person may have meant instead (the same date next year, or the other Friday)."""

    reason: Reason
    day: date | None = None
    alternative: date | None = None


@dataclass(frozen=True, slots=True)
class _Span:
    """A point in the calendar: one day, or a week (`week 20`)."""

    first: date
    last: date


MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "febr": 2, "february": 2,
    "maart": 3, "mrt": 3, "mar": 3, "march": 3, "maa": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
WEEKDAY_NAMES: dict[str, int] = {
    "maandag": 0, "ma": 0, "monday": 0, "mon": 0,
    "dinsdag": 1, "di": 1, "tuesday": 1, "tue": 1, "tues": 1,
    "woensdag": 2, "wo": 2, "wednesday": 2, "wed": 2,
    "donderdag": 3, "do": 3, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "vrijdag": 4, "vr": 4, "vrij": 4, "friday": 4, "fri": 4,
    "zaterdag": 5, "za": 5, "saturday": 5, "sat": 5,
    "zondag": 6, "zo": 6, "sunday": 6, "sun": 6,
}
NUMBER_WORDS: dict[str, int] = {
    "een": 1, "één": 1, "eén": 1, "ne": 1, "nen": 1, "a": 1, "an": 1, "one": 1,
    "twee": 2, "two": 2, "drie": 3, "three": 3, "vier": 4, "four": 4, "vijf": 5, "five": 5,
    "zes": 6, "six": 6, "zeven": 7, "seven": 7, "acht": 8, "eight": 8, "negen": 9, "nine": 9,
    "tien": 10, "ten": 10, "elf": 11, "eleven": 11, "twaalf": 12, "twelve": 12,
}
UNITS: dict[str, str] = {
    "dag": "day", "dagen": "day", "dagje": "day", "dagjes": "day", "day": "day", "days": "day",
    "week": "week", "weken": "week", "weekje": "week", "weekjes": "week", "weeks": "week",
    "wk": "week",
    "maand": "month", "maanden": "month", "maandje": "month", "maandjes": "month",
    "month": "month", "months": "month",
    "jaar": "year", "year": "year",
}


def _alternation(words: Any) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_MONTH = _alternation(MONTHS)
_WEEKDAY = _alternation(WEEKDAY_NAMES)
_NUMBER = _alternation(NUMBER_WORDS)
_UNIT = _alternation(UNITS)

_NOW = re.compile(
    r"^(?:(?:vanaf|from|starting|per)\s+)?(?:nu|vandaag|now|today|direct|meteen|"
    r"immediately|right away)\s+"
)
# A hedged duration or day is still that duration or day: 'ongeveer een week', 'about 2 weeks'.
_HEDGE = re.compile(
    r"^(?:ongeveer|ong\.?|zo'n|zowat|circa|ca\.?|pakweg|een\s+dikke|een\s+goeie|"
    r"about|around|roughly|approximately|approx\.?|maybe|misschien|probably|waarschijnlijk)\s+"
)
_STARTS_LATER = re.compile(r"^(?:vanaf|van|from|starting|beginnend|per|na|after)\b")
_INCLUSIVE = re.compile(
    r"^(?:tot\s+en\s+met|t/m|t\.m\.|tm|through|thru|until\s+and\s+including|"
    r"up\s+to\s+and\s+including|to\s+and\s+including|including|incl\.?|inclusief)\s+"
)
_EXCLUSIVE = re.compile(r"^(?:tot|until|till|til|'til|up\s+to|up\s+until|to)\s+")
_FOR = re.compile(r"^(?:voor|for|gedurende|during|nog|another)\s+")
_IN = re.compile(r"^(?:over|in)\s+")
_ON = re.compile(r"^(?:op|on)\s+")

_DURATION = re.compile(rf"^(?:(\d{{1,3}})|({_NUMBER}))\s*({_UNIT})$")
_BARE_UNIT = re.compile(rf"^({_UNIT})$")  # 'een week' without the number: 'week'
_VAGUE_DURATION = re.compile(
    rf"^(?:een\s+paar|paar|enkele|wat|een\s+aantal|a\s+few|a\s+couple\s+of|couple\s+of|"
    rf"a\s+couple|several|some|few|anderhalve|a\s+.+\s+and\s+a\s+half|\d+[,.]\d+)\s*"
    rf"({_UNIT})(?:\s+.*)?$"
)
_VAGUE_POINT = re.compile(
    r"^(?:the\s+|de\s+|het\s+)?(?:volgende\s+(?:week|maand)|next\s+(?:week|month)|"
    r"(?:het\s+|the\s+|dit\s+|this\s+|volgend\s+|next\s+)?weekend|"
    r"binnenkort|soon|later|straks|na\s+.+|after\s+.+|"
    r"(?:de\s+)?zomer|(?:the\s+)?summer|kerst(?:mis)?|christmas|pasen|easter|"
    r"(?:het\s+)?nieuwe\s+jaar|(?:the\s+)?new\s+year|eind(?:e)?\s+.+|end\s+of\s+.+|"
    r"begin\s+.+|beginning\s+of\s+.+|half\s+.+|medio\s+.+|mid\s*-?\s*.+|early\s+.+|"
    r"late\s+.+|deze\s+week|this\s+week|deze\s+maand|this\s+month)$"
)
_MONTH_ONLY = re.compile(rf"^(?:in\s+)?({_MONTH})\.?(?:\s+(\d{{4}}))?$")

_RELATIVE_DAYS: dict[str, int] = {
    "vandaag": 0, "today": 0,
    "morgen": 1, "tomorrow": 1,
    "overmorgen": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
}
_COMING = re.compile(
    rf"^(?:(?:aanstaande|a\.s\.|as|komende|deze|this|coming|this\s+coming)\s+)?({_WEEKDAY})\.?"
    r"(?:\s+(?:aanstaande|a\.s\.|as))?$"
)
_NEXT = re.compile(rf"^(?:volgende|next)\s+({_WEEKDAY})\.?$")
_NEXT_WEEK = re.compile(
    rf"^(?:(?:volgende|next)\s+week\s+({_WEEKDAY})|({_WEEKDAY})\s+(?:volgende|next)\s+week)$"
)
_WEEK_NUMBER = re.compile(r"^(?:week|wk)\s*(\d{1,2})(?:\s+(\d{4}))?$")
_LEADING_WEEKDAY = re.compile(rf"^({_WEEKDAY})\.?\s+(?=.*\d)")
_ISO = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(
    rf"^(?:the\s+|de\s+)?(\d{{1,2}})(?:e|ste|de|st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?"
    r"(?:\s+('?\d{4}|'\d{2}))?$"
)
_MONTH_DAY = re.compile(
    rf"^({_MONTH})\.?\s+(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th|e|ste|de)?(?:\s+(\d{{4}}))?$"
)
_YEARISH = re.compile(r"\b\d{4}\b|'\d{2}\b|\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2,4}")
_DATEPARSER_INPUT = re.compile(r"^[\w\s./'-]+$")
_ANY_WEEKDAY = re.compile(rf"\b({_WEEKDAY})\b")


def normalise(text: str) -> str:
    """Lower case, single spaces, no commas, no trailing punctuation ('Tot 1 December!')."""
    lowered = text.lower().replace("’", "'").replace("‘", "'")
    lowered = re.sub(r"(?<!\d),|,(?!\d)", " ", lowered)  # keep '1,5 week' for what it is
    lowered = " ".join(lowered.split())
    return lowered.rstrip("!?. ").strip()


_CONNECTOR = re.compile(
    r"^\s*(?:tot\s+en\s+met|t/m|tot|until|till|through|up\s+to|to|voor|for|op|on)\s+",
    re.IGNORECASE,
)


def without_connector(text: str) -> str:
    """The date part of what was typed, as typed, to quote back ('tot 31 februari' → '31
    februari')."""
    return _CONNECTOR.sub("", text, count=1).strip() or text.strip()


def parse_pause_end(text: str, today: date, *, bare: Bare = "back_on") -> PauseEnd | DateProblem:
    """The last day of a pause starting `today`, from what the person wrote.

    `bare` says what a date without `tot`/`until` means: the day the person is back (the
    answer to "when are you back?"), or something to ask about (`pauze maandag`).
    """
    words = normalise(text)
    if not words:
        return DateProblem("empty")
    if len(words) > MAX_INPUT:
        return DateProblem("unclear")
    words = _HEDGE.sub("", _NOW.sub("", words))
    if _STARTS_LATER.match(words):
        return DateProblem("starts_later")
    if match := _INCLUSIVE.match(words):
        return _until(words[match.end():], today, inclusive=True)
    if match := _EXCLUSIVE.match(words):
        rest = words[match.end():]
        inner = _IN.match(rest)  # 'tot over 2 weken'
        if inner:
            return _duration_end(rest[inner.end():], today)
        return _until(rest, today, inclusive=False)
    if match := _FOR.match(words):
        return _duration_end(words[match.end():], today)
    if match := _IN.match(words):
        rest = words[match.end():]
        if _MONTH_ONLY.match(words):
            return DateProblem("ambiguous")
        return _duration_end(rest, today)
    duration = _duration_end(words, today)
    if not (isinstance(duration, DateProblem) and duration.reason == "unclear"):
        return duration
    if match := _ON.match(words):
        words = words[match.end():]
    point = parse_point(words, today)
    if isinstance(point, DateProblem):
        return point
    if bare == "ambiguous":
        return DateProblem("ambiguous", day=point.first)
    return _check(point.first - timedelta(days=1), today, point.first)


def _until(words: str, today: date, *, inclusive: bool) -> PauseEnd | DateProblem:
    point = parse_point(words, today, inclusive=inclusive)
    if isinstance(point, DateProblem):
        return point
    if inclusive:
        return _check(point.last, today, point.last)
    return _check(point.first - timedelta(days=1), today, point.first)


def _check(last_day: date, today: date, said: date) -> PauseEnd | DateProblem:
    if last_day < today:
        return DateProblem("past", day=said)
    if (last_day - today).days >= MAX_PAUSE_DAYS:
        return DateProblem("too_far", day=said)
    return PauseEnd(last_day)


# -- durations ---------------------------------------------------------------------------


def parse_duration(words: str) -> tuple[int, str] | None:
    """`2 weken` → (2, 'week'); `een maand` → (1, 'month'); None if it is no duration."""
    words = normalise(words)
    match = _DURATION.match(words)
    if match:
        count = int(match[1]) if match[1] else NUMBER_WORDS[match[2]]
        return count, UNITS[match[3]]
    match = _BARE_UNIT.match(words)
    if match:
        return 1, UNITS[match[1]]
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day where needed."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _duration_end(words: str, today: date) -> PauseEnd | DateProblem:
    if _VAGUE_DURATION.match(words):
        return DateProblem("ambiguous")
    duration = parse_duration(words)
    if duration is None:
        return DateProblem("unclear")
    count, unit = duration
    if count < 1:
        return DateProblem("unclear")
    if count > 999:
        return DateProblem("too_far")
    if unit == "day":
        back_on = today + timedelta(days=count)
    elif unit == "week":
        back_on = today + timedelta(weeks=count)
    else:
        months = count * (12 if unit == "year" else 1)
        if months > 24:
            return DateProblem("too_far")
        back_on = add_months(today, months)
    return _check(back_on - timedelta(days=1), today, back_on)


# -- points in the calendar ----------------------------------------------------------------


def parse_point(words: str, today: date, *, inclusive: bool = False) -> _Span | DateProblem:
    """A day (or an ISO week) from what the person wrote, relative to `today`."""
    words = normalise(words)
    if not words:
        return DateProblem("empty")
    if words in _RELATIVE_DAYS:
        day = today + timedelta(days=_RELATIVE_DAYS[words])
        return _Span(day, day)
    if _VAGUE_POINT.match(words) or _MONTH_ONLY.match(words):
        return DateProblem("ambiguous")
    weekday = _weekday_point(words, today)
    if weekday is not None:
        return weekday
    if match := _WEEK_NUMBER.match(words):
        return _iso_week(int(match[1]), int(match[2]) if match[2] else None, today, inclusive)
    return _calendar_date(words, today)


def _weekday_point(words: str, today: date) -> _Span | DateProblem | None:
    if match := _COMING.match(words):
        day = coming(WEEKDAY_NAMES[match[1]], today)
        return _Span(day, day)
    if match := _NEXT_WEEK.match(words):
        day = in_next_week(WEEKDAY_NAMES[match[1] or match[2]], today)
        return _Span(day, day)
    if match := _NEXT.match(words):
        weekday = WEEKDAY_NAMES[match[1]]
        first, other = coming(weekday, today), in_next_week(weekday, today)
        if first != other:
            return DateProblem("ambiguous", day=first, alternative=other)
        return _Span(first, first)
    return None


def coming(weekday: int, today: date) -> date:
    """The first such weekday after today ('maandag' said on a Monday: next week's)."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def in_next_week(weekday: int, today: date) -> date:
    """That weekday in the (ISO, Monday-first) week after this one."""
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return monday + timedelta(days=weekday)


def _iso_week(number: int, year: int | None, today: date, inclusive: bool) -> _Span | DateProblem:
    def week(of_year: int) -> _Span | None:
        try:
            monday = date.fromisocalendar(of_year, number, 1)
        except ValueError:
            return None
        return _Span(monday, monday + timedelta(days=6))

    if year is not None:
        span = week(year)
        return span if span is not None else DateProblem("impossible")
    this_year = week(today.year)
    if this_year is not None and _still_ahead(this_year, today, inclusive):
        return this_year
    next_year = week(today.year + 1)
    if next_year is None:
        return DateProblem("impossible")
    if this_year is None or (next_year.first - today).days <= ROLL_OVER_DAYS:
        return next_year
    return DateProblem("past_no_year", day=this_year.first, alternative=next_year.first)


def _still_ahead(span: _Span, today: date, inclusive: bool) -> bool:
    return span.last >= today if inclusive else span.first > today


def _calendar_date(words: str, today: date) -> _Span | DateProblem:
    said_weekday: int | None = None
    if match := _LEADING_WEEKDAY.match(words):
        said_weekday = WEEKDAY_NAMES[match[1]]
        words = words[match.end():]
    parts = _date_parts(words)
    if parts is None:
        parts = _dateparser_parts(words, today)
        if parts is None:
            return DateProblem("unclear")
        found = _ANY_WEEKDAY.search(words)
        if found and said_weekday is None:
            said_weekday = WEEKDAY_NAMES[found[1]]
    day_number, month, year = parts
    resolved = resolve_date(day_number, month, year, today)
    if isinstance(resolved, DateProblem):
        return resolved
    if said_weekday is not None and resolved.weekday() != said_weekday:
        return DateProblem("mismatch", day=resolved)
    return _Span(resolved, resolved)


def _date_parts(words: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) from the written forms we know ourselves."""
    if match := _ISO.match(words):
        return int(match[4]), int(match[3]), int(match[1])
    if match := _NUMERIC.match(words):
        return int(match[1]), int(match[2]), _year(match[3])
    if match := _DAY_MONTH.match(words):
        return int(match[1]), MONTHS[match[2]], _year(match[3])
    if match := _MONTH_DAY.match(words):
        return int(match[2]), MONTHS[match[1]], _year(match[3])
    return None


def _year(text: str | None) -> int | None:
    if not text:
        return None
    digits = text.lstrip("'")
    return int(digits) + (2000 if len(digits) == 2 else 0)


def _dateparser_parts(words: str, today: date) -> tuple[int, int, int | None] | None:
    """Other wordings of an absolute date ('the first of December'), through dateparser.

    Only absolute dates with a day and a named month: no relative phrases, which it would
    otherwise turn into a guess ('volgende week' → some Wednesday), and no bare numbers or
    symbols (it reads '{{ 7*7 }}' as 7 July).
    """
    if not _DATEPARSER_INPUT.match(words) or not re.search(rf"\b(?:{_MONTH})\b", words):
        return None  # numbers alone are ours to read ('7 7' is no date); symbols are no date
    import dateparser  # imported here: loading its language data takes a moment

    try:
        parsed = dateparser.parse(
            words,
            languages=["nl", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "PREFER_DATES_FROM": "future",
                "RELATIVE_BASE": datetime(today.year, today.month, today.day),
                "REQUIRE_PARTS": ["day", "month"],
                "PARSERS": ["absolute-time"],
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
    except Exception:  # dateparser raises on odd input in more ways than it documents
        return None
    if parsed is None:
        return None
    has_year = bool(_YEARISH.search(words))
    if len(re.findall(r"\d+", words)) > (2 if has_year else 1):
        return None  # a number we cannot place ('1 december 27': the year 2027, or not?)
    year = parsed.year if has_year else None
    return parsed.day, parsed.month, year


def resolve_date(day: int, month: int, year: int | None, today: date) -> date | DateProblem:
    """The date meant by day/month[/year]; without a year the next one from today, unless
    that is more than half a year after a date that just passed ('1 maart' on 11 March)."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return DateProblem("impossible")
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return DateProblem("impossible")
    this_year = _valid(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    if this_year is not None:  # it has passed this year
        next_year = _valid(today.year + 1, month, day)
        if next_year is not None and (next_year - today).days <= ROLL_OVER_DAYS:
            return next_year
        return DateProblem("past_no_year", day=this_year, alternative=next_year)
    # 29 February in a year without one: the next year that has it, if that is near
    for later in (today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        candidate = _valid(later, month, day)
        if candidate is not None:
            return candidate if (candidate - today).days <= MAX_PAUSE_DAYS else (
                DateProblem("impossible")
            )
    return DateProblem("impossible")


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -- writing dates ---------------------------------------------------------------------------


def month_label(month: date, locale: str) -> str:
    """'maart' / 'March', in the person's language."""
    return str(format_date(month, "LLLL", locale=locale))


def long_date(day: date, locale: str, today: date | None = None) -> str:
    """'maandag 1 december', with the year when it is not this year's."""
    pattern = "EEEE d MMMM" if today is None or day.year == today.year else "EEEE d MMMM y"
    return str(format_date(day, pattern, locale=locale))
