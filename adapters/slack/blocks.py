"""The engine's message model as Block Kit: messages, the form modal, App Home.

Every interactive element carries the `ref` of the question it belongs to (as its block_id),
so the answer goes back to the engine with `reply_to` and a stale button cannot answer a
newer question. Action ids are the contract with `adapters.slack.inbound` and the listeners:
a kind (CHOICE, SCALE, …) and, where one block holds several elements of that kind, an
index (`lc_choice:2`), because Slack requires an action_id to be unique within its block
(https://docs.slack.dev/reference/block-kit/block-elements/button-element). The limits
below are Slack's, from its Block Kit reference; a text longer than a block allows is split
into several blocks, and a turn longer than a message allows into several messages.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from adapters.slack.mrkdwn import SECTION_LIMIT, chunks, cut, escape, fallback, plain
from bot.core.messages import Choice, File, Form, Home, Message, Notice, Question, Scale

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
PICKER = "#pick"  # block_id suffix of the section that holds a long list's multi-select

# https://docs.slack.dev/reference/block-kit/… (blocks, block-elements, composition-objects)
MAX_BUTTONS = 5  # ours: more choices than this read better as a select
BUTTON_TEXT = 75  # button-element: text
OPTION_TEXT = 75  # option-object: text
MAX_CHECKBOXES = 10  # checkboxes-element: options
MAX_OPTIONS = 100  # select-menu-element, multi-select-menu-element: options
MAX_ACTIONS = 25  # actions-block: elements
MAX_CONTEXT = 10  # context-block: elements
MODAL_TITLE = 24  # views/modal-views: title, submit, close
MAX_BLOCKS = 50  # blocks: "up to 50 blocks in each message, and 100 blocks in modals or
MAX_VIEW_BLOCKS = 100  # Home tabs"
# Slack also refuses a message whose blocks hold too much text in total
# (`msg_blocks_too_long`); the limit is documented only for the markdown block (12,000
# characters, https://docs.slack.dev/reference/block-kit/blocks/markdown-block) and reported
# for the others near that (slackapi/bolt-js#2867), so a message carries at most this much.
MESSAGE_TEXT = 10_000
_INDEXED = re.compile(r"^(?P<kind>[a-z_]+)(?::\d+)?$")


def indexed(kind: str, index: int) -> str:
    """The action_id of the `index`-th element of one kind in a block."""
    return f"{kind}:{index}"


def action_kind(action_id: object) -> str:
    """The kind of an action_id, with or without its index ("lc_choice:2" -> "lc_choice")."""
    found = _INDEXED.match(str(action_id or ""))
    return found.group("kind") if found else ""


def action_pattern(*kinds: str) -> re.Pattern[str]:
    """A matcher for bolt's `app.action` that takes these kinds, indexed or not (buttons
    posted before action_ids carried an index still arrive)."""
    return re.compile(rf"^(?:{'|'.join(re.escape(kind) for kind in kinds)})(?::\d+)?$")


def picker_block(ref: str) -> str:
    """The block_id of the section that holds the multi-select of question `ref`."""
    return f"{ref[:255 - len(PICKER)]}{PICKER}"


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _sections(text: str) -> list[Block]:
    """A text as sections of at most 3000 characters each, counted after escaping (an
    escaped `&` takes five)."""
    return [{"type": "section", "text": mrkdwn(piece)} for piece in chunks(escape(text))
            if piece.strip()]


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    """button-element: text at most 75 characters, value at most 2000."""
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
    """option-object: text at most 75 characters, value at most 150."""
    return {"text": {"type": "plain_text", "text": plain(choice.label, OPTION_TEXT)},
            "value": choice.value[:150]}


def _context(text: str) -> list[Block]:
    """A subdued line: context blocks of at most 10 text elements of 3000 characters
    (context-block, text-object); nothing for an empty text."""
    pieces = [mrkdwn(piece) for piece in chunks(escape(text)) if piece.strip()]
    return [{"type": "context", "elements": pieces[start:start + MAX_CONTEXT]}
            for start in range(0, len(pieces), MAX_CONTEXT)]


def _distinct(choices: tuple[Choice, ...]) -> list[Choice]:
    """At most 100 choices whose values stay distinct once cut to an option's 150
    characters: option-object's value is "a unique string value"."""
    seen: set[str] = set()
    kept: list[Choice] = []
    for choice in choices:
        if choice.value[:150] not in seen:
            seen.add(choice.value[:150])
            kept.append(choice)
    return kept[:MAX_OPTIONS]


