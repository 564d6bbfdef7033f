"""What a message inside an open conversation may mean instead of an answer: postpone ('nu
even niet', 'bel je zo'), clarify ('hoe bedoel je?', '??'), don't know ('geen idee') or the
same as last time ('idem'). Only a whole short message counts: 'later vandaag bel ik de klant'
is a diary answer, 'later vandaag' is not."""

from __future__ import annotations

import re
from typing import Literal

from rapidfuzz import fuzz

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words, trim_fillers

Intent = Literal["postpone", "clarify", "dont_know", "same"]
INTENTS: tuple[Intent, ...] = ("same", "clarify", "dont_know", "postpone")
MAX_WORDS = 8
_ONLY_MARKS = re.compile(r"^[?¿!.\s]*\?[?¿!.\s]*$")


def read_intent(text: str, locale: str) -> Intent | None:
    """The intent a whole message carries, or None when it may well be an answer."""
    raw = base(text)
    if _ONLY_MARKS.match(raw) and raw.count("?") >= 2:
        return "clarify"
    if not raw or len(raw.split()) > MAX_WORDS:
        return None
    for lex in in_order(locale):
        found = _read(raw, lex)
        if found is not None:
            return found
    return None


def _read(raw: str, lex: Lexicon) -> Intent | None:
    said = plain(raw, lex)
    candidates = {said, trim_fillers(said, lex)}
    candidates |= {strip_words(c, lex.pattern("intents", "tail")) for c in list(candidates)}
    candidates.discard("")
    for intent in INTENTS:
        phrases = lex.words("intents", intent)
        if candidates & set(phrases):
            return intent
    for intent in INTENTS:  # a typo in a longer phrase: 'hoe bedoel je dat' as 'hoe bedoel je da'
        for candidate in candidates:
            if len(candidate) < 10:
                continue
            if any(len(p) >= 10 and fuzz.ratio(candidate, p) >= 90
                   for p in lex.words("intents", intent)):
                return intent
    return None
