"""What a message means outside a conversation: a greeting, thanks, goodbye, a day off
('ik ben ziek', 'op cursus vandaag'), or a wish to see or change something ('ik wil mijn
weekplan zien' → the command `weekplan`). Anything else: the likeliest commands, best first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

from bot.core.interpretation.lexicon import Lexicon, in_order
from bot.core.interpretation.normalise import (
    base,
    looks_typed,
    plain,
    strip_words,
    trim_fillers,
)

Kind = Literal["greeting", "thanks", "bye", "off_today", "wish", "other"]
SHORT = 6  # words: a longer message is not just a greeting
DEFAULT_NEXT = ("diary", "weekplan", "help")


@dataclass(frozen=True, slots=True)
class Outside:
    kind: Kind
    command: str | None = None  # for a wish: the command it names
    suggestions: tuple[str, ...] = DEFAULT_NEXT  # for anything else: the likeliest commands


def read_outside(text: str, locale: str) -> Outside:
    if not looks_typed(text):
        return Outside("other", suggestions=DEFAULT_NEXT)
    raw = base(text)
    for lex in in_order(locale):
        found = _read(raw, lex)
        if found is not None:
            return found
    return Outside("other", suggestions=suggest(raw, locale))


def _has(text: str, lex: Lexicon, *path: str) -> bool:
    return bool(lex.pattern(*path).search(text))


def _read(raw: str, lex: Lexicon) -> Outside | None:
    said = plain(raw, lex)
    short = trim_fillers(said, lex)
    words = len(said.split())
    if _has(said, lex, "outside", "off_today"):
        return Outside("off_today")
    topic = _topic(said, lex)
    if topic is not None and (words <= 2 or _has(said, lex, "outside", "topics", "wish_words")
                              or _topic_phrase(said, lex)):
        return Outside("wish", command=topic)
    kinds: tuple[Kind, ...] = ("thanks", "bye", "greeting")
    for kind in kinds:
        phrases = lex.words("outside", kind)
        if short in phrases or raw.strip() in phrases:
            return Outside(kind)
        first = lex.pattern("outside", kind).match(short)
        if first and words <= SHORT and not _looks_like_request(short, lex) \
                and (first[0] not in lex.words("outside", "weak") or _only_courtesy(short, lex)):
            return Outside(kind)
    return None


def _only_courtesy(text: str, lex: Lexicon) -> bool:
    """Whether `text` is greetings, thanks and goodbyes only: a word such as 'lovely' or
    'top' opens many sentences ('lovely weather today'), so alone it is not thanks."""
    for kind in ("thanks", "bye", "greeting"):
        text = strip_words(text, lex.pattern("outside", kind))
    return not strip_words(text, lex.pattern("fillers"))


def _looks_like_request(text: str, lex: Lexicon) -> bool:
    return _topic(text, lex) is not None


def _topic_phrase(said: str, lex: Lexicon) -> bool:
    """A topic said in a whole phrase ('wat weet je van mij') is a wish on its own."""
    return any(len(str(w).split()) >= 3 and str(w) in said
               for words in lex.table("outside", "topics").values() if isinstance(words, list)
               for w in words)


def _topic(said: str, lex: Lexicon) -> str | None:
    topics = lex.table("outside", "topics")
    best: tuple[int, str] | None = None
    for command, words in topics.items():
        if command == "wish_words" or not isinstance(words, list):
            continue
        for word in words:
            found = re.search(rf"(?<![\w']){re.escape(str(word))}(?![\w'])", said)
            if found and (best is None or len(str(word)) > best[0]):
                best = (len(str(word)), command)
    return best[1] if best else None


def suggest(raw: str, locale: str) -> tuple[str, ...]:
    """The three commands a message most resembles, filled up with the usual next steps."""
    scores: dict[str, float] = {}
    for lex in in_order(locale):
        said = strip_words(plain(raw, lex), lex.pattern("fillers"))
        for command, words in lex.table("outside", "topics").items():
            if command == "wish_words" or not isinstance(words, list) or not said:
                continue
            score = max(fuzz.partial_ratio(str(w), said) for w in words if len(str(w)) >= 4)
            scores[command] = max(scores.get(command, 0.0), score)
    likely = [c for c, s in sorted(scores.items(), key=lambda i: -i[1]) if s >= 80]
    ordered = [*likely, *DEFAULT_NEXT]
    return tuple(dict.fromkeys(ordered))[:3]
