"""The engine's message model as Block Kit: messages, the form modal, App Home.

Every interactive element carries the `ref` of the question it belongs to (as its block_id),
so the answer goes back to the engine with `reply_to` and a stale button cannot answer a
newer question. Action ids are the contract with `adapters.slack.interactions`.
"""

from __future__ import annotations

import json
from typing import Any

from adapters.slack.mrkdwn import SECTION_LIMIT, chunks, escape, plain
from bot.messages import Choice, File, Form, Home, Message, Notice, Question, Scale

Block = dict[str, Any]

CHOICE = "lc_choice"  # a button of a single-choice question; value = the choice
SELECT = "lc_select"  # a static_select for longer lists
SCALE = "lc_scale"  # a 1–5 button; value = the number
MULTI = "lc_multi"  # checkboxes / multi select; only read when MULTI_DONE is pressed
MULTI_DONE = "lc_multi_done"
FORM_OPEN = "lc_form_open"  # value = the form's ref; opens the modal
COMMAND = "lc_command"  # App Home buttons; value = a command name
FORM_SUBMIT = "lc_form_submit"  # the modal's callback_id
FIELD_INPUT = "value"  # action_id of every input in the modal; block_id = field name

MAX_BUTTONS = 5
BUTTON_TEXT = 75
OPTION_TEXT = 75
MAX_CHECKBOXES = 10
MAX_OPTIONS = 100
MODAL_TITLE = 24
MAX_BLOCKS = 50


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _sections(text: str) -> list[Block]:
    return [{"type": "section", "text": mrkdwn(escape(piece))} for piece in chunks(text)
            if piece.strip()]


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(label, BUTTON_TEXT), "emoji": True},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        button["style"] = style
    return button


def _option(choice: Choice) -> Block:
    return {"text": {"type": "plain_text", "text": plain(choice.label, OPTION_TEXT)},
            "value": choice.value[:150]}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(escape(text))]}


def _question(question: Question) -> list[Block]:
    blocks = _sections(question.text)
    if question.hint:
        blocks.append(_context(question.hint))
    choices = question.choices[:MAX_OPTIONS]
    if not choices:
        return blocks  # answered by typing in the DM
    if question.multiple:
        element: Block
        if len(choices) <= MAX_CHECKBOXES:
            element = {"type": "checkboxes", "action_id": MULTI,
                       "options": [_option(c) for c in choices]}
        else:
            element = {"type": "multi_static_select", "action_id": MULTI,
                       "placeholder": {"type": "plain_text", "text": "…"},
                       "options": [_option(c) for c in choices]}
        chosen = [_option(c) for c in choices if c.value in question.selected]
        if chosen:
            element["initial_options"] = chosen
        blocks.append({"type": "actions", "block_id": question.ref,
                       "elements": [element, _button("OK", MULTI_DONE, "ok", "primary")]})
        return blocks
    if len(choices) <= MAX_BUTTONS and all(len(c.label) <= BUTTON_TEXT for c in choices):
        elements = [_button(c.label, CHOICE, c.value) for c in choices]
    else:
        elements = [{"type": "static_select", "action_id": SELECT,
                     "placeholder": {"type": "plain_text", "text": "…"},
                     "options": [_option(c) for c in choices]}]
    blocks.append({"type": "actions", "block_id": question.ref, "elements": elements})
    return blocks


def _scale(scale: Scale) -> list[Block]:
    blocks = _sections(scale.text)
    numbers = range(scale.minimum, scale.maximum + 1)
    blocks.append({"type": "actions", "block_id": scale.ref,
                   "elements": [_button(str(n), SCALE, str(n)) for n in numbers][:25]})
    if scale.low_label and scale.high_label:
        blocks.append(_context(f"{scale.minimum} = {scale.low_label} · "
                               f"{scale.maximum} = {scale.high_label}"))
    return blocks


def _form(form: Form) -> list[Block]:
    blocks = _sections(form.intro or form.title)
    blocks.append({"type": "actions", "block_id": form.ref,
                   "elements": [_button(form.title, FORM_OPEN, form.ref, "primary")]})
    return blocks


