"""Escaping text for Slack's mrkdwn, so nothing a person typed becomes a mention or a link.

Slack reads `<…>` as a control sequence: `<!channel>`, `<@U123>`, `<#C1>`,
`<https://evil|innocent>`. Escaping `&`, `<` and `>` (Slack's own three entities) turns every
one of them into plain text. Texts are also sent with `verbatim` so bare URLs and
`#channel` names are not turned into links either.
"""

from __future__ import annotations

SECTION_LIMIT = 3000
FALLBACK_LIMIT = 3000  # ours: a notification shows far less; chat.postMessage truncates at 40k


def escape(text: str) -> str:
    """Slack's three entities: "There are three characters you must convert to HTML
    entities and only three: &, <, and >" (https://api.slack.com/docs/message-formatting,
    "How to escape characters"). Every text we send, blocks and the top-level `text`
    alike, goes through this."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback(text: str, limit: int = FALLBACK_LIMIT) -> str:
    """A message's top-level `text` (notifications, screen readers): escaped, then cut to
    `limit` characters without cutting an entity in two."""
    return cut(escape(text), limit)


def cut(escaped: str, limit: int = FALLBACK_LIMIT) -> str:
    """An escaped text cut to `limit` characters, never inside an entity (`&amp;` is one
    character to Slack; half of it is an `&` that breaks the rest)."""
    if len(escaped) <= limit:
        return escaped
    at = escaped.rfind("&", limit - 5, limit)
    return escaped[:at if at > 0 and ";" not in escaped[at:limit] else limit]


def plain(text: str, limit: int) -> str:
    """A plain_text field cut to Slack's limit for it (labels, button texts, titles)."""
    text = " ".join(text.split()) or "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """A long text in pieces of at most `limit` characters, cut between paragraphs or lines
    where possible, because one section block holds 3000 characters."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            amp = rest.rfind("&", limit - 5, limit)
            cut = amp if amp > 0 else limit  # never inside an escaped entity
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not pieces:
        pieces.append(rest)
    return pieces
