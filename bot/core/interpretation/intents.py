"""What a message inside an open conversation may mean instead of an answer: postpone ('nu
even niet', 'bel je zo'), clarify ('hoe bedoel je?', '??'), don't know ('geen idee') or the
same as last time ('idem'). Only a message made up wholly of such phrases counts, clause by
clause ('sorry, nu even geen tijd, straks?'), or a request to move the question to a moment
('kan dit morgen?'): 'later vandaag bel ik de klant' is a diary answer, 'later vandaag' is
not."""

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
# Clauses of one message: 'druk druk druk, later' is two clauses that both say 'later'.
_CLAUSES = re.compile(r"[,;!?]+|(?<!\.)\.(?!\.)|\s[-–]\s")
_REPEATED_WORD = re.compile(r"\b(\w+)(?: \1\b)+")
_REPEATED_LETTER = re.compile(r"([a-z])\1+")


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
    whole = _phrase(raw, lex)
    if whole is not None:
        return whole
    if not plain(raw, lex):  # emoji only: a shrug is 'I don't know'
        shrug = any(e in raw for e in lex.words("intents", "dont_know_emoji"))
        return "dont_know" if shrug else None
    clauses = [c for c in _CLAUSES.split(raw) if plain(c, lex)]
    if len(clauses) < 2:
        return None
    found: set[Intent] = set()
    supporting = False  # a reason ('ben aan het koken') or a moment ('morgen?') beside it
    for clause in clauses:
        said = _phrase(clause, lex)
        if said is not None:
            found.add(said)
        elif _supports_postpone(clause, lex):
            supporting = True
        elif not _only_tail(clause, lex):
            return None  # one clause of real content makes it an answer
    if supporting and found != {"postpone"}:
        return None
    return found.pop() if len(found) == 1 else None


def _supports_postpone(clause: str, lex: Lexicon) -> bool:
    """Beside a postponement, a moment ('morgen?') or a short reason for being busy ('ben
    aan het koken', 'zit in de trein') adds nothing new; alone, either may be an answer."""
    moments = set(lex.words("intents", "moment"))
    for candidate in _candidates(clause, lex):
        if candidate in moments:
            return True
        words = candidate.split()
        if len(words) <= 5 and lex.pattern("intents", "reason_start").match(candidate):
            return True
    return False


def _only_tail(clause: str, lex: Lexicon) -> bool:
    """A clause that adds nothing ('sorry', 'hoor')."""
    said = trim_fillers(plain(clause, lex), lex)
    return said in lex.words("fillers") or not strip_words(said, lex.pattern("intents", "tail"))


def _candidates(raw: str, lex: Lexicon) -> set[str]:
    said = _REPEATED_WORD.sub(r"\1", plain(raw, lex))
    candidates = {said, trim_fillers(said, lex)}
    candidates |= {strip_words(c, lex.pattern("intents", "tail")) for c in list(candidates)}
    candidates.discard("")
    # Chat drops the subject ('ben bezig', 'heb het te druk'): read it as if it were there.
    subject = lex.words("intents", "subject")
    if subject:
        candidates |= {f"{subject[0]} {c}" for c in candidates
                       if c.split()[0] in lex.words("intents", "subject_verbs")}
    return candidates


def _squeezed(text: str) -> str:
    """'laterrr', 'huhh', 'neee' and 'later', 'huh', 'nee' alike: runs of a letter as one."""
    return _REPEATED_LETTER.sub(r"\1", text)


def _phrase(raw: str, lex: Lexicon) -> Intent | None:
    candidates = _candidates(raw, lex)
    squeezed = {_squeezed(c) for c in candidates}
    for intent in INTENTS:
        phrases = lex.words("intents", intent)
        if candidates & set(phrases) or squeezed & {_squeezed(p) for p in phrases}:
            return intent
    if _moved(candidates, lex):
        return "postpone"
    if _asks_about(candidates, lex):
        return "clarify"
    for intent in INTENTS:  # a typo in a longer phrase: 'hoe bedoel je dat' as 'hoe bedoel je da'
        for candidate in candidates:
            if len(candidate) < 10:
                continue
            if any(len(p) >= 10 and fuzz.ratio(candidate, p) >= 90
                   for p in lex.words("intents", intent)):
                return intent
    return None


def _moved(candidates: set[str], lex: Lexicon) -> bool:
    """A request to move the question ('kan dit morgen?', 'ask me tomorrow'): a frame and a
    moment, nothing else. A moment alone ('morgen') may be an answer, so it needs the frame."""
    frame = lex.pattern("intents", "frame")
    moments = set(lex.words("intents", "moment")) | set(lex.words("intents", "postpone"))
    for candidate in candidates:
        if not frame.search(candidate):
            continue
        rest = strip_words(strip_words(candidate, frame), lex.pattern("intents", "tail"))
        if rest in moments:
            return True
    return False


def _asks_about(candidates: set[str], lex: Lexicon) -> bool:
    """'wat bedoel je met leermoment', 'what do you mean by impact': a question about a word
    of the question (a few words after the opening, no more)."""
    opening = lex.pattern("intents", "clarify_about")
    for candidate in candidates:
        found = opening.match(candidate)
        if found and 1 <= len(candidate[found.end():].split()) <= 3:
            return True
    return False