def message_blocks(message: Message) -> list[Block]:
    return _blocks_of(message)[:MAX_BLOCKS]


def turn_blocks(messages: list[Message]) -> list[Block]:
    """Several replies of one turn as one Slack message: one notification, one API call
    (Slack allows about one post per second per channel)."""
    blocks: list[Block] = []
    for message in messages:
        blocks += _blocks_of(message)
    return blocks[:MAX_BLOCKS]


def _blocks_of(message: Message) -> list[Block]:
    if isinstance(message, Question):
        blocks = _question(message)
    elif isinstance(message, Scale):
        blocks = _scale(message)
    elif isinstance(message, Form):
        blocks = _form(message)
    elif isinstance(message, Notice):
        blocks = [_context(message.text)]
    elif isinstance(message, File):
        blocks = _sections(message.text) + _code(message.content)
    else:
        blocks = _sections(message.text)
    return blocks


def _code(content: str) -> list[Block]:
    """A document as code blocks, cut between lines (no file upload: that needs another
    scope and API call); what does not fit in one message is cut off by MAX_BLOCKS."""
    limit = SECTION_LIMIT - 10  # room for the fences
    pieces: list[str] = [""]
    for line in content.replace("```", "`\u200b``").splitlines():
        whole, step = escape(line), limit // 5  # an entity is at most five characters
        parts = [whole] if len(whole) <= limit else [
            escape(line[start:start + step]) for start in range(0, len(line), step)]
        for part in parts:
            if len(pieces[-1]) + len(part) + 1 > limit:
                pieces.append("")
            pieces[-1] += part + "\n"
    return [{"type": "section", "text": mrkdwn(f"```{piece}```")}
            for piece in pieces if piece.strip()]


def fallback_text(messages: list[Message]) -> str:
    """The notification text (and what screen readers and old clients show)."""
    text = "\n".join(m.title if isinstance(m, Form) else m.text for m in messages)
    return escape(text[:3000])


def answered(blocks: list[Block], shown: str) -> list[Block]:
    """The question message after its answer: the question stays, its buttons go, and the
    choice is shown, so nobody can press an old button twice."""
    kept = [b for b in blocks if b.get("type") not in ("actions", "input")]
    return [*kept, _context(f"✓ {shown}")][:MAX_BLOCKS]


def form_modal(form: Form, metadata: dict[str, str]) -> Block:
    """A modal of the form's inputs; `metadata` comes back with the submission."""
    blocks: list[Block] = []
    if form.intro:
        blocks += _sections(form.intro)
    for field in form.fields:
        element: Block = {"type": "plain_text_input", "action_id": FIELD_INPUT,
                          "multiline": field.multiline}
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        if field.value:
            element["initial_value"] = field.value[:3000]
        blocks.append({
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": {"type": "plain_text", "text": plain(field.label, 2000)},
            "element": element,
        })
    return {
        "type": "modal",
        "callback_id": FORM_SUBMIT,
        "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": plain(form.title, MODAL_TITLE)},
        "submit": {"type": "plain_text", "text": plain(form.submit_label, MODAL_TITLE)},
        "blocks": blocks[:100],
    }


def form_errors(form: Form) -> dict[str, str]:
    """Inline errors for `response_action: errors`, keyed by the inputs' block ids."""
    return {field.name: field.error for field in form.fields if field.error}


def home_view(home: Home) -> Block:
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text",
                                                       "text": plain(home.title, 150)}}]
    for section in home.sections:
        blocks.append({"type": "divider"})
        blocks += _sections(f"*{section.heading}*\n{section.text}")
    if home.actions:
        blocks.append({"type": "divider"})
        buttons = [_button(a.label, COMMAND, a.value) for a in home.actions]
        for start in range(0, len(buttons), 5):
            blocks.append({"type": "actions", "elements": buttons[start:start + 5]})
    return {"type": "home", "blocks": blocks[:100]}


def placeholder_home(text: str) -> Block:
    """App Home for someone the coach does not know yet."""
    return {"type": "home", "blocks": _sections(text)}

