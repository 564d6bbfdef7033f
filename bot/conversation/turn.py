"""One turn of the coach: what a person's message means for their dialog, and the reply.

A Turn lives inside one transaction (see bot.conversation.coach). It loads the person and
their active dialog, decides (command, answer, or something else), changes the dialog and
the person in memory, and `save()` writes those changes before the transaction commits.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta
from operator import attrgetter
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.conversation import understanding
from bot.conversation.dialogs import StepRenderer, first_step, next_step, position, step_ref
from bot.conversation.services import Services
from bot.core.answers import Proposal, Rejected, Reply, parse_answer, parse_confirm
from bot.core.flows import Flow, FlowError, Step
from bot.core.interpretation.intents import read_intent
from bot.core.messages import (
    Address,
    Choice,
    Home,
    InboundEvent,
    Message,
    Notice,
    Outbound,
    Question,
    Text,
)
from bot.core.prompts import CommandMatch, PromptError, PromptLibrary
from bot.core.registry import (
    ActionCall,
    ChannelEvent,
    ChannelMembership,
    ChoiceQuery,
    Completion,
    FollowUpQuery,
    Start,
)
from bot.core.text_input import clean_text
from bot.people import directory as people
from bot.people.directory import OrganisationDefaults
from bot.people.preferences import apply_setting, current_value, selected_values
from bot.storage.turn_store import (
    PERSON_UPDATABLE,
    DialogState,
    PersonState,
    TurnStore,
)

ONBOARDING_FLOW = "onboarding"
SKIP_VALUE = "skip"  # the value of the skip button under a follow-up question
FOLLOW_UPS = "follow_ups"  # dialog context: the follow-up asked per step (key, variables, rule)
LAST_SEEN_RESOLUTION = timedelta(hours=1)
EVENT_SCOPE_CHARS = 200  # processed_events.conversation
_KIND_HINTS = {
    "scale": "common.scale_hint",
    "single": "common.choices_hint",
    "multiple": "common.multiple_hint",
    "confirm": "common.confirm_hint",
}


class Turn:
    """The work of one inbound event (or one scheduler call) inside one transaction."""

    def __init__(self, services: Services, store: TurnStore, now: datetime) -> None:
        self.services = services
        self.registry = services.registry
        self.store = store
        self._session: Session | None = None
        self.now = now
        self.settings = services.settings
        self.prompts: PromptLibrary = services.prompts
        self.connection = store.connection
        self._person: PersonState | None = None
        self._person_before: _Snapshot | None = None
        self._touched: dict[int, DialogState] = {}
        self._active: DialogState | None = None
        self._created = False  # the person was created in this turn: nothing to look up
        self._address: Address | None = None
        self.extra: list[Outbound] = []  # messages for other people (e.g. a shared contract)
        self.origin: Address | None = None  # the channel the event came from, if any
        self._taken: str | None = None  # the ref of the question the answer was taken for
        self._forgotten = False  # the person was deleted in this turn (bot.privacy.erasure)
        self._elsewhere = False  # the active dialog is personal, the event from a channel
        self.new_workspaces: list[tuple[str, str, OrganisationDefaults]] = []
        self.notes: dict[str, Any] = {}  # what hooks hand each other in this turn (TurnApi)

    # -- entry points ------------------------------------------------------------------

    def handle(self, event: InboundEvent) -> list[Outbound]:
        address = event.address
        if event.event_id and not self.store.first_time_seen(
            address.platform, _event_scope(address), event.event_id[:200], self.now
        ):
            return []
        if event.origin:
            self.origin = Address(address.platform, address.tenant, "", event.origin)
        elif address.thread:
            self.origin = Address(address.platform, address.tenant, "", address.conversation)
        press = self.registry.pressed(event.reply_to)
        if press is not None or address.thread or event.ambient:
            claimed = self._channel(event, press)
            if claimed is not None:
                return claimed + self.extra
            if event.ambient:
                return []  # not addressed to the coach, and no practice of ours
        person, dialog, created = self._load(event)
        self._address = address
        self._created = created
        if address.thread is not None:
            return self._in_channel(dialog, event) + self.extra
        out: list[Message] = []
        if dialog is not None and dialog.expires_at <= self.now:
            out += self.end(dialog, "expired", told=True)
            dialog = None
        elif dialog is None and not created:
            out += self._untold_endings(person)
        self._active = dialog
        if not created:
            for hook in self.registry.before_turn:
                out += hook(self)
        match = self._command(event)
        handled = self._run_command(dialog, match, event) if match is not None else None
        if handled is not None:
            out += handled
        elif event.command is not None:
            out.append(Text(self._text("common.help")))
        elif dialog is not None:
            out += self._answer(dialog, event)
        elif event.reply_to is not None:
            out.append(Notice(self._text("common.already_done")))
        elif person.onboarding_offered_at is None and person.onboarded_at is None:
            # First contact: get to know each other before anything else.
            person.onboarding_offered_at = self.now
            out += self._start(ONBOARDING_FLOW, {}, address, is_new=created)
        elif not clean_text(event.text or "") and event.value is None and event.form is None:
            out.append(Text(self._text("common.empty")))
        else:
            out += understanding.outside(self, event)
        return [Outbound(address, message, answers=self._taken) for message in out] + self.extra

    def _in_channel(self, dialog: DialogState | None, event: InboundEvent) -> list[Outbound]:
        """A message to the coach in a channel thread, where everyone reads along.

        Only what belongs to the channel is answered there: help, the commands of channel
        practices (action(in_channel=True)) and a dialog that was started in this very
        thread (an intervision intake). A personal dialog is neither continued nor shown
        nor ended as expired there: it waits in the personal chat. Anything personal (a
        flow, a personal command, a first hello) gets a pointer to the personal chat.
        """
        address = event.address
        here = dialog if dialog is not None and _started_in(dialog, address) else None
        self._active = dialog
        self._elsewhere = dialog is not None and here is None
        out: list[Message] = []
        if here is not None and here.expires_at <= self.now:
            out += self.end(here, "expired", told=True)
            here = None
        match = self._command(event)
        handled = self._channel_command(here, match, event) if match is not None else None
        if handled is not None:
            out += handled
        elif event.command is not None:
            out.append(Text(self._text("common.help")))
        elif here is not None:
            out += self._answer(here, event)
        elif event.reply_to is not None:
            out.append(Notice(self._text("common.already_done")))
        elif not clean_text(event.text or "") and event.value is None and event.form is None:
            out.append(Text(self._text("common.empty")))
        else:
            out.append(Text(self._text("channel.not_understood")))
        return [Outbound(address, message, answers=self._taken) for message in out]

    def _channel_command(self, here: DialogState | None, match: CommandMatch,
                         event: InboundEvent) -> list[Message] | None:
        """A command typed in a channel: help and the built-in dialog commands act on the
        dialog of this thread only; a channel practice's action runs; the rest is personal
        and is pointed to the personal chat."""
        command = match.command
        if command.action is not None:
            if command.action not in self.registry.channel_actions:
                return [Text(self._text("channel.in_dm"))]
            return self.registry.actions[command.action](ActionCall(self, match.arguments, here))
        if command.flow is not None:
            return [Text(self._text("channel.in_dm"))]
        return self._run_command(here, match, event)

    def _channel(self, event: InboundEvent, press: tuple[str, int] | None
                 ) -> list[Outbound] | None:
        """A practice's button goes to that practice (bot.core.registry.on_press); a message in a
        thread is offered to the practices that follow threads (thread_handler)."""
        entered: list[PersonState] = []

        def enter() -> PersonState:
            if not entered:
                person, dialog, created = self._load(event)
                self._address, self._created, self._active = event.address, created, dialog
                entered.append(person)
            return entered[0]

        if press is not None:
            return self.registry.presses[press[0]](ChannelEvent(self, event, enter), press[1])
        if not event.address.thread or event.text is None:
            return None
        for hook in self.registry.threads:
            replies = hook(ChannelEvent(self, event, enter))
            if replies is not None:
                return replies
        return None

    def anchored(self, prefix: str, item: int, thread: str) -> None:
        hook = self.registry.anchors.get(prefix)
        if hook is not None:
            hook(self.connection, item, thread)

    def resume(self, address: Address) -> list[Outbound]:
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is None:
            return []  # nobody to resume; opening a chat creates no one
        person, dialog = loaded
        self._enter(person)
        out: list[Message] = []
        if dialog is None:
            out = self._untold_endings(person)
        elif dialog.expires_at <= self.now:
            out = self.end(dialog, "expired", told=True)
        else:
            _, step = self._position(dialog)
            if step is None:
                out = self.end(dialog, "stopped", told=True)
            else:
                out = [Text(self._text("common.resume")), self._step_message(dialog, step)]
        return [Outbound(address, message) for message in out]

    def locale_of(self, address: Address) -> str:
        """The person's language; read-only, and nobody is created for a stranger."""
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is None:
            return self.settings.default_locale
        return loaded[0].locale or self.settings.default_locale

    def open_question(self, address: Address) -> Message | None:
        """The open step of the person's active dialog, as it was asked; read-only, so an
        adapter can show it again (e.g. a form as a modal) without it counting as a visit."""
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is None:
            return None
        person, dialog = loaded
        if dialog is None or dialog.expires_at <= self.now:
            return None  # an expired dialog is ended (and told) at the next real message
        self._enter(person)
        _, step = self._position(dialog)
        return self._step_message(dialog, step) if step is not None else None

    def home(self, address: Address) -> Home | None:
        """The person's overview page; read-only, and nobody is created for a stranger."""
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is None:
            return None
        self._enter(loaded[0])
        page = self.registry.home_page
        if page is None:
            raise LookupError("no practice provides the home page")
        return page(self)

    def start_for_person(
        self, person_id: int, flow_id: str, context: dict[str, Any], interrupt: bool,
        repeat: bool = False, lead: str | None = None, to: Address | None = None,
    ) -> list[Outbound]:
        loaded = self.store.by_person(person_id)
        if loaded is None:
            return []
        person, dialog = loaded
        self._enter(person)
        address = to or people.dm_address(person)
        out: list[Message] = []
        if dialog is not None and dialog.expires_at <= self.now:
            out += self.end(dialog, "expired", told=True)
            dialog = None
        if dialog is not None:
            if dialog.flow_id == flow_id and repeat:
                _, step = self._position(dialog)
                if step is not None:  # already open (a retried or taken-over delivery)
                    greeting = self._text(lead) if lead else self._greeting_again(dialog)
                    return [Outbound(address, message)
                            for message in [Text(greeting), self._step_message(dialog, step)]]
            if dialog.flow_id == flow_id or not interrupt:
                return []
            out += self._interrupt(dialog)
        if lead:
            out.append(Text(self._text(lead)))
        out += self._start(flow_id, context, address, is_new=False)
        return [Outbound(address, message) for message in out]

    def _greeting_again(self, dialog: DialogState) -> str:
        """The flow's intro for an invitation sent again, with a word on why: the first send
        may never have arrived, so the person would otherwise get a bare question."""
        flow = self._flow(dialog.flow_id)
        intro = self._text(flow.intro, **dialog.context) if flow and flow.intro else ""
        return self._text("resend.greeting", intro=intro.strip())

    def set_locale(self, address: Address, locale: str) -> None:
        person, _, _ = self._load(InboundEvent(address, locale=locale))
        person.locale = locale
        person.locale_chosen = True

    def channel_membership(self, event: InboundEvent, joined: bool) -> int:
        """Someone joined or left a channel: the practices that follow channels enrol them
        (or take them out), e.g. in the cohorts tied to it. Returns how many changed."""
        found: list[int | None] = []

        def member() -> int | None:
            if not found:
                found.append(self._member(event, joined))
            return found[0]

        change = ChannelMembership(self, event, joined, member)
        return sum(hook(change) for hook in self.registry.memberships)

    def _member(self, event: InboundEvent, joined: bool) -> int | None:
        """The id of who joined or left; someone new to the coach who joined is created with
        the platform's profile (the welcome of a cohort tells them how to leave)."""
        address = event.address
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is not None:
            return loaded[0].id
        if not joined:
            return None
        organisation = self.services.organisation_for_workspace(
            self._orm, address.platform, address.tenant)
        self.new_workspaces.append((address.platform, address.tenant, organisation))
        direct = replace(event, address=replace(address, conversation="", thread=None))
        return people.create_person(self.connection, organisation, direct, self.now).id

    def expire_due(self) -> int:
        due = self.store.due_for_expiry(self.now)
        for dialog in due:
            loaded = self.store.by_person(dialog.person_id)
            if loaded is not None:
                self._enter(loaded[0])
                self.end(dialog, "expired", told=False)
        return len(due)

    def save(self) -> None:
        """Write what this turn changed; called just before the transaction commits."""
        if self._session is not None:
            self._session.flush()
            self._session.close()
        if self._forgotten:
            return  # whatever this turn changed of theirs went with them
        self._save_dialogs()
        person = self._person
        if person is None:
            return
        now, before = _snapshot(person), self._person_before
        assert before is not None  # taken with the person (_enter)
        if now == before:
            return
        if now.person != before.person:
            self.store.save_person(person)
            if now.schedule != before.schedule:
                self.services.reschedule(self.store.connection, person, self.now)
        if now.account != before.account:
            self.store.touch_identity(person)

    # -- what hooks may use (bot.core.registry.TurnApi) ------------------------------------------

    def forget(self) -> None:
        self._forgotten = True
        self._touched.clear()

    @property
    def person(self) -> PersonState:
        return self._me()

    def text(self, key: str, **variables: Any) -> str:
        return self._text(key, **variables)

    def local_today(self) -> date:
        return self._local_today(self._me())

    def start(self, flow_id: str, context: dict[str, Any] | None = None) -> list[Message]:
        out: list[Message] = []
        if self._active is not None and self._active.status == "active":
            if self._elsewhere:  # a personal dialog, from a channel: ended without a word
                self.end(self._active, "interrupted", told=True)
            else:
                out += self._interrupt(self._active)
        address = self._address or people.dm_address(self._me())
        return out + self._start(flow_id, dict(context or {}), address, is_new=self._created)

    def start_for(
        self, person_id: int, flow_id: str, context: dict[str, Any] | None = None
    ) -> list[Outbound]:
        if person_id == self._me().id:
            raise ValueError("start_for is for someone else; use start")
        self._save_dialogs()
        other = Turn(self.services, self.store, self.now)
        sent = other.start_for_person(person_id, flow_id, dict(context or {}), interrupt=False)
        other.save()
        self.extra += sent
        return sent

    def tell_group(self, person_ids: list[int], key: str, **variables: Any) -> list[Outbound]:
        """One text to several people in one conversation; nothing when they are not all
        on the same platform and workspace (each has their own message then)."""
        loaded = [self.store.by_person(person_id) for person_id in person_ids]
        members = [found[0] for found in loaded if found is not None]
        if len(members) < 2 or len(members) != len(person_ids):
            return []
        first = members[0]
        if any((m.platform, m.tenant) != (first.platform, first.tenant) for m in members):
            return []
        names = [m.display_name.split(" ")[0] or f"#{m.id}" for m in members]
        text = self.prompts.render(key, first.locale, **{**variables, "names": names})
        address = Address(first.platform, first.tenant, first.external_id, "",
                          members=tuple(m.external_id for m in members))
        return [Outbound(address, Text(text))]

    def post(self, address: Address, message: Message, anchor: str | None = None) -> None:
        """A message for a channel (or a thread in it), sent after the commit."""
        self.extra.append(Outbound(address, message, anchor))

    def tell(self, person_id: int, key: str, *, to: Address | None = None,
             **variables: Any) -> list[Outbound]:
        loaded = self.store.by_person(person_id)
        if loaded is None:
            return []
        other = loaded[0]
        locale = other.locale
        name = other.display_name.split(" ")[0]
        text = self.prompts.render(key, locale, **{"name": name, **variables})
        sent = [Outbound(to or people.dm_address(other), Text(text))]
        self.extra += sent
        return sent

    def _orm(self) -> Session:
        """An ORM session on the turn's own transaction, for the rare paths that need one."""
        if self._session is None:
            self._session = Session(bind=self.store.connection)
        return self._session

    # -- loading -----------------------------------------------------------------------

    def _load(self, event: InboundEvent) -> tuple[PersonState, DialogState | None, bool]:
        address = event.address
        loaded = self.store.by_account(address.platform, address.tenant, address.person)
        if loaded is None:
            organisation = self.services.organisation_for_workspace(
                self._orm, address.platform, address.tenant
            )
            self.new_workspaces.append((address.platform, address.tenant, organisation))
            person = people.create_person(self.store.connection, organisation, event, self.now)
            self._enter(person, organisation)
            return person, None, True
        person, dialog = loaded
        self._enter(person)
        if address.thread is None and person.conversation != address.conversation:
            person.conversation = address.conversation
        if self.now - person.last_seen_at > LAST_SEEN_RESOLUTION:
            person.last_seen_at = self.now
        if event.display_name:
            person.display_name = clean_text(event.display_name)[:200]
        return person, dialog, False

    def _enter(self, person: PersonState, organisation: OrganisationDefaults | None = None) -> None:
        self._person = person
        self._person_before = _snapshot(person)
        organisation = organisation or self.services.organisation(
            self._orm, person.organisation_id
        )
        self.prompts = self.services.prompts_for(organisation)

    def _me(self) -> PersonState:
        assert self._person is not None, "a turn's person is loaded first"
        return self._person

    def _touch(self, dialog: DialogState) -> None:
        self._touched[dialog.id] = dialog

    def _save_dialogs(self) -> None:
        for dialog in self._touched.values():
            self.store.save_dialog(dialog)
        self._touched.clear()

    # -- texts -------------------------------------------------------------------------

    @property
    def locale(self) -> str:
        return self._person.locale if self._person is not None else self.settings.default_locale

    def _variables(self) -> dict[str, Any]:
        name = self._person.display_name.split(" ")[0] if self._person else ""
        return {"name": name}

    def _text(self, key: str, **variables: Any) -> str:
        return self.prompts.render(key, self.locale, **{**self._variables(), **variables})

    def _renderer(self, dialog: DialogState | None = None) -> StepRenderer:
        """Renders steps; their texts see the dialog's context (the person's name wins)."""
        locale = self.locale
        context = dict(dialog.context) if dialog is not None else {}
        return StepRenderer(
            render=lambda key, **v: self.prompts.render(key, locale, **v),
            variables={**context, **self._variables()},
            sources=self.registry.choice_sources,
        )

    def _command(self, event: InboundEvent) -> CommandMatch | None:
        if event.command is not None:
            word = clean_text(event.command)
            named = self.prompts.command(word)
            return CommandMatch(named) if named else self.prompts.command_for(word)
        if event.reply_to == understanding.NEXT_REF and event.value is not None:
            value = clean_text(event.value)  # a button offered outside a conversation
            named = self.prompts.command(value)
            return CommandMatch(named) if named else self.prompts.command_for(value)
        if event.text is not None and event.value is None and event.form is None:
            text = clean_text(event.text)
            return self.prompts.command_for(text) or understanding.command_guess(self.prompts, text)
        return None

    def _local_today(self, person: PersonState) -> date:
        try:
            zone = ZoneInfo(person.timezone)
        except (KeyError, ValueError):
            zone = ZoneInfo(self.settings.default_timezone)
        return self.now.astimezone(zone).date()

    def _timeout(self, flow: Flow | None) -> timedelta:
        minutes = (flow.expires_after_minutes if flow else None) or (
            self.settings.dialog_timeout_minutes
        )
        return timedelta(minutes=minutes)

    def _flow(self, flow_id: str) -> Flow | None:
        try:
            return self.prompts.flow(flow_id)
        except PromptError:
            return None

    def _position(self, dialog: DialogState) -> tuple[Flow | None, Step | None]:
        """The dialog's flow and open step; None where an organisation's change of its
        prompts removed them (the dialog is then closed with its answers kept)."""
        flow = self._flow(dialog.flow_id)
        if flow is None or dialog.step_id is None:
            return flow, None
        try:
            return flow, flow.step(dialog.step_id)
        except FlowError:
            return flow, None

    def _flow_title(self, flow: Flow | None) -> str:
        return self._text(flow.title) if flow and flow.title else ""

    def _flow_names(self, flow: Flow | None) -> dict[str, str]:
        """The flow's title, and the phrase that names it inside a sentence ("We zijn bezig
        met {{ flow_phrase }}"): its own, or the title with a possessive."""
        title = self._flow_title(flow)
        if flow is not None and flow.phrase:
            phrase = self._text(flow.phrase)
        else:
            phrase = self._text("common.flow_phrase", title=title) if title else ""
        return {"flow_title": title, "flow_phrase": phrase}

    # -- commands ----------------------------------------------------------------------

    def _run_command(
        self, dialog: DialogState | None, match: CommandMatch, event: InboundEvent
    ) -> list[Message] | None:
        """The reply to a command; None when an action declines (the message is then an
        answer to the open question, or not understood)."""
        command = match.command
        if command.action is not None:
            return self.registry.actions[command.action](ActionCall(self, match.arguments, dialog))
        if command.flow is not None:
            return self._start_by_command(dialog, command.flow, event.address)
        if command.name == "help":
            return self._help(dialog)
        if dialog is None:
            key = {"stop": "nothing_to_stop", "skip": "nothing_to_skip"}.get(
                command.name, "nothing_to_snooze"
            )
            return [Text(self._text(f"common.{key}"))]
        if command.name == "stop":
            return [*self.end(dialog, "stopped", told=True), Text(self._text("common.stopped"))]
        if command.name == "skip":
            return self._skip(dialog)
        return self._snooze(dialog)

    def _start_by_command(
        self, dialog: DialogState | None, flow_id: str, address: Address
    ) -> list[Message]:
        if dialog is not None and dialog.flow_id == flow_id:
            flow, step = self._position(dialog)
            if step is not None:
                return [
                    Text(self._text("common.already_in_flow", **self._flow_names(flow))),
                    self._step_message(dialog, step),
                ]
        out = self._interrupt(dialog) if dialog is not None else []
        return out + self._start(flow_id, {}, address, is_new=self._created)

    def _help(self, dialog: DialogState | None) -> list[Message]:
        flow, step = self._position(dialog) if dialog else (None, None)
        if dialog is None or flow is None or step is None:
            return [Text(self._text("common.help"))]
        number, total = position(flow, step.id, dialog.answers, dialog.context)
        text = self._text(
            "common.help_in_dialog",
            **self._flow_names(flow),
            position=number,
            total=total,
            hint=self._step_hint(step, dialog),
        )
        return [Text(text), self._step_message(dialog, step)]

    def _step_hint(self, step: Step, dialog: DialogState) -> str:
        if step.hint:
            context = {**dialog.context, **self._variables(), "current": self._current(step)}
            return self._text(step.hint, **context)
        kind_hint = _KIND_HINTS.get(step.kind)
        if kind_hint is None:
            return ""
        return self._text(kind_hint, minimum=step.minimum, maximum=step.maximum)

    def _skip(self, dialog: DialogState) -> list[Message]:
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return self.end(dialog, "stopped", told=True)
        if step.required:
            return [Text(self._text("common.cannot_skip")), self._step_message(dialog, step)]
        return self._advance(dialog, flow, step, None)

    def _snooze(self, dialog: DialogState) -> list[Message]:
        minutes = self.settings.snooze_minutes
        snoozed_until = self.now + timedelta(minutes=minutes)
        dialog.snoozed_until = snoozed_until
        dialog.expires_at = max(
            dialog.expires_at, snoozed_until + self._timeout(self._flow(dialog.flow_id))
        )
        dialog.updated_at = self.now
        self._touch(dialog)
        return [Text(self._text("common.snoozed", minutes=minutes))]

    # -- dialogs -----------------------------------------------------------------------

    def _start(
        self, flow_id: str, context: dict[str, Any], address: Address, is_new: bool
    ) -> list[Message]:
        person = self._me()
        flow = self._flow(flow_id)
        if flow is None:
            return [Text(self._text("common.help"))]
        local_date = self._local_today(person)
        for starter in self.registry.starters.get(flow_id, ()):
            context = {**starter(Start(self, local_date, is_new, context)), **context}
        first = first_step(flow, {}, context)
        dialog = DialogState(
            person_id=person.id,
            flow_id=flow_id,
            local_date=local_date,
            started_at=self.now,
            updated_at=self.now,
            expires_at=self.now + self._timeout(flow),
            step_id=first,
            context=context,
            address=asdict(address),
        )
        first = dialog.step_id = self._settle(dialog, flow, first)
        self._save_dialogs()  # an ended dialog must stop being active before a new one is
        self.store.insert_dialog(dialog)
        out: list[Message] = []
        if flow.intro:
            out.append(Text(self._text(flow.intro, **context)))
        if first is None:
            return out + self._complete(dialog, flow)
        return [*out, self._step_message(dialog, flow.step(first))]

    def _current(self, step: Step) -> str:
        if step.applies and self._person is not None:
            return current_value(self._person, step.applies, self.prompts, self.locale)
        return ""

    def _step_message(
        self, dialog: DialogState, step: Step, rejected: Rejected | None = None
    ) -> Message:
        if step.ask:
            return self._follow_up_message(dialog, step)
        selected: tuple[str, ...] = ()
        if step.applies and self._person is not None:
            selected = selected_values(self._person, step.applies)
        return self._renderer(dialog).message(
            step,
            step_ref(dialog.id, step.id),
            self._query(dialog),
            selected=selected,
            current=self._current(step),
            rejected=rejected,
            max_chars=self.settings.max_answer_chars,
        )

    def _settle(self, dialog: DialogState, flow: Flow, step_id: str | None) -> str | None:
        """The step to ask from `step_id` on: a follow-up step (`ask`) has its question
        written now from the answers so far and kept in the context, or is passed by when
        its practice has nothing to ask."""
        while step_id is not None:
            step = flow.step(step_id)
            if not step.ask:
                return step_id
            follow_up = self.registry.follow_ups[step.ask](FollowUpQuery(self, dialog))
            if follow_up is not None:
                asked = dict(dialog.context.get(FOLLOW_UPS, {}))
                asked[step.id] = {"key": follow_up.key, "rule": follow_up.rule,
                                  "variables": dict(follow_up.variables)}
                dialog.context = {**dialog.context, FOLLOW_UPS: asked}
                return step_id
            step_id = next_step(flow, step, None, dialog.answers, dialog.context)
        return None

    def _follow_up_message(self, dialog: DialogState, step: Step) -> Message:
        """A follow-up as it was written when the dialog reached it, with a skip button."""
        asked = dialog.context.get(FOLLOW_UPS, {}).get(step.id)
        text = (self._text(asked["key"], **asked["variables"]) if asked
                else self._text(step.prompt, **dialog.context))
        return Question(
            text=text,
            ref=step_ref(dialog.id, step.id),
            choices=(Choice(SKIP_VALUE, self._text("common.skip_button")),),
            hint=self._text(step.hint, **dialog.context) if step.hint else None,
        )

    def _answer(self, dialog: DialogState, event: InboundEvent) -> list[Message]:
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return [*self.end(dialog, "stopped", told=True), Text(self._text("common.help"))]
        if event.reply_to is not None and event.reply_to != step_ref(dialog.id, step.id):
            return [Notice(self._text("common.stale")), self._step_message(dialog, step)]
        pressed = event.value if event.text is None else clean_text(event.text).rstrip(".)")
        if step.ask and pressed in (SKIP_VALUE, "1"):
            return self._skip(dialog)  # the skip button under a follow-up (or its number)
        reply = Reply(
            text=clean_text(event.text) if event.text is not None else None,
            value=clean_text(event.value) if event.value is not None else None,
            values=tuple(clean_text(v) for v in event.values) if event.values else None,
            form=event.form,
        )
        typed = reply.text if reply.value is None and reply.values is None and reply.form is None \
            else None
        pending = understanding.take_proposal(self, dialog, step)
        if pending is not None:
            verdict = understanding.verdict(reply, self.locale)
            if verdict is True:
                return self._accept(dialog, flow, step, pending["value"], reply)
            if verdict is False:
                return [Text(self._text("interpretation.proposal_declined")),
                        self._step_message(dialog, step)]
        options = self._renderer(dialog).options(step, self._query(dialog))
        intent = understanding.intent_at(step, read_intent(typed, self.locale) if typed else None)
        if intent is not None and step.kind == "text" and not step.validate:
            return understanding.on_intent(self, dialog, flow, step, intent)
        result = parse_answer(step, reply, options, self.settings.max_answer_chars, self.locale)
        if intent is not None and _open_to(intent, result):
            return understanding.on_intent(self, dialog, flow, step, intent)
        if isinstance(result, Proposal):
            return [understanding.propose(self, dialog, step, result)]
        if isinstance(result, Rejected):
            out: list[Message] = [Text(self._text(result.key, **result.variables))]
            if step.kind != "text":
                out.append(self._step_message(dialog, step, result))
            return out
        return self._accept(dialog, flow, step, result, reply)

    def _accept(self, dialog: DialogState, flow: Flow, step: Step, result: Any,
                reply: Reply) -> list[Message]:
        """Take `result` as the step's answer (after its one round of review, if any)."""
        if step.review:
            reviewed = self._review(dialog, step, result, reply)
            if isinstance(reviewed, Text):
                return [reviewed]
            result = reviewed
        self._taken = step_ref(dialog.id, step.id)
        return self._advance(dialog, flow, step, result)

    def _review(self, dialog: DialogState, step: Step, answer: Any, reply: Reply) -> Any:
        """One round of feedback at most: the first answer may get a review (kept as a
        draft, the question stays open); the next is accepted, and 'ok' keeps the draft."""
        drafts: dict[str, Any] = dict(dialog.context.get("drafts", {}))
        if step.id in drafts:
            if isinstance(reply.text, str) and parse_confirm(reply) is True:
                return drafts[step.id]
            return answer
        assert step.review is not None
        review = self.registry.reviewers[step.review](answer, dialog.answers, dialog.context)
        if review is None:
            return answer
        dialog.context = {**dialog.context, "drafts": {**drafts, step.id: answer}}
        dialog.updated_at = self.now
        self._touch(dialog)
        return Text(self._text(review.key, **review.variables))

    def _query(self, dialog: DialogState) -> ChoiceQuery:
        return ChoiceQuery(
            connection=self.store.connection,
            organisation_id=self._me().organisation_id,
            locale=self.locale,
            context=dialog.context,
        )

    def _advance(self, dialog: DialogState, flow: Flow, step: Step, answer: Any) -> list[Message]:
        answers = dict(dialog.answers)
        if answer is not None:
            answers[step.id] = answer
            if step.applies:
                apply_setting(self._me(), step.applies, answer)
        dialog.answers = answers
        dialog.updated_at = self.now
        dialog.snoozed_until = None
        dialog.expires_at = self.now + self._timeout(flow)
        following = next_step(flow, step, answer, answers, dialog.context)
        following = dialog.step_id = self._settle(dialog, flow, following)
        self._touch(dialog)
        if following is None:
            return self._complete(dialog, flow)
        return [self._step_message(dialog, flow.step(following))]

    def _complete(self, dialog: DialogState, flow: Flow) -> list[Message]:
        person = self._me()
        dialog.status = "completed"
        dialog.ended_at = self.now
        dialog.step_id = None
        self._touch(dialog)
        variables: dict[str, Any] = {}
        if flow.on_complete:
            complete = self.registry.completions[flow.on_complete]
            variables = complete(Completion(self, dialog, partial=False))
        out: list[Message] = []
        if flow.outro:
            out.append(Text(self._text(flow.outro, **variables)))
        if flow.then and variables.get("then", True):
            # The next flow right away (the peer review leads to next week's plan); its
            # dialog is opened in this same turn, so nothing else can come in between.
            address = self._address or people.dm_address(person)
            return out + self._start(flow.then, {}, address, is_new=False)
        if (
            flow.id != ONBOARDING_FLOW
            and person.onboarded_at is None
            and person.onboarding_offered_at is None
        ):
            person.onboarding_offered_at = self.now
            out.append(Text(self._text("common.offer_onboarding")))
        return out

    def _interrupt(self, dialog: DialogState) -> list[Message]:
        flow = self._flow(dialog.flow_id)
        self.end(dialog, "interrupted", told=True)
        return [Text(self._text("common.interrupted", **self._flow_names(flow)))]

    def end(self, dialog: DialogState, status: str, *, told: bool) -> list[Message]:
        """Close a dialog that did not finish; keep its answers (and, where the flow asks
        for it, its partial record). Returns the notice for the person if `told`."""
        flow = self._flow(dialog.flow_id)
        dialog.status = status
        dialog.ended_at = self.now
        dialog.end_noticed = told
        self._touch(dialog)
        if flow and flow.keep_partial and flow.on_complete and dialog.answers:
            self.registry.completions[flow.on_complete](Completion(self, dialog, partial=True))
        if status != "expired" or not told or not dialog.answers:
            return []  # nothing was written, so nothing was kept to tell about
        return [self._expiry_notice(dialog, flow)]

    def _expiry_notice(self, dialog: DialogState, flow: Flow | None) -> Message:
        text = self._text(
            "common.expired", **self._flow_names(flow), date=dialog.local_date
        )
        return Notice(text, level="warning")

    def _untold_endings(self, person: PersonState) -> list[Message]:
        """At most one notice for the dialogs that expired while the person was away: the
        latest one in which they wrote something. One left untouched (a nudge nobody
        answered, such as a passive partner's peer review and its check a few days later)
        held nothing to keep, so it is passed over silently."""
        endings = self.store.untold_endings(person.id)
        for dialog in endings:
            dialog.end_noticed = True
            self._touch(dialog)
        written = [dialog for dialog in endings if dialog.answers]
        if not written:
            return []
        latest = max(written, key=lambda dialog: (dialog.ended_at or self.now, dialog.id))
        return [self._expiry_notice(latest, self._flow(latest.flow_id))]


