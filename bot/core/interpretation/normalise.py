"""Bringing a typed reply to one plain form before it is read: lower case, no decoration,
spoken and Flemish short forms written out, fillers ('eh', 'allez', 'well') dropped."""

from __future__ import annotations

import re
import unicodedata

from bot.core.interpretation.lexicon import Lexicon

_DECORATION = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F\u200d\u200b]")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": " ", "”": " ", '"': " "})
_PUNCTUATION = re.compile(r"[,;!()\[\]{}*_~]+|(?<!\d)\.(?!\d)|(?<![\w?])\?+|\?+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")


def base(text: str) -> str:
    """Lower case, NFC, curly quotes straightened, skin tones and joiners removed."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).lower()
    return _SPACES.sub(" ", _DECORATION.sub("", text)).strip()


def without_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def plain(text: str, lex: Lexicon) -> str:
    """The reply as words: punctuation and emoji gone, 'jaaaa' → 'jaa', short forms written
    out. (Readers that give emoji a meaning look at `base` first.)"""
    text = _PUNCTUATION.sub(" ", base(text))
    text = "".join(" " if unicodedata.category(c).startswith("S") and c not in "+&<>" else c
                   for c in text)
    text = _ELONGATED.sub(r"\1\1", text)
    tokens = text.split()
    if len(tokens) > 1:
        rewrite = lex.table("rewrite")
        joined = " ".join(str(rewrite.get(t, t)) for t in tokens)
        for phrase, replacement in rewrite.items():
            if " " in phrase:
                joined = re.sub(rf"(?<!\w){re.escape(phrase)}(?!\w)", str(replacement), joined)
        tokens = joined.split()
    return " ".join(tokens)


def strip_words(text: str, pattern: re.Pattern[str]) -> str:
    """`text` without the words `pattern` matches, spaces tidied."""
    return _SPACES.sub(" ", pattern.sub(" ", text)).strip()


def trim_fillers(text: str, lex: Lexicon) -> str:
    """Fillers dropped, unless nothing would be left ('wel' alone is an answer)."""
    trimmed = strip_words(text, lex.pattern("fillers"))
    return trimmed or text


_CODE_LIKE = re.compile(r"[=<>{}\\;`|$]|/\*|--|\[\w*\]\(")


def looks_typed(text: str) -> bool:
    """Whether `text` reads like a person's chat message, not code, markup or text with
    hidden bidi or format characters ('\u202edagboek'): only such a message may start a
    flow on a guess."""
    if any(unicodedata.category(c) == "Cf" for c in text.replace("\u200d", "")):
        return False
    return not _CODE_LIKE.search(text)
