"""The word lists of one language (`prompts/lexicon/<locale>.toml`), read once.

Language data lives beside the coach's texts, so a reviewer of Dutch or English reads and
extends it without touching Python.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from bot.core.prompts import BUILTIN_DIR

LOCALES = ("nl", "en")


class Lexicon:
    """One locale's lists, with the lookups the readers share."""

    def __init__(self, locale: str, raw: Mapping[str, Any]) -> None:
        self.locale = locale
        self.raw = raw

    def table(self, *path: str) -> Mapping[str, Any]:
        node: Any = self.raw
        for part in path:
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}

    def words(self, *path: str) -> tuple[str, ...]:
        node: Any = self.raw
        for part in path:
            node = node.get(part, ()) if isinstance(node, Mapping) else ()
        return tuple(str(w) for w in node) if isinstance(node, list) else ()

    def pattern(self, *path: str) -> re.Pattern[str]:
        """A regex matching any of the words at `path` as whole words, longest first."""
        return _alternation(self.words(*path))


@lru_cache(maxsize=64)
def _compiled(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in ordered) or "(?!)"
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    return _compiled(tuple(words))


@lru_cache(maxsize=len(LOCALES))
def lexicon(locale: str) -> Lexicon:
    """The lexicon of `locale` (Dutch for a locale we have no lists for)."""
    name = locale if locale in LOCALES else LOCALES[0]
    with (BUILTIN_DIR / "lexicon" / f"{name}.toml").open("rb") as handle:
        return Lexicon(name, tomllib.load(handle))


def in_order(locale: str) -> tuple[Lexicon, ...]:
    """The person's language first, then the other: people mix ('yes', 'oké', 'merci')."""
    first = locale if locale in LOCALES else LOCALES[0]
    return (lexicon(first), *(lexicon(other) for other in LOCALES if other != first))
