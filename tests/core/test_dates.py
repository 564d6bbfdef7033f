"""Reading when a pause ends (bot/core/date_phrases.py):
Dutch and English, relative to a local today.

The examples are written out per case; the properties (hypothesis) check that every date of
the coming year, written in the usual ways, reads back to itself, and that no text at all
makes the parser crash or return a pause that does not start today.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.date_phrases import (
    MAX_PAUSE_DAYS,
    DateProblem,
    PauseEnd,
    add_months,
    coming,
    in_next_week,
    parse_duration,
    parse_pause_end,
    resolve_date,
    without_connector,
)

TODAY = date(2026, 3, 11)  # a Wednesday

NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
             "september", "oktober", "november", "december"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
NL_WEEKDAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def last_day(text: str, today: date = TODAY, **options: str) -> date:
    result = parse_pause_end(text, today, **options)  # type: ignore[arg-type]
    assert isinstance(result, PauseEnd), (text, result)
    return result.last_day


def problem(text: str, today: date = TODAY, **options: str) -> DateProblem:
    result = parse_pause_end(text, today, **options)  # type: ignore[arg-type]
    assert isinstance(result, DateProblem), (text, result)
    return result


# -- until a day: 'tot' is the day you are back, 'tot en met' the last day away ----------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tot 1 december", date(2026, 11, 30)),
        ("Tot 1 December!", date(2026, 11, 30)),
        ("until 1 December", date(2026, 11, 30)),
        ("until December 1st", date(2026, 11, 30)),
        ("till the 1st of December", date(2026, 11, 30)),
        ("tot 1e december", date(2026, 11, 30)),
        ("tot 1 dec.", date(2026, 11, 30)),
        ("tot dinsdag 1 december", date(2026, 11, 30)),
        ("until Tuesday, December 1", date(2026, 11, 30)),
        ("tot 1/12", date(2026, 11, 30)),  # day first: 1 December
        ("tot 1-12", date(2026, 11, 30)),
        ("until 1.12", date(2026, 11, 30)),
        ("tot 12/1", None),  # 12 January has passed and next year's is too far: asked
        ("tot 2026-12-01", date(2026, 11, 30)),
        ("tot 1-12-2026", date(2026, 11, 30)),
        ("tot 1/12/26", date(2026, 11, 30)),
        ("tot 1 december 2026", date(2026, 11, 30)),
        ("tot en met 1 december", date(2026, 12, 1)),
        ("t/m 1 december", date(2026, 12, 1)),
        ("through December 1", date(2026, 12, 1)),
        ("tot morgen", TODAY),
        ("until tomorrow", TODAY),
        ("t/m morgen", date(2026, 3, 12)),
        ("tot overmorgen", date(2026, 3, 12)),
        ("t/m vandaag", TODAY),
        ("vanaf nu tot 1 mei", date(2026, 4, 30)),
        ("tot de 1e december", date(2026, 11, 30)),
        ("tot 2026/12/01", date(2026, 11, 30)),
        # other wordings go through dateparser (absolute dates with a named month only)
        ("tot 1-dec-2026", date(2026, 11, 30)),
        ("tot 1. december", date(2026, 11, 30)),
    ],
)
def test_until_a_date(text: str, expected: date | None) -> None:
    if expected is None:
        assert problem(text).reason == "past_no_year"
    else:
        assert last_day(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tot maandag", date(2026, 3, 15)),  # back on Monday 16 March
        ("until Monday", date(2026, 3, 15)),
        ("until Friday", date(2026, 3, 12)),
        ("tot vrijdag", date(2026, 3, 12)),
        ("tot en met vrijdag", date(2026, 3, 13)),
        ("through Friday", date(2026, 3, 13)),
        ("tot aanstaande vrijdag", date(2026, 3, 12)),
        ("until this Friday", date(2026, 3, 12)),
        ("tot woensdag", date(2026, 3, 17)),  # said on a Wednesday: next week's
        ("tot volgende week vrijdag", date(2026, 3, 19)),
        ("until Friday next week", date(2026, 3, 19)),
        ("until next Monday", date(2026, 3, 15)),  # the coming Monday is next week's too
        ("tot ma", date(2026, 3, 15)),
        ("tot week 20", date(2026, 5, 10)),  # back on the Monday of week 20
        ("t/m week 20", date(2026, 5, 17)),
    ],
)
def test_until_a_weekday_or_week(text: str, expected: date) -> None:
    assert last_day(text) == expected


def test_a_weekday_is_always_the_next_one() -> None:
    for offset in range(7):
        today = TODAY + timedelta(days=offset)
        for weekday in range(7):
            day = coming(weekday, today)
            assert day.weekday() == weekday
            assert 1 <= (day - today).days <= 7
            assert in_next_week(weekday, today).isocalendar().week == (
                (today + timedelta(weeks=1)).isocalendar().week
            )


# -- for a while ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("voor 2 weken", date(2026, 3, 24)),  # back on Wednesday 25 March
        ("for 2 weeks", date(2026, 3, 24)),
        ("2 weken", date(2026, 3, 24)),
        ("twee weken", date(2026, 3, 24)),
        ("over twee weken", date(2026, 3, 24)),
        ("tot over 2 weken", date(2026, 3, 24)),
        ("in 2 weeks", date(2026, 3, 24)),
        ("een week", date(2026, 3, 17)),
        ("a week", date(2026, 3, 17)),
        ("één weekje", date(2026, 3, 17)),
        ("for 3 days", date(2026, 3, 13)),
        ("voor 3 dagen", date(2026, 3, 13)),
        ("nog 1 dag", TODAY),
        ("een maand", date(2026, 4, 10)),
        ("for 2 months", date(2026, 5, 10)),
        ("een jaar", date(2027, 3, 10)),
    ],
)
def test_for_a_while(text: str, expected: date) -> None:
    assert last_day(text) == expected


def test_durations_and_months() -> None:
    assert parse_duration("3 dagen") == (3, "day")
    assert parse_duration("Twee Weken") == (2, "week")
    assert parse_duration("a month") == (1, "month")
    assert parse_duration("maandag") is None
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


# -- a bare date: the answer to "when are you back?" --------------------------------------------


def test_a_bare_date_is_the_day_you_are_back() -> None:
    assert last_day("1 mei") == date(2026, 4, 30)
    assert last_day("maandag") == date(2026, 3, 15)
    assert last_day("op maandag") == date(2026, 3, 15)
    assert last_day("on Monday") == date(2026, 3, 15)
    assert last_day("morgen") == TODAY


def test_after_a_command_a_bare_date_is_asked_about() -> None:
    found = problem("maandag", bare="ambiguous")
    assert (found.reason, found.day) == ("ambiguous", date(2026, 3, 16))
    assert problem("1 december", bare="ambiguous").day == date(2026, 12, 1)
    # durations and 'tot' need no question
    assert last_day("2 weken", bare="ambiguous") == date(2026, 3, 24)
    assert last_day("tot 1 mei", bare="ambiguous") == date(2026, 4, 30)


# -- refused, with the reason ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["tot 31 februari", "tot 30/2", "tot 31 april", "until 31 June", "tot 13/13",
     "tot 32 maart", "tot 2026-13-01", "tot 0 mei", "tot week 54", "tot 29 februari",
     "tot 29 februari 2027"],
)
def test_dates_that_do_not_exist(text: str) -> None:
    assert problem(text).reason == "impossible"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tot 1 december 2025", "past"),
        ("until 1 March 2026", "past"),
        ("tot vandaag", "past"),  # back today: no pause at all
        ("until today", "past"),
        ("tot 10 maart", "past_no_year"),  # yesterday: surely not next year's
        ("tot 1 februari", "past_no_year"),
        ("tot week 10", "past_no_year"),
        ("tot 1 december 2027", "too_far"),
        ("voor 2 jaar", "too_far"),
        ("for 400 days", "too_far"),
        ("vanaf 1 mei", "starts_later"),
        ("van 1 tot 15 mei", "starts_later"),
        ("from Monday until Friday", "starts_later"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_dates_in_the_past_too_far_or_later(text: str, reason: str) -> None:
    assert problem(text).reason == reason


def test_a_date_just_passed_suggests_next_year() -> None:
    found = problem("tot 1 maart")
    assert (found.reason, found.day, found.alternative) == (
        "past_no_year", date(2026, 3, 1), date(2027, 3, 1)
    )
    # with the year written out, next year's is fine
    assert last_day("tot 1 maart 2027") == date(2027, 2, 28)


def test_a_date_long_passed_means_next_year() -> None:
    november = date(2026, 11, 20)
    assert last_day("tot 15 januari", november) == date(2027, 1, 14)
    assert last_day("until 1/2", november) == date(2027, 1, 31)
    assert last_day("t/m week 2", november) == date(2027, 1, 17)


@pytest.mark.parametrize(
    "text",
    ["tot volgende week", "until next week", "tot het weekend", "tot eind mei", "tot begin juni",
     "tot half april", "until the end of May", "tot mei", "in mei", "een paar weken",
     "a few weeks", "for a couple of weeks", "anderhalve week", "1,5 week", "tot na de zomer",
     "tot binnenkort", "until Christmas", "tot volgende maand"],
)
def test_ambiguous_wordings_are_asked_about(text: str) -> None:
    assert problem(text).reason == "ambiguous"


def test_next_friday_can_mean_two_fridays() -> None:
    found = problem("until next Friday")
    assert (found.reason, found.day, found.alternative) == (
        "ambiguous", date(2026, 3, 13), date(2026, 3, 20)
    )
    found = problem("tot volgende vrijdag")
    assert (found.day, found.alternative) == (date(2026, 3, 13), date(2026, 3, 20))
    # on a Saturday, the coming Friday is next week's Friday: no doubt
    assert last_day("until next Friday", date(2026, 3, 14)) == date(2026, 3, 19)


def test_a_weekday_that_does_not_fit_the_date() -> None:
    found = problem("tot zondag 1 december")  # 1 December 2026 is a Tuesday
    assert (found.reason, found.day) == ("mismatch", date(2026, 12, 1))
    assert problem("until Monday, 1 December").reason == "mismatch"


@pytest.mark.parametrize(
    "text",
    ["asdf", "tot", "tot wanneer", "voor maandag", "pauze", "tot 1 december om 9 uur",
     "ik ben er weer als het kan", "14", "de 14e", "🌴", "{{ 7*7 }}", "tot 7 7",
     "tot 1 december 27", "x" * 500],
)
def test_unclear_text_is_not_guessed(text: str) -> None:
    assert problem(text).reason in ("unclear", "ambiguous")


def test_resolve_date_without_a_year() -> None:
    assert resolve_date(1, 12, None, TODAY) == date(2026, 12, 1)
    assert resolve_date(11, 3, None, TODAY) == TODAY
    assert resolve_date(29, 2, None, date(2027, 9, 1)) == date(2028, 2, 29)
    assert isinstance(resolve_date(29, 2, 2027, TODAY), DateProblem)
    assert isinstance(resolve_date(31, 4, None, TODAY), DateProblem)


def test_without_connector_quotes_the_date_as_typed() -> None:
    assert without_connector("tot 31 Februari") == "31 Februari"
    assert without_connector("Tot en met 1/12") == "1/12"
    assert without_connector("until Friday") == "Friday"
    assert without_connector("tot") == "tot"


# -- properties --------------------------------------------------------------------------------


def written(day: date, style: int) -> str:
    month_nl, month_en = NL_MONTHS[day.month - 1], EN_MONTHS[day.month - 1]
    return [
        f"{day.day} {month_nl}",
        f"{day.day} {month_en}",
        f"{month_en} {day.day}",
        f"{day.day}/{day.month}",
        f"{day.day}-{day.month}-{day.year}",
        day.isoformat(),
        f"{NL_WEEKDAYS[day.weekday()]} {day.day} {month_nl}",
        f"{EN_WEEKDAYS[day.weekday()]}, {month_en} {day.day}, {day.year}",
        f"{day.day} {month_nl} {day.year}",
    ][style]


todays = st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=300, deadline=None)
@given(today=todays, ahead=st.integers(min_value=1, max_value=365), style=st.integers(0, 8))
def test_every_date_of_the_coming_year_reads_back(today: date, ahead: int, style: int) -> None:
    day = today + timedelta(days=ahead)
    with_year = style in (4, 5, 7, 8)
    if not with_year and day.year != today.year and ahead > 183:
        return  # without a year, a date far into next year is asked about (tested above)
    text = written(day, style)
    assert last_day(f"tot {text}", today) == day - timedelta(days=1)
    assert last_day(f"tot en met {text}", today) == day
    assert last_day(text, today) == day - timedelta(days=1)  # the day you are back


@settings(max_examples=200, deadline=None)
@given(today=todays, count=st.integers(min_value=1, max_value=52))
def test_durations_start_today(today: date, count: int) -> None:
    assert last_day(f"voor {count} dagen", today) == today + timedelta(days=count - 1)
    assert last_day(f"for {count} weeks", today) == today + timedelta(weeks=count) - timedelta(
        days=1
    )


@settings(max_examples=300, deadline=None)
@given(today=todays, text=st.text(max_size=40))
def test_no_text_crashes_and_every_pause_starts_today(today: date, text: str) -> None:
    for bare in ("back_on", "ambiguous"):
        result = parse_pause_end(text, today, bare=bare)  # type: ignore[arg-type]
        if isinstance(result, PauseEnd):
            assert today <= result.last_day < today + timedelta(days=MAX_PAUSE_DAYS)


words = st.sampled_from(
    ["tot", "en", "met", "t/m", "until", "for", "voor", "over", "in", "next", "volgende",
     "week", "weken", "dagen", "maand", "1", "12", "31", "2026", "2027", "/", "-", "februari",
     "december", "maandag", "friday", "morgen", "vandaag", "vanaf", "eind", "paar", "a", "few"]
)


@settings(max_examples=300, deadline=None)
@given(today=todays, parts=st.lists(words, min_size=1, max_size=5))
def test_date_like_word_salad_never_ends_in_the_past(today: date, parts: list[str]) -> None:
    result = parse_pause_end(" ".join(parts), today)
    if isinstance(result, PauseEnd):
        assert today <= result.last_day < today + timedelta(days=MAX_PAUSE_DAYS)
