"""The outbox's sender for platform `web`: what reaches a web person outside their own turn.

A nudge from the outbox, or a reply from someone else's turn, waits in an in-memory inbox per
web person until the chat page polls (adapters/web/chat.py), as the message model in JSON.
The web chat is the try-out channel of the embedded default, so that history need not
survive a restart: the engine keeps the answers.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any

from bot.core.messages import (
    File,
    Form,
    Message,
    Notice,
    Outbound,
    Question,
    Scale,
    Text,
)
from bot.outbox.sender import DeliveryFailed

PLATFORM = "web"
TENANT = "local"
INBOX_SIZE = 200  # messages kept per web person; older ones drop off
MAX_INBOXES = 1000  # web people with an inbox in memory; the least recently used go first

Json = dict[str, Any]


# -- the message model as JSON ---------------------------------------------------------------


def to_json(message: Message) -> Json:
    """One message for chat.js; every text is plain text (the page puts it in textContent)."""
    if isinstance(message, Text):
        return {"kind": "text", "text": message.text, "ref": None}
    if isinstance(message, Notice):
        return {"kind": "notice", "text": message.text, "level": message.level, "ref": None}
    if isinstance(message, Question):
        return {"kind": "question", "text": message.text, "ref": message.ref,
                "choices": [{"value": c.value, "label": c.label} for c in message.choices],
                "multiple": message.multiple, "hint": message.hint,
                "max_length": message.max_length, "selected": list(message.selected)}
    if isinstance(message, Scale):
        return {"kind": "scale", "text": message.text, "ref": message.ref,
                "minimum": message.minimum, "maximum": message.maximum,
                "low_label": message.low_label, "high_label": message.high_label}
    if isinstance(message, File):
        return {"kind": "file", "text": message.text, "ref": None, "name": message.name,
                "content": message.content, "mime": message.mime}
    form: Form = message
    return {"kind": "form", "title": form.title, "ref": form.ref, "intro": form.intro,
            "submit_label": form.submit_label,
            "fields": [{"name": f.name, "label": f.label, "multiline": f.multiline,
                        "required": f.required, "max_length": f.max_length, "value": f.value,
                        "error": f.error} for f in form.fields]}


# -- the inboxes ----------------------------------------------------------------------------


@dataclass(slots=True)
class Inbox:
    """What reached one web person outside their own turns, numbered so the page can ask
    for what came after the last one it showed."""

    items: deque[tuple[int, Json]] = field(default_factory=lambda: deque(maxlen=INBOX_SIZE))
    last: int = 0
    fetched: int = 0

    def put(self, message: Json) -> None:
        self.last += 1
        self.items.append((self.last, message))

    def after(self, cursor: int) -> list[Json]:
        """Messages numbered after `cursor`; a cursor from before a restart (beyond the
        last number) gets everything there is."""
        if cursor > self.last:
            cursor = 0
        found = [message for number, message in self.items if number > cursor]
        self.fetched = self.last
        return found


class WebSender:
    """Each web person's inbox, and the outbox's sender into them."""

    def __init__(self) -> None:
        self._inboxes: OrderedDict[str, Inbox] = OrderedDict()

    def inbox(self, person: str) -> Inbox:
        found = self._inboxes.get(person)
        if found is None:
            found = self._inboxes[person] = Inbox()
            while len(self._inboxes) > MAX_INBOXES:
                self._inboxes.popitem(last=False)
        else:
            self._inboxes.move_to_end(person)
        return found

    async def send(self, outbound: Outbound) -> None:
        """A nudge (or any outbox message) waits in the person's inbox until the page
        polls; nobody else can be reached from here."""
        address = outbound.address
        if (address.platform, address.tenant) != (PLATFORM, TENANT):
            raise DeliveryFailed(f"the web chat cannot reach {address.platform}",
                                 permanent=True)
        self.inbox(address.person).put(to_json(outbound.message))

    def waiting(self, person: str, cursor: int) -> tuple[list[Json], int]:
        """What reached the person after `cursor`, and the newest number."""
        box = self.inbox(person)
        return box.after(cursor), box.last
