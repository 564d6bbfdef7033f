"""Clock times: '16:30', '9u15', '5.15pm', 'half 6', 'kwart over 3', 'tien over half vijf',
'rond drieën', 'quarter to five', 'half past four'. An hour alone is read as a workday
hour (1 to 6 is the afternoon). A vague moment ('na de lunch', 'end of the day') comes back
as a proposal, to be confirmed once."""

from __future__ import annotations

import re

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words, trim_fillers
from bot.core.interpretation.reading import Reading

_DIGITS = re.compile(
    r"^(?P<hour>\d{1,2})(?:(?:[:.]|\s*[hu]\s*|\s)(?P<minute>\d{2}))?\s*(?:u|uur|h|hrs|o'clock)?"
    r"\s*(?P<ampm>am|pm)?$"
)
_FOUR = re.compile(r"^(?P<hour>[01]?\d|2[0-3])(?P<minute>[0-5]\d)\s*(?P<ampm>am|pm)?$")
_MINUTE_WORDS = {"dertig": 30, "thirty": 30, "veertig": 40, "forty": 40, "fourty": 40,
                 "vijfenveertig": 45, "forty-five": 45, "fortyfive": 45, "vijftig": 50, "fifty": 50,
                 "vijfentwintig": 25, "twenty-five": 25, "twentyfive": 25, "oh five": 5}
WITHIN_MAX_WORDS = 16
_UNITS = re.compile(r"(?<!\w)(?:minuten|minuutjes|minuut|min|mins|minutes|minute)(?!\w)")


def read_time(text: str, locale: str) -> Reading[str] | None:
    """A time of day as HH:MM, or None."""
    raw = base(text).replace("a.m.", "am").replace("p.m.", "pm")
    raw = re.sub(r"(\d)\s*(am|pm)\b", r"\1 \2", raw)
    raw = re.sub(r"(\d)\s*-?ish\b", r"\1", raw)
    for lex in in_order(locale):
        found = _read(raw, lex)
        if found is not None:
            return found
    return _within(raw, locale)


def _within(raw: str, locale: str) -> Reading[str] | None:
    """A time inside a longer sentence ('meestal rond half 5, dan ben ik klaar'): the
    longest span that reads as one, proposed rather than taken."""
    tokens = raw.replace(",", " ").split()
    if len(tokens) > WITHIN_MAX_WORDS:
        return None
    for length in range(min(4, len(tokens) - 1), 0, -1):
        for start in range(len(tokens) - length + 1):
            span = " ".join(tokens[start:start + length])
            for lex in in_order(locale):
                said = strip_words(plain(span, lex), lex.pattern("clock", "noise"))
                time = _digits(said) or _words(said, lex)
                if time is not None and (re.search(r"\d", said) or length > 1):
                    found = _finish(*time)
                    return Reading(found.value, sure=False) if found else None
    return None


def _read(raw: str, lex: Lexicon) -> Reading[str] | None:
    said = trim_fillers(plain(raw, lex), lex)
    said = strip_words(said, lex.pattern("clock", "noise"))
    vague = lex.table("vague_times")
    if said in vague:
        return Reading(str(vague[said]), sure=False)
    half_day: str | None = None
    if lex.pattern("clock", "noon").search(said):
        return Reading("12:00")
    if lex.pattern("clock", "midnight").search(said):
        return Reading("00:00")
    if lex.pattern("clock", "morning").search(said):
        half_day, said = "am", strip_words(said, lex.pattern("clock", "morning"))
    elif lex.pattern("clock", "afternoon").search(said):
        half_day, said = "pm", strip_words(said, lex.pattern("clock", "afternoon"))
    said = strip_words(_UNITS.sub(" ", said), lex.pattern("clock", "noise"))
    time = _digits(said) or _words(said, lex)
    if time is None:  # 'half 5 (na mijn werk)': the time, with the moment as its reason
        bare = strip_words(said, _vague_pattern(lex))
        time = (_digits(bare) or _words(bare, lex)) if bare != said else None
    if time is None:
        if not re.search(r"\d", said):
            for phrase in sorted(vague, key=len, reverse=True):
                if re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", raw):
                    return Reading(str(vague[phrase]), sure=False)
        return None
    hour, minute, marker = time
    return _finish(hour, minute, marker or half_day)


