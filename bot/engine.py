"""The conversation engine: one inbound event in, the coach's replies out.

Every turn runs in one database transaction: the person is found (and on PostgreSQL their
row locked, on SQLite the write lock taken), the answer is validated and stored with the
dialog's new position, and only after the commit are the replies handed back to the adapter
to send. Two messages of one person are therefore applied one after the other; different
people never wait on each other's rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot import people
from bot.answers import Rejected, Reply, parse_answer
from bot.choice_sources import CHOICE_SOURCES
from bot.dialogs import StepRenderer, first_step, next_step, position, step_ref
from bot.flow_hooks import HANDLERS, STARTERS, Completion, Start
from bot.flows import Flow, FlowError, Step
from bot.messages import Address, InboundEvent, Message, Notice, Outbound, Text
from bot.person_settings import APPLIERS, apply_setting, current_value, selected_values
from bot.prompts import BUILTIN_DIR, LOCALES, Command, PromptError, PromptLibrary
from bot.settings import Settings
from bot.storage.database import transaction
from bot.storage.models import Dialog, Organisation, Person, ProcessedEvent
from bot.text_input import clean_text
from bot.validators import VALIDATORS

log = logging.getLogger("leercoach.engine")

TURN_ATTEMPTS = 4
ORGANISATION_CACHE_SECONDS = 60.0
ONBOARDING_FLOW = "onboarding"
ACTIVE = "active"


def check_references(prompts: PromptLibrary) -> None:
    """Every validator, choice source, setting and handler a flow names exists in code."""
    for flow_id in prompts.flow_ids:
        flow = prompts.flow(flow_id)
        if flow.on_complete and flow.on_complete not in HANDLERS:
            raise PromptError(f"flow {flow_id}: unknown on_complete {flow.on_complete!r}")
        for step in flow.steps:
            if step.validate and step.validate not in VALIDATORS:
                raise PromptError(f"flow {flow_id}: unknown validator {step.validate!r}")
            if step.choices_from and step.choices_from not in CHOICE_SOURCES:
                raise PromptError(f"flow {flow_id}: unknown choices_from {step.choices_from!r}")
            if step.applies and step.applies not in APPLIERS:
                raise PromptError(f"flow {flow_id}: unknown setting {step.applies!r}")


class Engine:
    """Handles inbound events and starts flows; adapters and the scheduler call it."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.prompts = prompts or PromptLibrary.with_override(settings.prompts_dir)
        check_references(self.prompts)
        bind = sessions.kw.get("bind")
        self.lock_rows = bind is not None and bind.dialect.name != "sqlite"
        self._organisation_prompts: dict[int, tuple[float, PromptLibrary]] = {}
        self._folder_prompts: dict[str, PromptLibrary] = {}

    # -- public API --------------------------------------------------------------------

    def handle(self, event: InboundEvent) -> list[Outbound]:
        """The replies to `event`, returned only after its effects are committed."""
        now = event.received_at or self.clock()
        return self._run(
            lambda session: _Turn(self, session, now, event.address).handle(event),
            event.address,
            event.locale,
        )

    def resume(self, address: Address) -> list[Outbound]:
        """The open question of the person at `address`, to show after a restart."""
        now = self.clock()
        return self._run(
            lambda session: _Turn(self, session, now, address).resume(), address, None
        )

    def start_flow(
        self,
        person_id: int,
        flow_id: str,
        *,
        context: dict[str, Any] | None = None,
        interrupt: bool = False,
    ) -> list[Outbound]:
        """Start `flow_id` for a person in their DM (the scheduler's nudge).

        Returns nothing when the person is unknown, has no platform account, or is busy
        with another dialog and `interrupt` is not set; the scheduler can try again later.
        """
        self.prompts.flow(flow_id)
        now = self.clock()

        def work(session: Session) -> list[Outbound]:
            person = session.get(Person, person_id, with_for_update=self.lock_rows)
            identity = people.reachable_identity(session, person_id) if person else None
            if person is None or identity is None:
                return []
            address = people.address_of(identity)
            return _Turn(self, session, now, address).start_for(
                person, flow_id, context or {}, interrupt
            )

        return self._run(work, None, None)

    def set_locale(self, address: Address, locale: str) -> None:
        """Remember the language a person asked for (e.g. `leercoach chat --locale en`)."""
        if locale not in LOCALES:
            raise ValueError(f"locale must be one of {', '.join(LOCALES)}")
        now = self.clock()
        event = InboundEvent(address=address, locale=locale)

        def work(session: Session) -> list[Outbound]:
            resolved = people.resolve(session, self.settings, event, now, self.lock_rows)
            resolved.person.locale = locale
            return []

        self._run(work, address, locale)

    def expire_dialogs(self, now: datetime | None = None) -> int:
        """End every dialog past its expiry, keeping partial answers; the person is told
        at their next message. Returns how many ended."""
        moment = now or self.clock()

        def work(session: Session) -> int:
            due = session.scalars(
                select(Dialog).where(Dialog.status == ACTIVE, Dialog.expires_at <= moment)
            ).all()
            for dialog in due:
                person = session.get(Person, dialog.person_id)
                if person is not None:
                    _Turn(self, session, moment, None).end(person, dialog, "expired", told=False)
            return len(due)

        with transaction(self.sessions) as session:
            return work(session)

    # -- internals ---------------------------------------------------------------------

    def prompts_for(self, session: Session, organisation_id: int) -> PromptLibrary:
        """The organisation's prompts (its override folder over ours), cached briefly."""
        cached = self._organisation_prompts.get(organisation_id)
        stamp = self.clock().timestamp()
        if cached and stamp - cached[0] < ORGANISATION_CACHE_SECONDS:
            return cached[1]
        folder = session.scalar(
            select(Organisation.prompts_dir).where(Organisation.id == organisation_id)
        )
        library = self.prompts
        if folder:
            library = self._folder_prompts.get(folder) or self._load_folder(folder)
        self._organisation_prompts[organisation_id] = (stamp, library)
        return library

    def _load_folder(self, folder: str) -> PromptLibrary:
        try:
            library = PromptLibrary([*self._base_folders(), Path(folder)])
            check_references(library)
        except PromptError:
            log.exception("organisation prompts folder %s is unusable; using defaults", folder)
            library = self.prompts
        self._folder_prompts[folder] = library
        return library

    def _base_folders(self) -> list[Path]:
        folders = [BUILTIN_DIR]
        if self.settings.prompts_dir is not None:
            folders.append(self.settings.prompts_dir)
        return folders

    def _run(
        self, work: Callable[[Session], Any], address: Address | None, locale: str | None
    ) -> Any:
        for attempt in range(1, TURN_ATTEMPTS + 1):
            try:
                with transaction(self.sessions) as session:
                    return work(session)
            except (IntegrityError, StaleDataError, OperationalError) as exc:
                # A concurrent turn of the same person, a race to create them, or a busy
                # database: the transaction rolled back, so trying again is safe.
                log.info("turn conflict (attempt %d): %s", attempt, type(exc).__name__)
                if attempt == TURN_ATTEMPTS:
                    break
            except Exception:
                log.exception("turn failed")
                break
        if address is None:
            return []
        text = self.prompts.render("common.failure", locale or self.settings.default_locale)
        return [Outbound(address, Text(text))]


