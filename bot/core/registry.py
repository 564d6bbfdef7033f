"""The code that flows and commands call by name, registered with decorators.

Flows are data, but some steps need code: what a flow knows when it starts (`on_start`),
what its answers become when it ends (`on_complete`), commands that act rather than ask
(`action`, e.g. pause), choices that come from the database (`choice_source`, e.g. the
competence catalog) and a one-time review of an answer (`reviewer`, e.g. SMART feedback on a
weekly plan), and the person's overview page that adapters show (`home_page`). Each practice
lives in its own module under `bot/practices/` and registers itself; `load_all()` imports them,
so adding a practice never means editing a central table.

Hooks see the turn through `TurnApi`, a narrow view that keeps them out of its internals.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Connection

from bot.config import Settings
from bot.core.flows import ChoiceDef
from bot.core.messages import Address, Home, InboundEvent, Message, Outbound
from bot.core.prompts import PromptLibrary
from bot.storage.turn_store import DialogState, PersonState


class TurnApi(Protocol):
    """What a hook may do within the turn it runs in."""

    connection: Connection
    now: datetime

    @property
    def person(self) -> PersonState: ...

    @property
    def locale(self) -> str: ...

    @property
    def prompts(self) -> PromptLibrary: ...

    def text(self, key: str, **variables: Any) -> str: ...

    def local_today(self) -> date: ...

    def start(self, flow_id: str, context: dict[str, Any] | None = None) -> list[Message]:
        """Start a flow for this person, here (ending an open dialog, answers kept)."""
        ...

    def start_for(
        self, person_id: int, flow_id: str, context: dict[str, Any] | None = None
    ) -> list[Outbound]:
        """Start a flow for someone else, in their DM, within this transaction."""
        ...

    def tell(self, person_id: int, key: str, **variables: Any) -> list[Outbound]:
        """Send someone else a text (in their language) in their DM."""
        ...

    @property
    def origin(self) -> Address | None:
        """The channel the turn's event came from (or a command was typed in), if any."""
        ...

    @property
    def settings(self) -> Settings: ...

    def post(self, address: Address, message: Message, anchor: str | None = None) -> None:
        """Post in a channel or thread after the commit; `anchor` follows the post's
        thread (see on_anchor)."""
        ...

    def forget(self) -> None:
        """The person was deleted in this turn (bot.privacy.erasure): write nothing of theirs back,
        so the replies still go out but nobody is brought back."""
        ...


@dataclass(slots=True)
class Completion:
    turn: TurnApi
    dialog: DialogState
    partial: bool

    @property
    def connection(self) -> Connection:
        return self.turn.connection

    @property
    def person(self) -> PersonState:
        return self.turn.person

    @property
    def now(self) -> datetime:
        return self.turn.now

    @property
    def prompts(self) -> PromptLibrary:
        return self.turn.prompts


@dataclass(slots=True)
class Start:
    turn: TurnApi
    local_date: date
    is_new: bool
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def connection(self) -> Connection:
        return self.turn.connection

    @property
    def person(self) -> PersonState:
        return self.turn.person


@dataclass(slots=True)
class ActionCall:
    """A command that acts: `arguments` is what followed the command word."""

    turn: TurnApi
    arguments: str
    dialog: DialogState | None


@dataclass(slots=True)
class ChannelEvent:
    """Something said or pressed in a channel that a channel practice may own (a message in
    an intervision case's thread, a phase button, a poll vote). `enter()` loads (or
    creates) the person who did it, so texts come in their language."""

    turn: TurnApi
    event: InboundEvent
    enter: Callable[[], PersonState]


@dataclass(frozen=True, slots=True)
class ChoiceQuery:
    connection: Connection | None
    organisation_id: int
    locale: str
    context: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Review:
    """Feedback on an answer: a text key and its variables."""

    key: str
    variables: Mapping[str, Any] = field(default_factory=dict)


BeforeTurnHook = Callable[[TurnApi], list[Message]]
CompletionHook = Callable[[Completion], dict[str, Any]]
StartHook = Callable[[Start], dict[str, Any]]
ActionHook = Callable[[ActionCall], list[Message] | None]
ChoiceSourceHook = Callable[[ChoiceQuery], tuple[ChoiceDef, ...]]
ReviewerHook = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Review | None]
HomeHook = Callable[[TurnApi], Home]
ThreadHook = Callable[[ChannelEvent], list[Outbound] | None]
PressHook = Callable[[ChannelEvent, int], list[Outbound]]
AnchorHook = Callable[[Connection, int, str], None]