def _open_to(intent: str, result: Any) -> bool:
    """Whether an intent beats the reading of the same reply: always a refusal, a proposal
    too, except a vague time ('na de lunch' is a time to propose, not a postponement)."""
    if isinstance(result, Rejected):
        return True
    return isinstance(result, Proposal) and not (result.vague and intent == "postpone")


def _started_in(dialog: DialogState, address: Address) -> bool:
    """Whether `dialog` was started in the channel thread `address` is in."""
    started = dialog.address or {}
    return (started.get("conversation") == address.conversation
            and started.get("thread") == address.thread)


def _event_scope(address: Address) -> str:
    """The conversation an event id is unique in. Teams numbers activities per conversation
    (millisecond timestamps), so one id in two chats is two events; for a platform whose ids
    are global (Slack's event ids) the extra key part changes nothing, since a retry comes
    from the same conversation. A conversation id longer than the column is kept as its
    digest."""
    conversation = address.conversation
    if len(conversation) <= EVENT_SCOPE_CHARS:
        return conversation
    return "sha256:" + hashlib.sha256(conversation.encode()).hexdigest()


class _Snapshot(NamedTuple):
    """What `save` compares, by name: the person's updatable fields, the account's two, and
    the fields that decide when the person is due (see bot.due)."""

    person: tuple[Any, ...]
    account: tuple[Any, ...]
    schedule: tuple[Any, ...]


_PERSON_UPDATABLE_VALUES = attrgetter(*PERSON_UPDATABLE)
_ACCOUNT_VALUES = attrgetter("conversation", "last_seen_at")
_SCHEDULE_VALUES = attrgetter("timezone", "workdays", "diary_time", "status", "paused_until")


def _snapshot(person: PersonState) -> _Snapshot:
    return _Snapshot(_PERSON_UPDATABLE_VALUES(person), _ACCOUNT_VALUES(person),
                     _SCHEDULE_VALUES(person))
