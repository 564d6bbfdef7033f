"""A number on a scale: '4', 'vier', 'een 4', '4/5', '2 à 3', 'ruim voldoende',
'five-ish', '⭐⭐⭐⭐', '🙂'. A range, a word for a judgement or a face is proposed, not taken."""

from __future__ import annotations

import re

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words
from bot.core.interpretation.reading import Reading

_STARS = re.compile(r"[⭐★🌟]")
_ONLY_STARS = re.compile(r"^[\s⭐★🌟*]+$")
# Faces as a place on the scale (0 lowest, 1 highest): emoji are the same in every language.
_FACES = {
    "🤩": 1.0, "😍": 1.0, "🥳": 1.0, "😁": 1.0, "😄": 1.0, "😃": 1.0, "💯": 1.0, "🔥": 1.0,
    "😀": 0.75, "🙂": 0.75, "😊": 0.75, "👍": 0.75, "😌": 0.75,
    "😐": 0.5, "😶": 0.5, "🤷": 0.5, "😑": 0.5, "🫤": 0.5,
    "🙁": 0.25, "😕": 0.25, "😟": 0.25, "👎": 0.25,
    "😞": 0.0, "😢": 0.0, "😭": 0.0, "😩": 0.0, "😫": 0.0, "😡": 0.0, "☹": 0.0,
}
_OUT_OF = re.compile(r"^(\d{1,2}(?:[.,]\d)?)\s*(?:/|van de|van|uit|op|out of)\s*(\d{1,2})$")
# '4 of 5' is 'four out of five' in English, but 'four or five' in Dutch.
_OUT_OF_EN = re.compile(r"^(\d{1,2}(?:[.,]\d)?)\s*(?:/|out of|of|on)\s*(\d{1,2})$")
_DECIMAL = re.compile(r"^(\d{1,2})[.,](\d)$")
_INT = re.compile(r"^\d{1,3}$")
_DIMINUTIVE = re.compile(r"(?<![\w.,])(\d{1,2})\s?'?(?:tjes|tje|je)(?!\w)")  # 'een 3je', "'n 4'tje"


def read_number(text: str, locale: str, minimum: int, maximum: int) -> Reading[int] | None:
    """A whole number from `minimum` to `maximum`, or None when there is none to read."""
    raw = base(text)
    if _ONLY_STARS.match(raw) and raw.strip():
        count = len(_STARS.findall(raw)) or raw.count("*")
        return Reading(count) if minimum <= count <= maximum else None
    for lex in in_order(locale):
        found = _read(raw, lex, minimum, maximum)
        if found is not None:
            return found
    faces = [v for face, v in _FACES.items() if face in raw]
    if faces and len(set(faces)) == 1:
        return Reading(_place(faces[0], minimum, maximum), sure=False)
    return None


def _place(position: float, minimum: int, maximum: int) -> int:
    return minimum + int(position * (maximum - minimum) + 0.5)


def _number(token: str, lex: Lexicon) -> float | None:
    token = token.strip()
    if _INT.match(token):
        return float(token)
    decimal = _DECIMAL.match(token)
    if decimal:
        return float(f"{decimal[1]}.{decimal[2]}")
    token = token.removesuffix("-ish").removesuffix("ish").rstrip("-")
    if _INT.match(token):
        return float(token)
    value = lex.table("numbers").get(token)
    return float(value) if isinstance(value, int) else None


def _read(raw: str, lex: Lexicon, minimum: int, maximum: int) -> Reading[int] | None:
    text = plain(raw, lex).replace("-ish", " ish").replace("ish", " ish")
    text = _DIMINUTIVE.sub(r"\1", text)
    text = re.sub(r"(\d)\s*(?:à|a|-|–|tot|to)\s*(\d)", r"\1 à \2", text)
    words = lex.table("scale_words")
    whole = text.strip()
    if whole in words:
        return Reading(_place(float(words[whole]), minimum, maximum), sure=False)
    digits = " ".join(str(int(n)) if (n := _number(t, lex)) is not None and n == int(n)
                      and t not in ("a", "an", "een") else t for t in whole.split())
    out_of = (_OUT_OF_EN if lex.locale == "en" else _OUT_OF).match(
        strip_words(digits, lex.pattern("scale", "hedges")))
    if out_of:
        value, top = float(out_of[1].replace(",", ".")), int(out_of[2])
        if top == maximum or top <= 0:
            return _whole(value, minimum, maximum)
        if 0 < value <= top:  # '8/10' on a scale of five
            return Reading(_place(value / top, minimum, maximum), sure=False)
        return None
    core = strip_words(digits, lex.pattern("scale", "hedges"))
    numbers = [n for n in (_number(t, lex) for t in core.split()) if n is not None]
    others = [t for t in core.split() if _number(t, lex) is None
              and t not in lex.words("scale", "range_words") and t != "ish"]
    if len(numbers) == 1 and not others:
        return _whole(numbers[0], minimum, maximum)
    if len(numbers) == 2 and not others and abs(numbers[1] - numbers[0]) <= 2:
        middle = (numbers[0] + numbers[1]) / 2
        found = _whole(middle, minimum, maximum)
        return Reading(found.value, sure=False) if found else None
    if len(numbers) == 1 and len(core.split()) <= 8:
        found = _whole(numbers[0], minimum, maximum)
        return Reading(found.value, sure=False) if found else None
    for phrase in sorted(words, key=len, reverse=True):
        if re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", whole) and len(whole.split()) <= 6:
            return Reading(_place(float(words[phrase]), minimum, maximum), sure=False)
    return None


def _whole(value: float, minimum: int, maximum: int) -> Reading[int] | None:
    if value != int(value):
        rounded = int(value + 0.5)
        return Reading(rounded, sure=False) if minimum <= rounded <= maximum else None
    return Reading(int(value)) if minimum <= value <= maximum else None