def _question(question: Question) -> list[Block]:
    blocks = _sections(question.text)
    hint = _context(question.hint) if question.hint else []
    choices = _distinct(question.choices)
    if not choices:
        return blocks + hint  # answered by typing in the DM
    if question.multiple:
        return _multiple(question, choices, blocks, hint)
    blocks += hint
    if len(choices) <= MAX_BUTTONS and all(len(c.label) <= BUTTON_TEXT for c in choices):
        elements = [_button(c.label, indexed(CHOICE, n), c.value)
                    for n, c in enumerate(choices)]
    else:
        elements = [{"type": "static_select", "action_id": SELECT,
                     "placeholder": {"type": "plain_text", "text": "…"},
                     "options": [_option(c) for c in choices]}]
    blocks.append({"type": "actions", "block_id": question.ref, "elements": elements})
    return blocks


def _multiple(question: Question, choices: list[Choice], blocks: list[Block],
              hint: list[Block]) -> list[Block]:
    """Several answers, read when OK is pressed. Up to 10 are checkboxes next to OK in one
    actions block; more need a multi-select, which Slack allows in a section or an input
    block but not in an actions block (block-elements: "Works with block types"), so it
    sits beside the question's text with OK below."""
    options = [_option(c) for c in choices]
    chosen = [_option(c) for c in choices if c.value in question.selected]
    done = _button("OK", MULTI_DONE, "ok", "primary")
    if len(choices) <= MAX_CHECKBOXES:
        element: Block = {"type": "checkboxes", "action_id": MULTI, "options": options}
        if chosen:
            element["initial_options"] = chosen
        return [*blocks, *hint, {"type": "actions", "block_id": question.ref,
                                 "elements": [element, done]}]
    element = {"type": "multi_static_select", "action_id": MULTI,
               "placeholder": {"type": "plain_text", "text": "…"}, "options": options}
    if chosen:
        element["initial_options"] = chosen
    if not blocks:
        blocks = [{"type": "section", "text": mrkdwn("…")}]
    blocks[-1] = {**blocks[-1], "block_id": picker_block(question.ref), "accessory": element}
    return [*blocks, *hint, {"type": "actions", "block_id": question.ref,
                             "elements": [done]}]


def _scale(scale: Scale) -> list[Block]:
    blocks = _sections(scale.text)
    numbers = range(scale.minimum, scale.maximum + 1)
    blocks.append({"type": "actions", "block_id": scale.ref,
                   "elements": [_button(str(n), indexed(SCALE, i), str(n))
                                for i, n in enumerate(numbers)][:MAX_ACTIONS]})
    if scale.low_label and scale.high_label:
        blocks += _context(f"{scale.minimum} = {scale.low_label} · "
                           f"{scale.maximum} = {scale.high_label}")
    return blocks


def _form(form: Form) -> list[Block]:
    blocks = _sections(form.intro or form.title)
    blocks.append({"type": "actions", "block_id": form.ref,
                   "elements": [_button(form.title, FORM_OPEN, form.ref, "primary")]})
    return blocks


def message_blocks(message: Message) -> list[Block]:
    """One message's blocks, however many (message_pages cuts them into messages)."""
    return _blocks_of(message)


def turn_blocks(messages: list[Message]) -> list[Block]:
    """All blocks of a turn's replies, in order, before they are cut into messages."""
    blocks: list[Block] = []
    for message in messages:
        blocks += _blocks_of(message)
    return blocks


@dataclass(frozen=True)
class Page:
    """One Slack message of a turn: its blocks and its `text` fallback."""

    text: str
    blocks: list[Block]


