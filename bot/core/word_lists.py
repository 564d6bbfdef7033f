"""Finding words from a locale's word list in what a person typed, and quoting them back.

The lists are texts in `prompts/` (comma-separated, so an organisation can override them like
any text): a word, a stem ending in `*` ("frustr*" finds "frustrerend"), or a phrase of
several words ("had schrik"). Matching ignores case and accents ("geirriteerd" finds
"geïrriteerd"), so real chat typing is read the same as careful typing. Used by the rules
that read a person's own words (the diary's deepening, the SMART feedback on a plan).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from bot.core.prompts import PromptLibrary

# a word (letters, digits, apostrophes and inner hyphens) or one symbol such as an emoji
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[^\w\s]", re.UNICODE)
_CLAUSE_END = re.compile(r"[.!?;\n]+")
QUOTE_CHARS = 80


def fold(text: str) -> str:
    """Lower case without accents: how typed text and list entries are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


@dataclass(frozen=True, slots=True)
class Found:
    """Where a list entry was found in the original text (character offsets)."""

    start: int
    end: int
    entry: str


@dataclass(frozen=True, slots=True)
class WordList:
    """The entries of one list: exact words, stems and phrases (as token tuples)."""

    words: frozenset[str]
    stems: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @classmethod
    def parse(cls, raw: str) -> WordList:
        words: set[str] = set()
        stems: list[str] = []
        phrases: list[tuple[str, ...]] = []
        for item in raw.split(","):
            entry = fold(item.strip())
            if not entry:
                continue
            if entry.endswith("*") and " " not in entry:
                stems.append(entry[:-1])
            elif " " in entry:
                phrases.append(tuple(entry.split()))
            else:
                words.add(entry)
        return cls(frozenset(words), tuple(stems), tuple(phrases))

    def find(self, text: str | None) -> Found | None:
        """The first entry in `text`, or None."""
        return next(self.find_all(text), None)

    def find_all(self, text: str | None) -> Iterator[Found]:
        """Every entry in `text`, in order."""
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text or "")]
        for index, (start, end, token) in enumerate(tokens):
            if token in self.words or any(token.startswith(s) for s in self.stems if s):
                yield Found(start, end, token)
                continue
            for phrase in self.phrases:
                window = tokens[index:index + len(phrase)]
                if tuple(t for _, _, t in window) == phrase:
                    yield Found(start, window[-1][1], " ".join(phrase))
                    break

    def __or__(self, other: WordList) -> WordList:
        return WordList(self.words | other.words, self.stems + other.stems,
                        self.phrases + other.phrases)

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.find(text) is not None


@lru_cache(maxsize=256)
def _parsed(raw: str) -> WordList:
    return WordList.parse(raw)


def word_list(prompts: PromptLibrary, key: str, locale: str) -> WordList:
    """The list under text `key` in `locale` (parsed once per distinct text)."""
    return _parsed(prompts.render(key, locale))


def word_count(text: str | None) -> int:
    return sum(1 for m in _TOKEN.finditer(text or "") if m.group()[0].isalnum())


def clause(text: str, found: Found) -> str:
    """The clause (between . ! ? ; or line ends) that `found` is in."""
    start = max((m.end() for m in _CLAUSE_END.finditer(text) if m.end() <= found.start),
                default=0)
    end = next((m.start() for m in _CLAUSE_END.finditer(text) if m.start() >= found.end),
               len(text))
    return text[start:end]


def quote(text: str, found: Found | None = None, limit: int = QUOTE_CHARS) -> str:
    """The person's own words to quote back: the clause around `found` (or the start),
    cut at words to about `limit` characters, with … where something was left out."""
    start, end = (found.start, found.end) if found else (0, 0)
    clause_start = 0
    for match in _CLAUSE_END.finditer(text):
        if match.end() <= start:
            clause_start = match.end()
        elif match.start() >= end:
            text = text[:match.start()]
            break
    clause = text[clause_start:]
    offset = len(clause) - len(clause.lstrip())
    clause = " ".join(clause.split())
    if len(clause) <= limit:
        return clause
    centre = max(0, start - clause_start - offset)
    left = max(0, min(centre - limit // 3, len(clause) - limit))
    if left:
        space = clause.find(" ", left)
        left = space + 1 if 0 <= space < centre else left
    piece = clause[left:left + limit]
    if left + limit < len(clause):
        piece = piece.rsplit(" ", 1)[0] if " " in piece else piece
    piece = piece.strip(" ,;:")
    return ("…" if left else "") + piece + ("…" if left + len(piece) < len(clause) else "")
