"""Cleaning what people type before it is judged or stored, and shortening it when a
digest shows it back.

Control characters (NUL and friends) are dropped because PostgreSQL cannot store NUL and a
terminal would interpret escape sequences; lone surrogates, which no UTF-8 database accepts,
become U+FFFD. Everything else a person wrote, emoji, right-to-left text, zero-width joiners
and text that looks like a template, is kept exactly.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(raw: str) -> str:
    """The text as it will be stored: newlines unified, controls removed, NFC, trimmed."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return unicodedata.normalize("NFC", text).strip()


SHORT = 140  # the default length of a shortened text in a digest


def short(text: str | None, limit: int = SHORT) -> str:
    """A text cut at a word to at most `limit` characters, for digests."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut.rstrip(",.;:") + "…"