def message_pages(messages: list[Message]) -> list[Page]:
    """A turn's replies as few Slack messages as Slack allows: one notification, one API call
    (Slack allows about one post per second per channel) when it fits in 50 blocks and
    MESSAGE_TEXT characters; otherwise several, cut between replies where a reply fits in
    one message (a question stays with its buttons), and inside a reply that does not (a
    long data export). Each message has its `text` fallback: the turn's for the first, the
    message's own text for the others."""
    pages: list[list[Block]] = [[]]
    for message in messages:
        own = _blocks_of(message)
        if pages[-1] and not _fits(pages[-1] + own) and _fits(own):
            pages.append([])
        for block in own:
            if pages[-1] and not _fits([*pages[-1], block]):
                pages.append([])
            pages[-1].append(block)
    pages = [page for page in pages if page]
    if not pages:
        return []
    first = fallback_text(messages)
    return [Page((first if n == 0 else _readable(page)) or _readable(page) or first or "…",
                 page) for n, page in enumerate(pages)]


def _fits(blocks: list[Block]) -> bool:
    return len(blocks) <= MAX_BLOCKS and sum(_text_size(b) for b in blocks) <= MESSAGE_TEXT


def _text_size(node: Any) -> int:
    """How many characters of text a block holds, labels and options included."""
    if isinstance(node, dict):
        return sum(len(value) if key == "text" and isinstance(value, str) else _text_size(value)
                   for key, value in node.items())
    if isinstance(node, list):
        return sum(_text_size(item) for item in node)
    return 0


def _readable(blocks: list[Block]) -> str:
    """What a message says (its sections, headers and context lines, already escaped), as
    the `text` fallback of a message that continues a turn."""
    texts: list[str] = []
    for block in blocks:
        if block.get("type") in ("section", "header"):
            texts.append(str((block.get("text") or {}).get("text") or ""))
        elif block.get("type") == "context":
            texts += [str(e.get("text") or "") for e in block.get("elements") or ()]
    return cut("\n".join(t for t in texts if t))


def _blocks_of(message: Message) -> list[Block]:
    if isinstance(message, Question):
        blocks = _question(message)
    elif isinstance(message, Scale):
        blocks = _scale(message)
    elif isinstance(message, Form):
        blocks = _form(message)
    elif isinstance(message, Notice):
        blocks = _context(message.text)
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
    return fallback("\n".join(m.title if isinstance(m, Form) else m.text for m in messages))


def answered(blocks: list[Block], shown: str) -> list[Block]:
    """The question message after its answer: the question stays, its buttons and menus go,
    and the choice is shown, so nobody can press an old button twice."""
    kept = [{k: v for k, v in b.items() if k != "accessory"} for b in blocks
            if b.get("type") not in ("actions", "input")]
    choice = _context(f"✓ {shown}")[:MAX_BLOCKS]
    return [*kept[:MAX_BLOCKS - len(choice)], *choice]


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
        "blocks": blocks[-MAX_VIEW_BLOCKS:],  # a very long intro loses its start, no input
    }


def form_errors(form: Form) -> dict[str, str]:
    """Inline errors for `response_action: errors`, keyed by the inputs' block ids."""
    return {field.name: field.error for field in form.fields if field.error}


def home_view(home: Home) -> Block:
    """The App Home: a header (plain_text, 150 characters), the sections, the command
    buttons. Past Slack's 100 blocks the overview is trimmed at its end; the buttons
    stay."""
    header: Block = {"type": "header", "text": {"type": "plain_text",
                                                "text": plain(home.title, 150)}}
    body: list[Block] = []
    for section in home.sections:
        body.append({"type": "divider"})
        body += _sections(f"*{section.heading}*\n{section.text}")
    buttons = [_button(a.label, indexed(COMMAND, n), a.value)
               for n, a in enumerate(home.actions)]
    rows: list[Block] = [{"type": "actions", "elements": buttons[start:start + MAX_BUTTONS]}
                         for start in range(0, len(buttons), MAX_BUTTONS)]
    if rows:
        rows.insert(0, {"type": "divider"})
    rows = rows[:MAX_VIEW_BLOCKS - 1]
    room = MAX_VIEW_BLOCKS - 1 - len(rows)
    return {"type": "home", "blocks": [header, *body[:room], *rows]}


def placeholder_home(text: str) -> Block:
    """App Home for someone the coach does not know yet."""
    return {"type": "home", "blocks": _sections(text)[:MAX_VIEW_BLOCKS]}

