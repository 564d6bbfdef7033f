"""The terminal adapter: lines on stdin become events, the coach's messages become plain text.

Works interactively and piped (`printf 'diary\n...' | leercoach chat --user alice`). A form is
filled in here one field per line and handed to the engine as one submission, the way a
modal or card would submit it. Before it goes, the answers are shown numbered, and one field
can be corrected by its number; a form that comes back (feedback, an error) starts from the
answers already given, so only what changes is typed again.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TextIO

from adapters.platform import PlatformAdapter
from bot.conversation.coach import Coach
from bot.core.messages import (
    Address,
    File,
    Form,
    FormField,
    InboundEvent,
    Message,
    Notice,
    Outbound,
    Question,
    Scale,
)
from bot.outbox.sender import OpenDialogSender

PLATFORM = "terminal"
TENANT = "local"


class TerminalAdapter(PlatformAdapter):
    """The terminal has no push and no endpoint: a nudge's dialog is stored, and the person
    sees its question when they next open `leercoach chat`."""

    __slots__ = ()

    @property
    def name(self) -> str:
        return PLATFORM

    @property
    def sender(self) -> OpenDialogSender:
        return OpenDialogSender()


def terminal_address(user: str) -> Address:
    return Address(platform=PLATFORM, tenant=TENANT, person=user, conversation=f"{PLATFORM}:{user}")


def render(message: Message) -> str:
    """Plain text for a terminal; nothing in it is interpreted, so nothing needs escaping."""
    if isinstance(message, Notice):
        return f"· {message.text}"
    if isinstance(message, Question):
        lines = [message.text]
        if message.hint:
            lines.append(f"  ({message.hint})")
        for number, choice in enumerate(message.choices, start=1):
            mark = " [x]" if message.multiple and choice.value in message.selected else ""
            lines.append(f"  {number}) {choice.label}{mark}")
        return "\n".join(lines)
    if isinstance(message, Scale):
        labels = ""
        if message.low_label and message.high_label:
            labels = (
                f"  ({message.minimum} = {message.low_label}, "
                f"{message.maximum} = {message.high_label})"
            )
        numbers = " ".join(str(n) for n in range(message.minimum, message.maximum + 1))
        return f"{message.text}\n  {numbers}{labels}"
    if isinstance(message, Form):
        lines = [message.title]
        if message.intro:
            lines.append(message.intro)
        return "\n".join(lines)
    if isinstance(message, File):
        return f"{message.text}\n--- {message.name} ---\n{message.content}\n---"
    return message.text


class TerminalChat:
    """One person's chat with the coach over a pair of text streams."""

    def __init__(self, engine: Coach, user: str, output: TextIO) -> None:
        self.engine = engine
        self.address = terminal_address(user)
        self.output = output
        self._given: dict[str, dict[str, str]] = {}  # per form: the answers last submitted

    def show(self, outbound: list[Outbound], lines: Iterator[str]) -> None:
        for item in outbound:
            mine = (self.address.platform, self.address.tenant, self.address.person)
            if (item.address.platform, item.address.tenant, item.address.person) != mine:
                continue  # meant for someone else (e.g. a shared contract): not this screen's
            self.output.write(render(item.message) + "\n")
            if isinstance(item.message, Form):
                self.output.flush()
                self._fill_form(item.message, lines)
                return
        self.output.flush()

    def _fill_form(self, form: Form, lines: Iterator[str]) -> None:
        given = self._given.get(form.ref, {})
        values = {f.name: f.value or given.get(f.name, "") for f in form.fields}
        ended = False
        for form_field in form.fields:
            if form_field.error or not values[form_field.name] or not given:
                ended = not self._ask_field(form_field, values, lines)
                if ended:
                    break
        if not ended:
            ended = not self._correct(form, values, lines)
        self._given[form.ref] = values
        event = InboundEvent(address=self.address, form=values, reply_to=form.ref)
        self.show(self.engine.handle(event), lines)

    def _ask_field(self, form_field: FormField, values: dict[str, str],
                   lines: Iterator[str]) -> bool:
        """Ask one field; False when the input ended."""
        note = f" ({form_field.error})" if form_field.error else ""
        self.output.write(f"  {form_field.label}{note}\n")
        self.output.flush()
        line = next(lines, None)
        values[form_field.name] = line or ""
        return line is not None

    def _correct(self, form: Form, values: dict[str, str], lines: Iterator[str]) -> bool:
        """The answers numbered; a field's number asks that field again, an empty line (or
        'ok') sends the form. False when the input ended."""
        locale = self.engine.locale_of(self.address)

        def text(key: str, **variables: object) -> str:
            return self.engine.prompts.render(f"terminal.{key}", locale, **variables)

        while True:
            self.output.write(text("form_summary") + "\n")
            for number, form_field in enumerate(form.fields, start=1):
                shown = " ".join(values[form_field.name].split()) or "—"
                self.output.write(f"  {number}) {form_field.label}: {shown}\n")
            self.output.write(text("form_pick", count=len(form.fields)) + "\n")
            self.output.flush()
            line = next(lines, None)
            if line is None:
                return False
            choice = line.strip().rstrip(".)").lower()
            if not choice or choice in text("form_send_words").split(","):
                return True
            if choice.isdigit() and 1 <= int(choice) <= len(form.fields):
                if not self._ask_field(form.fields[int(choice) - 1], values, lines):
                    return False
                continue
            self.output.write(text("form_not_a_field", count=len(form.fields)) + "\n")

    def run(self, lines: Iterator[str]) -> None:
        self.show(self.engine.resume(self.address), lines)
        for line in lines:
            self.show(self.engine.handle(InboundEvent(address=self.address, text=line)), lines)


def stdin_lines(stream: TextIO | None = None) -> Iterator[str]:
    """Lines from a pipe as they are, or from a person at the keyboard with a prompt."""
    stream = stream or sys.stdin
    if stream.isatty():
        while True:
            try:
                yield input("> ")
            except EOFError:
                return
    else:
        for line in stream:
            yield line.rstrip("\n")
