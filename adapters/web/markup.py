"""The coach's chat markup as formatting on a web page: *bold*, _italic_, `code` and
bulleted lines (•, - or *), as Slack shows them.

The text is escaped first and formatted after, and only these few tags are ever added, so
nothing in a text (nor anything a person typed into one) can become other markup. Not a
Markdown renderer on purpose: the texts are written for chat, where `#` or `[a](b)` are
plain characters.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_CODE = re.compile(r"`([^`\n]+)`")
# A marker opens after the start or a non-word character and closes before one, so
# snake_case_words and 2*3*4 stay as they are.
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])")
_BULLET = re.compile(r"^\s*(?:•|-|\*)\s+(.*)$")


def _inline(escaped: str) -> str:
    """Formatting within one escaped line; code spans are kept out of bold and italics."""
    pieces = _CODE.split(escaped)
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"<code>{piece}</code>")
        else:
            out.append(_ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", piece)))
    return "".join(out)


def chat_markup(text: object) -> Markup:
    """A chat text as safe HTML: lines kept as lines, runs of bullets as a list."""
    lines = str(escape(str(text) if text is not None else "")).split("\n")
    html: list[str] = []
    items: list[str] = []
    for line in lines:
        bullet = _BULLET.match(line)
        if bullet:
            items.append(f"<li>{_inline(bullet.group(1))}</li>")
            continue
        if items:
            html.append("<ul>" + "".join(items) + "</ul>")
            items = []
        html.append(_inline(line) + "<br>")
    if items:
        html.append("<ul>" + "".join(items) + "</ul>")
    joined = "".join(html)
    return Markup(joined.removesuffix("<br>"))
