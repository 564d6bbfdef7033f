"""The engine's message model as Teams activities: Markdown text and Adaptive Cards 1.5.

What a person typed must stay text: `<` `>` `&` become HTML entities (Teams reads `<at>…`
as a mention and renders some HTML), `[` `]` are escaped so no Markdown link can be made.
Every card action carries `lc_ref`, the question it belongs to, so a stale card cannot
answer a newer question; buttons carry their value and label, so the answered card can
show the choice.

Every activity with a card also carries `summary`, the question in plain words: the Bot
Framework activity schema's "text used to replace attachments on channels that do not
support them", which Teams shows in the notification and the chat list instead of a bare
"Card".
https://github.com/microsoft/botframework-sdk/blob/main/specs/botframework-activity/botframework-activity.md#summary
"""

from __future__ import annotations

import json
from typing import Any

from bot.core.messages import File, Form, Message, Notice, Question, Scale

Json = dict[str, Any]
CARD = "application/vnd.microsoft.card.adaptive"
MAX_BUTTONS = 5
# Teams shows at most six actions on a card ("include 1-3 primary actions. You can have up
# to six."); a longer scale is a choice set with one OK button instead.
# https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/design-effective-cards
MAX_ACTIONS = 6
# An Input.Text always says how much it takes (the coach's own answer limit by default), so
# Teams stops the person there instead of the coach refusing a long answer afterwards.
FIELD_CHARS = 4000
# A message is at most 28 KB at Teams; the SDK adds the conversation, both accounts and the
# service URL to what we build (names are cut to 256 characters at the edge), so a part of
# a document keeps well below it.
PART_BYTES = 24 * 1024
FENCE_SLACK = 16  # a ``` cut at a piece's edge is escaped with a few bytes more
CHOICE_INPUT = "lc_choice"
REF = "lc_ref"
VALUE = "lc_value"
LABEL = "lc_label"
TITLE = "lc_title"
TITLE_CHARS = 300
SUMMARY_CHARS = 250


def summary(text: str) -> str:
    """A card's words for a notification: one line, short, no markup Teams would read."""
    line = " ".join(text.split())
    if len(line) > SUMMARY_CHARS:
        line = line[:SUMMARY_CHARS - 1].rstrip() + "…"
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") or "…"


def escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("[", "\\[").replace("]", "\\]"))


def markdown(text: str) -> str:
    """Escaped, with line breaks Teams keeps (a single newline would be folded)."""
    return escape(text).replace("\n", "  \n")


def _block(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": escape(text).replace("\n", "\n\n"), "wrap": True,
            **style}


def _card(body: list[Json], actions: list[Json]) -> Json:
    return {
        "contentType": CARD,
        "content": {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": body,
            "actions": actions,
            "msteams": {"width": "Full"},
        },
    }


def _submit(title: str, data: Json) -> Json:
    return {"type": "Action.Submit", "title": title[:80] or "…", "data": data}


def _question(question: Question) -> Json:
    body = [_block(question.text)]
    if question.hint:
        body.append(_block(question.hint, isSubtle=True, size="Small"))
    base = {REF: question.ref, TITLE: question.text[:TITLE_CHARS]}
    short = all(len(c.label) <= 40 for c in question.choices)
    if not question.multiple and len(question.choices) <= MAX_BUTTONS and short:
        return _card(body, [_submit(c.label, {**base, VALUE: c.value, LABEL: c.label})
                            for c in question.choices])
    choice_set: Json = {
        "type": "Input.ChoiceSet", "id": CHOICE_INPUT, "isRequired": True,
        "style": "expanded" if question.multiple or len(question.choices) <= 8 else "compact",
        "isMultiSelect": question.multiple,
        "choices": [{"title": c.label, "value": c.value} for c in question.choices],
    }
    if question.selected:
        choice_set["value"] = ",".join(question.selected)
    body.append(choice_set)
    labels = {c.value: c.label for c in question.choices}
    return _card(body, [_submit("OK", {**base, "lc_labels": labels,
                                       "lc_multi": question.multiple})])


def _scale(scale: Scale) -> Json:
    body = [_block(scale.text)]
    if scale.low_label and scale.high_label:
        body.append(_block(f"{scale.minimum} = {scale.low_label} · "
                           f"{scale.maximum} = {scale.high_label}", isSubtle=True,
                           size="Small"))
    base = {REF: scale.ref, TITLE: scale.text[:TITLE_CHARS]}
    points = [str(n) for n in range(scale.minimum, scale.maximum + 1)]
    if len(points) <= MAX_ACTIONS:
        return _card(body, [_submit(n, {**base, VALUE: n, LABEL: n}) for n in points])
    body.append({"type": "Input.ChoiceSet", "id": CHOICE_INPUT, "isRequired": True,
                 "style": "compact", "isMultiSelect": False,
                 "choices": [{"title": n, "value": n} for n in points]})
    return _card(body, [_submit("OK", {**base, "lc_labels": {n: n for n in points},
                                       "lc_multi": False})])