def _vague_pattern(lex: Lexicon) -> re.Pattern[str]:
    return re.compile("|".join(
        rf"(?<![\w']){re.escape(p)}(?![\w'])"
        for p in sorted(lex.table("vague_times"), key=len, reverse=True)) or "(?!)")


def _finish(hour: int, minute: int, marker: str | None) -> Reading[str] | None:
    if not 0 <= minute <= 59:
        return None
    if marker is not None:
        if not 0 <= hour <= 12:
            return None if hour > 23 else Reading(f"{hour:02d}:{minute:02d}")
        hour = hour % 12 + (12 if marker == "pm" else 0)
    elif 1 <= hour <= 6:
        hour += 12  # a workday: 'om 5' is five in the afternoon
    if hour == 24 and minute == 0:
        hour = 0
    if not 0 <= hour <= 23:
        return None
    return Reading(f"{hour:02d}:{minute:02d}")


def _digits(said: str) -> tuple[int, int, str | None] | None:
    match = _DIGITS.match(said) or _FOUR.match(said.replace(" ", ""))
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    if hour > 23 or (match["ampm"] and hour > 12):
        return None
    if hour >= 13 or hour == 0:
        return hour, minute, "24h"
    return hour, minute, match["ampm"]


def _number(token: str, lex: Lexicon) -> int | None:
    if token.isdigit() and len(token) <= 2:
        return int(token)
    if token in _MINUTE_WORDS:
        return _MINUTE_WORDS[token]
    value = lex.table("numbers").get(token)
    return int(value) if isinstance(value, int) and token not in ("a", "an", "een") else None


def _words(said: str, lex: Lexicon) -> tuple[int, int, str | None] | None:
    tokens = [t for t in said.replace("-", " ").split()
              if t not in lex.words("clock", "hour_words")]
    if lex.locale == "en":
        tokens = [t for i, t in enumerate(tokens)
                  if not (t in ("a", "an") and i + 1 < len(tokens) and tokens[i + 1] == "quarter")]
        if tokens[:2] == ["half", "past"]:
            tokens = ["half-past", *tokens[2:]]
    half = set(lex.words("clock", "half")) | {"half-past"}
    quarter = {w for w in lex.words("clock", "quarter") if " " not in w}
    past, to = set(lex.words("clock", "past")), set(lex.words("clock", "to"))
    dutch = lex.locale == "nl"

    def num(token: str) -> int | None:
        return 15 if token in quarter else _number(token, lex)

    match tokens:
        case [hour_word] if (hour := _number(hour_word, lex)) is not None and 0 <= hour <= 24:
            return hour, 0, None
        case ["half-past", hour_word] if (hour := _number(hour_word, lex)) is not None:
            return hour, 30, None
        case [h, hour_word] if h in half and (hour := _number(hour_word, lex)) is not None:
            return (hour - 1 if dutch else hour) % 12 or 12, 30, None
        case [m, p, h, hour_word] if (
            p in past | to and h in half and dutch
            and (minutes := num(m)) is not None and (hour := _number(hour_word, lex)) is not None
        ):
            offset = minutes if p in past else -minutes
            return (hour - 1) % 12 or 12, 30 + offset, None
        case [m, p, hour_word] if (
            p in past and (minutes := num(m)) is not None
            and (hour := _number(hour_word, lex)) is not None
        ):
            return hour, minutes, None
        case [m, p, hour_word] if (
            p in to and (minutes := num(m)) is not None
            and (hour := _number(hour_word, lex)) is not None and 0 < minutes < 60
        ):
            return (hour - 1) % 12 or 12, 60 - minutes, None
        case [hour_word, minute_word] if (
            (hour := _number(hour_word, lex)) is not None
            and (minutes := _number(minute_word, lex)) is not None and 10 <= minutes <= 59
        ):
            return hour, minutes, None
    return None
