"""The code that flows and commands call by name, registered with decorators.

Flows are data, but some steps need code: what a flow knows when it starts (`on_start`),
what its answers become when it ends (`on_complete`), commands that act rather than ask
(`action`, e.g. pause), choices that come from the database (`choice_source`, e.g. the
competence catalog), a one-time review of an answer (`reviewer`, e.g. SMART feedback on a
weekly plan), a follow-up question written from the answers (`follow_up`, the diary's
deepening), and the person's overview page that adapters show (`home_page`).

Nothing registers by being imported. Each practice under `bot/practices/` collects its hooks on
its own `PracticeHooks` (decorators, like a Flask blueprint); a `Registry` is composed from
those collectors when the application is wired (`bot.practices.build_registry`), and handed
to the Coach. Two registries never share state, so a test can build its own.

Hooks see the turn through `TurnApi`, a narrow view that keeps them out of its internals.
"""

from __future__ import annotations

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
    # What hooks hand each other within this turn only (an on_complete to the on_start of
    # the flow its `then` opens), by "<practice>.<what>"; it goes with the turn.
    notes: dict[str, Any]

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
class DialogTurn:
    """A dialog in the turn that handles it: what completion and follow-up hooks see."""

    turn: TurnApi
    dialog: DialogState

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
class Completion(DialogTurn):
    partial: bool


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


@dataclass(slots=True)
class ChannelMembership:
    """Someone joined (or left) a channel, which a practice may follow (a cohort tied to
    it). `member()` is their person id: someone new to the coach who joined is created then,
    with the platform's profile; None for a stranger who left."""

    turn: TurnApi
    event: InboundEvent
    joined: bool
    member: Callable[[], int | None]


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


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A follow-up question written from a person's answers: its text key and variables, and
    the rule that chose it (kept with the record, so the next one can differ)."""

    key: str
    rule: str
    variables: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class FollowUpQuery(DialogTurn):
    """What a follow-up hook sees: the turn and the dialog with its answers so far."""


BeforeTurnHook = Callable[[TurnApi], list[Message]]
CompletionHook = Callable[[Completion], dict[str, Any]]
StartHook = Callable[[Start], dict[str, Any]]
ActionHook = Callable[[ActionCall], list[Message] | None]
ChoiceSourceHook = Callable[[ChoiceQuery], tuple[ChoiceDef, ...]]
ReviewerHook = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Review | None]
FollowUpHook = Callable[[FollowUpQuery], FollowUp | None]
HomeHook = Callable[[TurnApi], Home]
ThreadHook = Callable[[ChannelEvent], list[Outbound] | None]
PressHook = Callable[[ChannelEvent, int], list[Outbound]]
AnchorHook = Callable[[Connection, int, str], None]
MembershipHook = Callable[[ChannelMembership], int]

F = TypeVar("F")


def _add(table: dict[str, F], name: str, function: F) -> None:
    if name in table:
        raise ValueError(f"{name!r} is registered twice")
    table[name] = function


@dataclass(slots=True)
class Registry:
    """The hooks of every practice, by the name flows and commands call them with."""

    before_turn: list[BeforeTurnHook] = field(default_factory=list)
    completions: dict[str, CompletionHook] = field(default_factory=dict)
    starters: dict[str, list[StartHook]] = field(default_factory=dict)
    actions: dict[str, ActionHook] = field(default_factory=dict)
    channel_actions: set[str] = field(default_factory=set)  # action(in_channel=True)
    choice_sources: dict[str, ChoiceSourceHook] = field(default_factory=dict)
    reviewers: dict[str, ReviewerHook] = field(default_factory=dict)
    follow_ups: dict[str, FollowUpHook] = field(default_factory=dict)
    home_page: HomeHook | None = None
    threads: list[ThreadHook] = field(default_factory=list)
    presses: dict[str, PressHook] = field(default_factory=dict)
    anchors: dict[str, AnchorHook] = field(default_factory=dict)
    memberships: list[MembershipHook] = field(default_factory=list)
    practices: list[str] = field(default_factory=list)

    def include(self, hooks: PracticeHooks) -> Registry:
        """Register everything one practice collected; a name taken twice is an error."""
        if hooks.practice in self.practices:
            raise ValueError(f"practice {hooks.practice!r} is included twice")
        self.practices.append(hooks.practice)
        for register in hooks.registrations:
            register(self)
        return self

    def add_before_turn(self, function: BeforeTurnHook) -> None:
        self.before_turn.append(function)

    def add_completion(self, name: str, function: CompletionHook) -> None:
        _add(self.completions, name, function)

    def add_starter(self, flow_id: str, function: StartHook) -> None:
        self.starters.setdefault(flow_id, []).append(function)

    def add_action(self, name: str, function: ActionHook, *, in_channel: bool = False) -> None:
        _add(self.actions, name, function)
        if in_channel:
            self.channel_actions.add(name)

    def add_choice_source(self, name: str, function: ChoiceSourceHook) -> None:
        _add(self.choice_sources, name, function)

    def add_reviewer(self, name: str, function: ReviewerHook) -> None:
        _add(self.reviewers, name, function)

    def add_follow_up(self, name: str, function: FollowUpHook) -> None:
        _add(self.follow_ups, name, function)

    def set_home_page(self, function: HomeHook) -> None:
        if self.home_page is not None:
            raise ValueError("'home' is registered twice")
        self.home_page = function

    def add_thread_handler(self, function: ThreadHook) -> None:
        self.threads.append(function)

    def add_press(self, prefix: str, function: PressHook) -> None:
        _add(self.presses, prefix, function)

    def add_anchor(self, prefix: str, function: AnchorHook) -> None:
        _add(self.anchors, prefix, function)

    def add_membership_handler(self, function: MembershipHook) -> None:
        self.memberships.append(function)

    def pressed(self, ref: str | None) -> tuple[str, int] | None:
        """(prefix, id) when `ref` is a registered practice's "<prefix>:<id>"."""
        prefix, _, item = (ref or "").partition(":")
        return (prefix, int(item)) if prefix in self.presses and item.isdigit() else None