class _Turn:
    """One unit of work inside one transaction."""

    def __init__(
        self, engine: Engine, session: Session, now: datetime, address: Address | None
    ) -> None:
        self.engine = engine
        self.session = session
        self.now = now
        self.address = address
        self.settings = engine.settings
        self.prompts = engine.prompts
        self.person: Person | None = None

    # -- entry points ------------------------------------------------------------------

    def handle(self, event: InboundEvent) -> list[Outbound]:
        if event.event_id and self._already_processed(event):
            return []
        resolved = people.resolve(
            self.session, self.settings, event, self.now, self.engine.lock_rows
        )
        person = self._enter(resolved.person)
        dialog = self._active_dialog(person)
        out: list[Message] = []
        if dialog is not None and dialog.expires_at <= self.now:
            out += self.end(person, dialog, "expired", told=True)
            dialog = None
        elif dialog is None and not resolved.created:
            out += self._untold_endings(person)
        command = self._command(event)
        if command is not None:
            out += self._run_command(person, dialog, command)
        elif event.command is not None:
            out.append(Text(self._text("common.help")))
        elif dialog is not None:
            out += self._answer(person, dialog, event)
        elif resolved.created:
            out += self._start(person, ONBOARDING_FLOW, {})
        elif not (event.text or "").strip() and event.value is None and event.form is None:
            out.append(Text(self._text("common.empty")))
        else:
            out.append(Text(self._text("common.not_understood")))
        return self._to(event.address, out)

    def resume(self) -> list[Outbound]:
        assert self.address is not None
        resolved = people.resolve(
            self.session, self.settings, InboundEvent(self.address), self.now,
            self.engine.lock_rows,
        )
        person = self._enter(resolved.person)
        dialog = self._active_dialog(person)
        if dialog is None:
            return self._to(self.address, self._untold_endings(person))
        if dialog.expires_at <= self.now:
            return self._to(self.address, self.end(person, dialog, "expired", told=True))
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return self._to(self.address, self.end(person, dialog, "stopped", told=True))
        return self._to(
            self.address, [Text(self._text("common.resume")), self._step_message(dialog, step)]
        )

    def start_for(
        self, person: Person, flow_id: str, context: dict[str, Any], interrupt: bool
    ) -> list[Outbound]:
        assert self.address is not None
        person = self._enter(person)
        dialog = self._active_dialog(person)
        out: list[Message] = []
        if dialog is not None and dialog.expires_at <= self.now:
            out += self.end(person, dialog, "expired", told=True)
            dialog = None
        if dialog is not None:
            if dialog.flow_id == flow_id or not interrupt:
                return []
            out += self._interrupt(person, dialog)
        out += self._start(person, flow_id, context)
        return self._to(self.address, out)

    # -- helpers -----------------------------------------------------------------------

    def _enter(self, person: Person) -> Person:
        self.person = person
        self.prompts = self.engine.prompts_for(self.session, person.organisation_id)
        return person

    @property
    def locale(self) -> str:
        return self.person.locale if self.person is not None else self.settings.default_locale

    def _variables(self) -> dict[str, Any]:
        name = self.person.display_name.split(" ")[0] if self.person else ""
        return {"name": name}

    def _text(self, key: str, **variables: Any) -> str:
        return self.prompts.render(key, self.locale, **{**self._variables(), **variables})

    def _renderer(self) -> StepRenderer:
        return StepRenderer(
            render=lambda key, **v: self.prompts.render(key, self.locale, **v),
            variables=self._variables(),
        )

    @staticmethod
    def _to(address: Address, messages: list[Message]) -> list[Outbound]:
        return [Outbound(address, message) for message in messages]

    def _already_processed(self, event: InboundEvent) -> bool:
        assert event.event_id is not None
        key = (event.address.platform, event.event_id[:200])
        if self.session.get(ProcessedEvent, key) is not None:
            return True
        self.session.add(ProcessedEvent(platform=key[0], event_id=key[1], received_at=self.now))
        self.session.flush()
        return False

    def _active_dialog(self, person: Person) -> Dialog | None:
        return self.session.scalar(
            select(Dialog).where(Dialog.person_id == person.id, Dialog.status == ACTIVE)
        )

    def _command(self, event: InboundEvent) -> Command | None:
        if event.command is not None:
            word = clean_text(event.command)
            return self.prompts.command(word) or self.prompts.command_for(word)
        if event.text is not None and event.value is None and event.form is None:
            return self.prompts.command_for(clean_text(event.text))
        return None

    def _local_today(self, person: Person) -> date:
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

    def _position(self, dialog: Dialog) -> tuple[Flow | None, Step | None]:
        flow = self._flow(dialog.flow_id)
        if flow is None or dialog.step_id is None:
            return flow, None
        try:
            return flow, flow.step(dialog.step_id)
        except FlowError:
            return flow, None

    def _flow_title(self, flow: Flow | None) -> str:
        return self._text(flow.title) if flow and flow.title else ""

    # -- commands ----------------------------------------------------------------------

    def _run_command(self, person: Person, dialog: Dialog | None, command: Command) -> list[Message]:
        if command.flow is not None:
            if dialog is not None and dialog.flow_id == command.flow:
                flow, step = self._position(dialog)
                if step is not None:
                    title = self._flow_title(flow)
                    return [
                        Text(self._text("common.already_in_flow", flow_title=title)),
                        self._step_message(dialog, step),
                    ]
            out = self._interrupt(person, dialog) if dialog is not None else []
            return out + self._start(person, command.flow, {})
        if command.name == "help":
            return self._help(dialog)
        if dialog is None:
            key = {"stop": "nothing_to_stop", "skip": "nothing_to_skip"}.get(
                command.name, "nothing_to_snooze"
            )
            return [Text(self._text(f"common.{key}"))]
        if command.name == "stop":
            return self.end(person, dialog, "stopped", told=True) + [
                Text(self._text("common.stopped"))
            ]
        if command.name == "skip":
            return self._skip(person, dialog)
        return self._snooze(dialog)

    def _help(self, dialog: Dialog | None) -> list[Message]:
        if dialog is None:
            return [Text(self._text("common.help"))]
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return [Text(self._text("common.help"))]
        number, total = position(flow, step.id)
        hint = self._step_hint(dialog, step)
        text = self._text(
            "common.help_in_dialog",
            flow_title=self._flow_title(flow),
            position=number,
            total=total,
            hint=hint,
        )
        return [Text(text), self._step_message(dialog, step)]

    def _step_hint(self, dialog: Dialog, step: Step) -> str:
        if step.hint:
            return self._text(step.hint, current=self._current(step))
        kind_hint = {
            "scale": "common.scale_hint",
            "single": "common.choices_hint",
            "multiple": "common.multiple_hint",
            "confirm": "common.confirm_hint",
        }.get(step.kind)
        if kind_hint is None:
            return ""
        return self._text(kind_hint, minimum=step.minimum, maximum=step.maximum)

    def _skip(self, person: Person, dialog: Dialog) -> list[Message]:
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return self.end(person, dialog, "stopped", told=True)
        if step.required:
            return [Text(self._text("common.cannot_skip")), self._step_message(dialog, step)]
        return self._advance(person, dialog, flow, step, None)

    def _snooze(self, dialog: Dialog) -> list[Message]:
        minutes = self.settings.snooze_minutes
        dialog.snoozed_until = self.now + timedelta(minutes=minutes)
        flow = self._flow(dialog.flow_id)
        dialog.expires_at = max(dialog.expires_at, dialog.snoozed_until + self._timeout(flow))
        dialog.updated_at = self.now
        return [Text(self._text("common.snoozed", minutes=minutes))]

    # -- dialogs -----------------------------------------------------------------------

    def _start(self, person: Person, flow_id: str, context: dict[str, Any]) -> list[Message]:
        flow = self._flow(flow_id)
        if flow is None:
            return [Text(self._text("common.help"))]
        local_date = self._local_today(person)
        starter = STARTERS.get(flow_id)
        if starter is not None:
            context = {**starter(Start(self.session, person, local_date)), **context}
        first = first_step(flow, {}, context)
        dialog = Dialog(
            person_id=person.id,
            flow_id=flow_id,
            status=ACTIVE,
            step_id=first,
            answers={},
            context=context,
            address=asdict(self.address) if self.address else {},
            local_date=local_date,
            started_at=self.now,
            updated_at=self.now,
            expires_at=self.now + self._timeout(flow),
        )
        self.session.add(dialog)
        self.session.flush()
        out: list[Message] = []
        if flow.intro:
            out.append(Text(self._text(flow.intro, **context)))
        if first is None:
            return out + self._complete(person, dialog, flow)
        return [*out, self._step_message(dialog, flow.step(first))]

    def _current(self, step: Step) -> str:
        if step.applies and self.person is not None:
            return current_value(self.person, step.applies, self.prompts, self.locale)
        return ""

    def _step_message(
        self, dialog: Dialog, step: Step, rejected: Rejected | None = None
    ) -> Message:
        selected = ()
        if step.applies and self.person is not None:
            selected = selected_values(self.person, step.applies)
        return self._renderer().message(
            step,
            step_ref(dialog.id, step.id),
            dialog.context,
            selected=selected,
            current=self._current(step),
            rejected=rejected,
            max_chars=self.settings.max_answer_chars,
        )

    def _answer(self, person: Person, dialog: Dialog, event: InboundEvent) -> list[Message]:
        flow, step = self._position(dialog)
        if flow is None or step is None:
            return self.end(person, dialog, "stopped", told=True) + [
                Text(self._text("common.help"))
            ]
        if event.reply_to is not None and event.reply_to != step_ref(dialog.id, step.id):
            return [Notice(self._text("common.stale")), self._step_message(dialog, step)]
        reply = Reply(
            text=clean_text(event.text) if event.text is not None else None,
            value=clean_text(event.value) if event.value is not None else None,
            values=tuple(clean_text(v) for v in event.values) if event.values else None,
            form=event.form,
        )
        options = self._renderer().options(step, dialog.context)
        result = parse_answer(step, reply, options, self.settings.max_answer_chars)
        if isinstance(result, Rejected):
            out: list[Message] = [Text(self._text(result.key, **result.variables))]
            if step.kind != "text":
                out.append(self._step_message(dialog, step, result))
            return out
        return self._advance(person, dialog, flow, step, result)

    def _advance(
        self, person: Person, dialog: Dialog, flow: Flow, step: Step, answer: Any
    ) -> list[Message]:
        answers = dict(dialog.answers)
        if answer is not None:
            answers[step.id] = answer
            if step.applies:
                apply_setting(person, step.applies, answer)
        dialog.answers = answers
        dialog.updated_at = self.now
        dialog.snoozed_until = None
        dialog.expires_at = self.now + self._timeout(flow)
        following = next_step(flow, step, answer, answers, dialog.context)
        dialog.step_id = following
        if following is None:
            return self._complete(person, dialog, flow)
        return [self._step_message(dialog, flow.step(following))]

    def _complete(self, person: Person, dialog: Dialog, flow: Flow) -> list[Message]:
        dialog.status = "completed"
        dialog.ended_at = self.now
        dialog.step_id = None
        variables: dict[str, Any] = {}
        if flow.on_complete:
            variables = HANDLERS[flow.on_complete](
                Completion(self.session, person, dialog, False, self.now, self.prompts)
            )
        out: list[Message] = []
        if flow.outro:
            out.append(Text(self._text(flow.outro, **variables)))
        if (
            flow.id != ONBOARDING_FLOW
            and person.onboarded_at is None
            and person.onboarding_offered_at is None
        ):
            person.onboarding_offered_at = self.now
            out.append(Text(self._text("common.offer_onboarding")))
        return out

    def _interrupt(self, person: Person, dialog: Dialog) -> list[Message]:
        flow = self._flow(dialog.flow_id)
        self.end(person, dialog, "interrupted", told=True)
        return [Text(self._text("common.interrupted", flow_title=self._flow_title(flow)))]

    def end(self, person: Person, dialog: Dialog, status: str, *, told: bool) -> list[Message]:
        """Close a dialog that did not finish; keep its answers (and, where the flow asks
        for it, its partial record). Returns the notice for the person if `told`."""
        flow = self._flow(dialog.flow_id)
        dialog.status = status
        dialog.ended_at = self.now
        dialog.end_noticed = told
        if flow and flow.keep_partial and flow.on_complete and dialog.answers:
            self._enter(person)
            HANDLERS[flow.on_complete](
                Completion(self.session, person, dialog, True, self.now, self.prompts)
            )
        if status != "expired" or not told:
            return []
        return [self._expiry_notice(dialog, flow)]

    def _expiry_notice(self, dialog: Dialog, flow: Flow | None) -> Message:
        return Notice(
            self._text("common.expired", flow_title=self._flow_title(flow), date=dialog.local_date),
            level="warning",
        )

    def _untold_endings(self, person: Person) -> list[Message]:
        dialogs = self.session.scalars(
            select(Dialog).where(Dialog.person_id == person.id, Dialog.end_noticed.is_(False))
        ).all()
        out: list[Message] = []
        for dialog in dialogs:
            dialog.end_noticed = True
            out.append(self._expiry_notice(dialog, self._flow(dialog.flow_id)))
        return out