def _form(form: Form) -> Json:
    body: list[Json] = [_block(form.title, weight="Bolder", size="Medium")]
    if form.intro:
        body.append(_block(form.intro))
    for field in form.fields:
        limit = field.max_length or FIELD_CHARS
        element: Json = {"type": "Input.Text", "id": field.name, "label": field.label,
                         "isMultiline": field.multiline, "isRequired": field.required,
                         "value": field.value[:limit], "maxLength": limit}
        if field.error:
            element["errorMessage"] = field.error
        body.append(element)
        if field.error:
            body.append(_block(field.error, color="Attention", size="Small", spacing="None"))
    return _card(body, [_submit(form.submit_label, {REF: form.ref, TITLE: form.title})])


def attachment(message: Message) -> Json | None:
    """The card of an interactive message; None for plain text."""
    if isinstance(message, Question) and message.choices:
        return _question(message)
    if isinstance(message, Scale):
        return _scale(message)
    if isinstance(message, Form):
        return _form(message)
    return None


def _plain_of(message: Message) -> str:
    """What a card asks, in plain words (its summary)."""
    if isinstance(message, Form):
        return message.title
    return message.text if isinstance(message, Question | Scale) else ""


def _text_of(message: Message) -> str:
    if isinstance(message, Notice):
        return f"_{markdown(message.text)}_"
    if isinstance(message, Form):
        return markdown(message.title)
    return markdown(message.text)


def _code(content: str) -> str:
    """A document as a code block Teams shows verbatim (no tag, mention or fence escapes)."""
    escaped = content.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;").replace("```", "`\u200b``")
    return f"```\n{escaped}\n```"


def _text_activity(text: str) -> Json:
    return {"type": "message", "text": text, "textFormat": "markdown"}


def _file_parts(file: File) -> list[Json]:
    """A document as messages of at most PART_BYTES each, measured on the activity as
    serialized. Why: a personal-scope bot can attach a file only through a file consent
    card, so the export travels as text, and Teams refuses a message over 28 KB with
    413 MessageSizeTooBig: one too-large activity lost the export and the words that
    explained it.
    https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/format-your-bot-messages
    https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/bots-filesv4
    """
    room = PART_BYTES - _size(_code("")) - FENCE_SLACK
    parts: list[str] = []
    chunk: list[str] = []
    used = 0
    for line in file.content.splitlines(keepends=True):
        for piece in _pieces(line, room):
            cost = _cost(piece)
            if chunk and used + cost > room:
                parts.append("".join(chunk))
                chunk, used = [], 0
            chunk.append(piece)
            used += cost
    parts.append("".join(chunk))
    return [_text_activity(_code(part)) for part in parts]


def _cost(text: str) -> int:
    """Bytes `text` adds inside the serialized code block."""
    return len(json.dumps(_code(text), ensure_ascii=False).encode()) - EMPTY_CODE_BYTES


def _pieces(line: str, room: int) -> list[str]:
    """The line, or the line cut into pieces that each fit a part (a character costs at
    most 8 bytes: a control character's \\u escape, or an entity for < > &)."""
    if _cost(line) <= room:
        return [line]
    step = max(1, room // 8)
    return [line[start:start + step] for start in range(0, len(line), step)]


def _size(text: str) -> int:
    return len(json.dumps(_text_activity(text), ensure_ascii=False,
                          separators=(",", ":")).encode())


def activities(messages: list[Message]) -> list[Json]:
    """A turn's replies as activities: texts in a row are one message, each card its own
    (with the texts just before it as its message text)."""
    out: list[Json] = []
    pending: list[str] = []
    for message in messages:
        if isinstance(message, File):  # its words on their own, then the document in parts
            pending.append(markdown(message.text))
            out.append(_text_activity("  \n".join(pending)))
            pending = []
            out += _file_parts(message)
            continue
        card = attachment(message)
        if card is None:
            pending.append(_text_of(message))
            continue
        activity: Json = {"type": "message", "attachments": [card],
                          "summary": summary(_plain_of(message))}
        if pending:
            activity["text"] = "  \n".join(pending)
            activity["textFormat"] = "markdown"
            pending = []
        out.append(activity)
    if pending:
        out.append({"type": "message", "text": "  \n".join(pending),
                    "textFormat": "markdown"})
    return out


def answered(title: str, shown: str) -> Json:
    """The card after its answer: the question and the choice, no more buttons."""
    return {"type": "message", "summary": summary(f"{title} ✓ {shown}"),
            "attachments": [_card([_block(title), _block(f"✓ {shown}", weight="Bolder")], [])]}



EMPTY_CODE_BYTES = len(json.dumps(_code(""), ensure_ascii=False).encode())