class PracticeHooks:
    """One practice's hooks, collected by decorators in its hooks module and registered only
    when a Registry includes them: importing a practice changes nothing elsewhere."""

    def __init__(self, practice: str) -> None:
        self.practice = practice
        self.registrations: list[Callable[[Registry], None]] = []

    def _collect(self, register: Callable[[Registry], None]) -> None:
        self.registrations.append(register)

    def before_turn(self, function: BeforeTurnHook) -> BeforeTurnHook:
        """Runs at the start of every turn of a known person, before the message is handled
        (e.g. welcome back after a pause); its messages come first in the reply."""
        self._collect(lambda registry: registry.add_before_turn(function))
        return function

    def on_complete(self, name: str) -> Callable[[CompletionHook], CompletionHook]:
        """`on_complete = "<name>"` in a flow calls this with the finished (or partial) dialog."""

        def decorate(function: CompletionHook) -> CompletionHook:
            self._collect(lambda registry: registry.add_completion(name, function))
            return function

        return decorate

    def on_start(self, flow_id: str) -> Callable[[StartHook], StartHook]:
        """Adds to the context of `flow_id` when it starts; several practices may contribute
        (in the order the registry includes them)."""

        def decorate(function: StartHook) -> StartHook:
            self._collect(lambda registry: registry.add_starter(flow_id, function))
            return function

        return decorate

    def action(self, name: str, *, in_channel: bool = False
               ) -> Callable[[ActionHook], ActionHook]:
        """`action = "<name>"` in a command; returning None means "not for me": the message
        is then treated as an answer to the open question.

        `in_channel`: the action belongs in a channel too (a channel practice, or one that
        sends what is personal to the DM itself). Any other command typed at the coach in a
        channel is not run there: the person is pointed to their personal chat, so nothing
        of theirs is shown to the channel."""

        def decorate(function: ActionHook) -> ActionHook:
            self._collect(
                lambda registry: registry.add_action(name, function, in_channel=in_channel))
            return function

        return decorate

    def choice_source(self, name: str) -> Callable[[ChoiceSourceHook], ChoiceSourceHook]:
        """`choices_from = "<name>"` in a step; labels may be literal (ChoiceDef.text)."""

        def decorate(function: ChoiceSourceHook) -> ChoiceSourceHook:
            self._collect(lambda registry: registry.add_choice_source(name, function))
            return function

        return decorate

    def reviewer(self, name: str) -> Callable[[ReviewerHook], ReviewerHook]:
        """`review = "<name>"` in a step: called with (answer, answers, context); a Review is
        shown once and the question stays open, the next answer is accepted as it is."""

        def decorate(function: ReviewerHook) -> ReviewerHook:
            self._collect(lambda registry: registry.add_reviewer(name, function))
            return function

        return decorate

    def follow_up(self, name: str) -> Callable[[FollowUpHook], FollowUpHook]:
        """`ask = "<name>"` on a text step: called when the dialog reaches the step, with the
        answers so far; returns the question to ask (a FollowUp), or None to pass the step by
        (e.g. the diary's one deepening question)."""

        def decorate(function: FollowUpHook) -> FollowUpHook:
            self._collect(lambda registry: registry.add_follow_up(name, function))
            return function

        return decorate

    def home_page(self, function: HomeHook) -> HomeHook:
        """Builds a person's overview page (Coach.home) from the turn, without changing
        anything; one practice (the overview) provides it."""
        self._collect(lambda registry: registry.set_home_page(function))
        return function

    def thread_handler(self, function: ThreadHook) -> ThreadHook:
        """Offered every message in a channel thread before it is treated as a person's own;
        returns the replies when the thread is its own, None when it is not."""
        self._collect(lambda registry: registry.add_thread_handler(function))
        return function

    def on_press(self, prefix: str) -> Callable[[PressHook], PressHook]:
        """A press of a button whose ref is "<prefix>:<id>" (a post this practice made in a
        channel): called with the event and the id."""

        def decorate(function: PressHook) -> PressHook:
            self._collect(lambda registry: registry.add_press(prefix, function))
            return function

        return decorate

    def on_anchor(self, prefix: str) -> Callable[[AnchorHook], AnchorHook]:
        """`Coach.anchored("<prefix>:<id>", thread)`: a channel post this practice made has
        been given the platform id `thread`; store it to recognise the thread's messages."""

        def decorate(function: AnchorHook) -> AnchorHook:
            self._collect(lambda registry: registry.add_anchor(prefix, function))
            return function

        return decorate

    def membership_handler(self, function: MembershipHook) -> MembershipHook:
        """Told when someone joins or leaves a channel; returns how many of their
        memberships (e.g. cohorts) changed."""
        self._collect(lambda registry: registry.add_membership_handler(function))
        return function
