"""Which of the shown options a reply means: its number ('2', 'nummer twee', 'de laatste',
'the second one'), its label or a word of it ('weekplan' for 'Mijn weekplan'), or a label
with a typo. Typos are matched with rapidfuzz, a maintained fuzzy matcher."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words, without_accents
from bot.core.interpretation.reading import Reading

SURE_SCORE = 90  # a fuzzy match this close is taken; between PROPOSE_SCORE and this, proposed
PROPOSE_SCORE = 75
MARGIN = 8  # the best match must beat the next by this much
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\+|&|\s+en\s+|\s+and\s+|\s+of\s+|\s+or\s+|\s+plus\s+)\s*")
_NUMBER = re.compile(r"^#?(\d{1,2})[.)]?$")


def read_choice(text: str, locale: str, labels: Sequence[str], values: Sequence[str] = ()
                ) -> Reading[int] | None:
    """The index of the option meant, or None."""
    for lex in in_order(locale):
        found = _one(text, lex, labels, values)
        if found is not None:
            return found
    return None


def read_choices(text: str, locale: str, labels: Sequence[str], values: Sequence[str] = ()
                 ) -> Reading[list[int]] | None:
    """The indexes of the options meant ('1 en 3', 'koffie, thee'), in the options' order."""
    whole = read_choice(text, locale, labels, values)
    if whole is not None and whole.sure:
        return Reading([whole.value])
    parts = [p for p in _SEPARATORS.split(base(text)) if p.strip()]
    if len(parts) == 1:
        if whole is not None:
            return Reading([whole.value], sure=False)
        parts = parts[0].split()
    chosen: list[int] = []
    for part in parts:
        found = read_choice(part, locale, labels, values)
        if found is not None and not found.sure:
            return None  # 'maandag, zomaar': one guess among several is no answer
        if found is None:
            if plain(part, in_order(locale)[0]) in in_order(locale)[0].words("choice", "noise"):
                continue
            return None
        if found.value not in chosen:
            chosen.append(found.value)
    return Reading(sorted(chosen)) if chosen else None


def _key(text: str) -> str:
    return without_accents(text).lower().strip()


def _one(text: str, lex: Lexicon, labels: Sequence[str], values: Sequence[str]
         ) -> Reading[int] | None:
    said = plain(text, lex)
    keys = [_key(label) for label in labels]
    for index, key in enumerate(keys):
        if _key(said) in (key, _key(values[index]) if index < len(values) else key):
            return Reading(index)
    core = strip_words(said, lex.pattern("choice", "noise")) or said
    ordinal = _ordinal(core, lex, len(labels))
    if ordinal is not None:
        return Reading(ordinal)
    if not core:
        return None
    key = _key(core)
    # A word of one label only ('weekplan' for 'Mijn weekplan bekijken').
    containing = [i for i, label in enumerate(keys)
                  if len(key) >= 3 and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", label)]
    if len(containing) == 1:
        return Reading(containing[0])
    if len(key) < 3:
        return None
    scored = process.extract(key, keys, scorer=fuzz.WRatio, processor=utils.default_process,
                             limit=2)
    if not scored:
        return None
    best_label, best, index = scored[0]
    runner_up = scored[1][1] if len(scored) > 1 else 0.0
    if best < PROPOSE_SCORE or best - runner_up < MARGIN:
        return None
    plain_score = fuzz.ratio(key, best_label)
    return Reading(index, sure=best >= SURE_SCORE and plain_score >= PROPOSE_SCORE)


def _ordinal(core: str, lex: Lexicon, count: int) -> int | None:
    tokens = core.split()
    if len(tokens) != 1:
        return None
    token = tokens[0]
    number = _NUMBER.match(token)
    if number:
        index = int(number[1]) - 1
        return index if 0 <= index < count else None
    ordinals, numbers = lex.table("ordinals"), lex.table("numbers")
    if token in ordinals:
        place = int(ordinals[token])
        if place == 0:
            return count // 2 if count % 2 else None
        index = count + place if place < 0 else place - 1
        return index if 0 <= index < count else None
    if token in numbers and token not in ("a", "an", "een"):
        index = int(numbers[token]) - 1
        return index if 0 <= index < count else None
    return None
