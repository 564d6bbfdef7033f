"""Weekdays: names, abbreviations ('wo en vr', 'mon, tue'), ranges ('ma–vr', 'maandag t/m
woensdag', 'mon to thu'), groups ('werkweek', 'weekend', 'elke dag') and exceptions ('alle
dagen behalve maandag', 'weekdays except wed'). Days are 0 (Monday) to 6 (Sunday)."""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, trim_fillers
from bot.core.interpretation.reading import Reading

WORKWEEK = (0, 1, 2, 3, 4)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
_FUZZY = 80  # 'woendag', 'donderag', 'wendsday'
_TOKEN = re.compile(r"[a-zà-ÿ']+\.?|[-–—/]|\d+")


def read_weekdays(text: str, locale: str) -> Reading[list[int]] | None:
    for lex in in_order(locale):
        found = _read(text, lex)
        if found is not None:
            return found
    return None


def _read(text: str, lex: Lexicon) -> Reading[list[int]] | None:
    said = trim_fillers(plain(base(text).replace(",", " , "), lex), lex)
    said = re.sub(r"\s*([-–—])\s*", r" \1 ", said)
    excepted = lex.pattern("weekday_words", "except").split(said, maxsplit=1)
    if len(excepted) == 2:
        kept = _days(excepted[0], lex) if excepted[0].strip() else None
        left_out = _days(excepted[1], lex)
        if left_out is None or not left_out[0]:
            return None
        base_days = kept[0] if kept and kept[0] else list(
            ALL_DAYS if _all_words(excepted[0], lex) else WORKWEEK)
        days = [d for d in base_days if d not in left_out[0]]
        sure = (kept[1] if kept else excepted[0].strip() != "") and left_out[1]
        return Reading(days, sure) if days else None
    found = _days(said, lex)
    if found is None or not found[0]:
        return None
    return Reading(found[0], found[1])


def _all_words(text: str, lex: Lexicon) -> bool:
    groups = lex.table("weekday_groups")
    return any(len(groups[g]) == 7 for g in groups
               if re.search(rf"(?<!\w){re.escape(g)}(?!\w)", text))


def _days(text: str, lex: Lexicon) -> tuple[list[int], bool] | None:
    """The days named in `text` and whether each word was recognised exactly."""
    groups = lex.table("weekday_groups")
    names = lex.table("weekdays")
    range_words = lex.words("weekday_words", "range")
    noise = set(lex.words("weekday_words", "noise"))
    days: set[int] = set()
    for group in sorted(groups, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(group)}(?!\w)"
        if re.search(pattern, text):
            days.update(int(d) for d in groups[group])
            text = re.sub(pattern, " ", text)
    for word in sorted(range_words, key=len, reverse=True):
        if " " in word or "/" in word:
            text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " - ", text)
    tokens = [t.rstrip(".") for t in _TOKEN.findall(text)]
    sure = True
    sequence: list[int | str] = []
    for token in tokens:
        if token in range_words or token in ("-", "–", "—"):
            sequence.append("-")
        elif token in names:
            sequence.append(int(names[token]))
        elif token in noise or token in (",", "/") or not token or token.isdigit():
            continue
        else:
            guess = _fuzzy(token, lex)
            if guess is None:
                return None
            sequence.append(guess)
            sure = False
    for position, item in enumerate(sequence):
        if item == "-":
            continue
        assert isinstance(item, int)
        after = sequence[position + 1] if position + 1 < len(sequence) else None
        ahead = sequence[position + 2] if position + 2 < len(sequence) else None
        if after == "-" and isinstance(ahead, int):
            days.update(_span(item, ahead))
        else:
            days.add(item)
    return sorted(days), sure


def _span(first: int, last: int) -> list[int]:
    if first <= last:
        return list(range(first, last + 1))
    return [*range(first, 7), *range(0, last + 1)]


def _fuzzy(token: str, lex: Lexicon) -> int | None:
    if len(token) < 5:
        return None
    full = [name for name in lex.table("weekdays") if len(name) >= 6]
    found = process.extractOne(token, full, scorer=fuzz.ratio, score_cutoff=_FUZZY)
    return int(lex.table("weekdays")[found[0]]) if found else None
