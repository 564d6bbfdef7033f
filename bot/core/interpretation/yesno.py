"""Yes or no: words ('jawel', 'klopt', 'ja hoor', 'nope', 'not really'), emoji, and the
number of a shown option ('1' for the first of '1) Ja 2) Nee')."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.interpretation.intents import read_intent
from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import base, plain, strip_words, trim_fillers
from bot.core.interpretation.reading import Reading

LONG = 8  # words; a longer reply with one clear yes or no is proposed, not taken


def read_yes_no(text: str, locale: str, numbered: Sequence[bool] = (True, False)
                ) -> Reading[bool] | None:
    """Yes (True) or no (False); `numbered` are the values of the options as shown."""
    raw = base(text)
    stripped = raw.strip(" .!)")
    if stripped.isdigit() and len(stripped) <= 2:
        index = int(stripped) - 1
        return Reading(numbered[index]) if 0 <= index < len(numbered) else None
    for lex in in_order(locale):
        found = _read(raw, lex)
        if found is not None and not _unsure(raw, lex, locale):
            return found
    return None


def _unsure(raw: str, lex: Lexicon, locale: str) -> bool:
    """'weet ik niet', 'not sure': words of yes or no that say 'I don't know'."""
    said = plain(raw, lex)
    if said in lex.words("no", "phrases") or said in lex.words("yes", "phrases"):
        return False
    return read_intent(raw, locale) in ("dont_know", "clarify")


def _read(raw: str, lex: Lexicon) -> Reading[bool] | None:
    yes_emoji = any(e in raw for e in lex.words("yes", "emoji"))
    no_emoji = any(e in raw for e in lex.words("no", "emoji"))
    untrimmed = plain(raw, lex)
    text = trim_fillers(untrimmed, lex)
    if not text and (yes_emoji != no_emoji):
        return Reading(yes_emoji)
    yes_phrases, no_phrases = lex.words("yes", "phrases"), lex.words("no", "phrases")
    if untrimmed in no_phrases:
        return Reading(False)
    if untrimmed in yes_phrases:
        return Reading(True)
    if text in no_phrases:
        return Reading(False)
    if text in yes_phrases:
        return Reading(True)
    # Longest phrases first: 'denk het niet' is a no before 'denk het' could be anything.
    no_hits = lex.pattern("no", "phrases").findall(text)
    rest = strip_words(text, lex.pattern("no", "phrases"))
    yes_hits = lex.pattern("yes", "phrases").findall(rest)
    if yes_emoji and not no_hits:
        yes_hits.append("emoji")
    if no_emoji and not yes_hits:
        no_hits.append("emoji")
    if bool(yes_hits) == bool(no_hits):
        return None
    words = len(text.split())
    first = text.split()[0]
    leading = first in yes_phrases or first in no_phrases
    return Reading(bool(yes_hits), sure=words <= 3 or (leading and words < LONG))