BEFORE_TURN: list[BeforeTurnHook] = []
COMPLETIONS: dict[str, CompletionHook] = {}
STARTERS: dict[str, list[StartHook]] = {}
ACTIONS: dict[str, ActionHook] = {}
CHANNEL_ACTIONS: set[str] = set()  # actions that may answer in a channel (action(in_channel=))
CHOICE_SOURCES: dict[str, ChoiceSourceHook] = {}
REVIEWERS: dict[str, ReviewerHook] = {}
HOME: dict[str, HomeHook] = {}
THREADS: list[ThreadHook] = []
PRESSES: dict[str, PressHook] = {}
ANCHORS: dict[str, AnchorHook] = {}

F = TypeVar("F")


def _register(table: dict[str, F], name: str) -> Callable[[F], F]:
    def decorate(function: F) -> F:
        if name in table:
            raise ValueError(f"{name!r} is registered twice")
        table[name] = function
        return function

    return decorate


def before_turn(function: BeforeTurnHook) -> BeforeTurnHook:
    """Runs at the start of every turn of a known person, before the message is handled
    (e.g. welcome back after a pause); its messages come first in the reply."""
    BEFORE_TURN.append(function)
    return function


def on_complete(name: str) -> Callable[[CompletionHook], CompletionHook]:
    """`on_complete = "<name>"` in a flow calls this with the finished (or partial) dialog."""
    return _register(COMPLETIONS, name)


def on_start(flow_id: str) -> Callable[[StartHook], StartHook]:
    """Adds to the context of `flow_id` when it starts; several modules may contribute."""

    def decorate(function: StartHook) -> StartHook:
        STARTERS.setdefault(flow_id, []).append(function)
        return function

    return decorate


def action(name: str, *, in_channel: bool = False) -> Callable[[ActionHook], ActionHook]:
    """`action = "<name>"` in a command; returning None means "not for me": the message is
    then treated as an answer to the open question.

    `in_channel`: the action belongs in a channel too (a channel practice, or one that sends
    what is personal to the DM itself). Any other command typed at the coach in a channel is
    not run there: the person is pointed to their personal chat, so nothing of theirs is
    shown to the channel."""
    if in_channel:
        CHANNEL_ACTIONS.add(name)
    return _register(ACTIONS, name)


def choice_source(name: str) -> Callable[[ChoiceSourceHook], ChoiceSourceHook]:
    """`choices_from = "<name>"` in a step; labels may be literal (ChoiceDef.text)."""
    return _register(CHOICE_SOURCES, name)


def reviewer(name: str) -> Callable[[ReviewerHook], ReviewerHook]:
    """`review = "<name>"` in a step: called with (answer, answers, context); a Review is
    shown once and the question stays open, the next answer is accepted as it is."""
    return _register(REVIEWERS, name)


def home_page(function: HomeHook) -> HomeHook:
    """Builds a person's overview page (Coach.home) from the turn, without changing
    anything; one practice module (the overview) registers it."""
    return _register(HOME, "home")(function)


def load_all() -> None:
    """Import the hooks of every practice under bot/practices so they register themselves."""
    import bot.practices as practices

    for module in pkgutil.iter_modules(practices.__path__):
        importlib.import_module(f"{practices.__name__}.{module.name}.hooks")


def thread_handler(function: ThreadHook) -> ThreadHook:
    """Offered every message in a channel thread before it is treated as a person's own;
    returns the replies when the thread is its own, None when it is not."""
    THREADS.append(function)
    return function


def on_press(prefix: str) -> Callable[[PressHook], PressHook]:
    """A press of a button whose ref is "<prefix>:<id>" (a post this practice made in a
    channel): called with the event and the id."""
    return _register(PRESSES, prefix)


def pressed(ref: str | None) -> tuple[str, int] | None:
    """(prefix, id) when `ref` is a registered practice's "<prefix>:<id>"."""
    prefix, _, item = (ref or "").partition(":")
    return (prefix, int(item)) if prefix in PRESSES and item.isdigit() else None


def on_anchor(prefix: str) -> Callable[[AnchorHook], AnchorHook]:
    """`Coach.anchored("<prefix>:<id>", thread)`: a channel post this practice made has
    been given the platform id `thread`; store it to recognise the thread's messages."""
    return _register(ANCHORS, prefix)
