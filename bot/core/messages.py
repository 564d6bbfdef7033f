"""The engine's message model: what adapters hand in and what they get back.

Adapters translate Slack, Teams, the web chat and the terminal to and from these value
classes, so the engine never sees a platform payload and one renderer per platform decides
how a question or a form looks. All text in outbound messages is plain text: adapters escape
it for their platform (Slack mrkdwn, Teams markdown, HTML) so nothing a person typed can
become a mention, a link or markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message comes from or goes to on one platform.

    `tenant` is the Slack workspace / Teams tenant (a fixed name for the terminal and web),
    `person` the platform's user id, `conversation` the DM or channel, `thread` a thread in it.
    `members` addresses a conversation with several people at once (a Slack group DM of
    peer review partners), by their platform ids; `person` is then the first of them.
    """

    platform: str
    tenant: str
    person: str
    conversation: str
    thread: str | None = None
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """Something a person did: typed text, pressed a button, submitted a form, ran a command.

    Exactly one of `text`, `value`, `form` or `command` carries the content. `reply_to` is the
    `ref` of the question a button or form belonged to, so a stale button cannot answer a
    newer question. `event_id` is the platform's id of the event, used to drop retries.
    `ambient` marks a message in a channel thread the coach was not addressed in: it is
    handled only when the thread belongs to a channel practice (an intervision case), and
    otherwise ignored without creating anyone. `origin` is the channel a command was typed
    in when its replies go to the person's DM (e.g. `/leercoach intervisie` in #team).
    """

    address: Address
    text: str | None = None
    value: str | None = None
    values: tuple[str, ...] | None = None
    form: Mapping[str, str] | None = None
    command: str | None = None
    reply_to: str | None = None
    event_id: str | None = None
    display_name: str | None = None
    locale: str | None = None
    timezone: str | None = None
    received_at: datetime | None = None
    ambient: bool = False
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a question: `value` comes back in InboundEvent.value, `label` is shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Text:
    """A plain message from the coach."""

    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """A short status line (saved, expired, not understood) that adapters may show subdued."""

    text: str
    level: Literal["info", "warning"] = "info"


@dataclass(frozen=True, slots=True)
class Question:
    """A question, answered by free text (no choices) or by one or several of `choices`."""

    text: str
    ref: str
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    hint: str | None = None
    max_length: int | None = None
    selected: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scale:
    """A question answered with a whole number from `minimum` to `maximum` (1–5)."""

    text: str
    ref: str
    minimum: int = 1
    maximum: int = 5
    low_label: str | None = None
    high_label: str | None = None


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form; `error` is set when the form comes back for correction."""

    name: str
    label: str
    multiline: bool = False
    required: bool = True
    max_length: int | None = None
    value: str = ""
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """Several inputs submitted together (a modal in Slack, a card in Teams)."""

    title: str
    ref: str
    fields: tuple[FormField, ...]
    submit_label: str
    intro: str | None = None


@dataclass(frozen=True, slots=True)
class File:
    """A document for the person to keep (their data export): `text` says what it is,
    `content` is the document itself. Adapters that cannot attach files show the content
    as text after `text` (as far as the platform's message size allows)."""

    text: str
    name: str
    content: str
    mime: str = "application/json"


Message = Text | Notice | Question | Scale | Form | File


@dataclass(frozen=True, slots=True)
class HomeSection:
    """One part of a person's overview: a heading and a short plain text (may hold *bold*,
    like other texts; adapters escape it)."""

    heading: str
    text: str


@dataclass(frozen=True, slots=True)
class Home:
    """A person's own overview page: the Slack App Home, a Teams tab, the web's /me.

    Each action's `value` is a command name (prompts/commands): an adapter sends it back as
    `InboundEvent.command` when the button is pressed, so a page needs no handlers of its own.
    """

    title: str
    sections: tuple[HomeSection, ...]
    actions: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Outbound:
    """A message and the address it must go to.

    `anchor` marks a channel post that starts a thread the engine follows (e.g. "case:12"):
    the adapter reports the posted message's id with `Coach.anchored(anchor, thread)`.
    `answers` is the ref of the question this turn's answer was taken for: an adapter may
    then update the message that asked it (show the choice, drop its buttons); a stale
    button or a rejected answer leaves it unset.
    """

    address: Address
    message: Message
    anchor: str | None = None
    answers: str | None = None
