"""The conversation engine: one inbound event in, the coach's replies out.

Every turn runs in one database transaction: the person is found (on PostgreSQL their row is
locked, on SQLite the write lock taken), the answer is validated and stored with the dialog's
new position, and only after the commit are the replies handed back to the adapter to send.
Two messages of one person are therefore applied one after the other; different people never
wait on each other's rows. A turn that loses a race is rolled back and run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.core import clock as wall_clock
from bot.core import registry as hooks
from bot.core.messages import Address, Home, InboundEvent, Message, Outbound, Text
from bot.core.prompts import BUILTIN_DIR, LOCALES, PromptError, PromptLibrary
from bot.core.turn import Turn
from bot.core.validators import VALIDATORS
from bot.due import schedule_store
from bot.due.organisation_calendar import CalendarCache
from bot.people import directory as people
from bot.people.directory import OrganisationDefaults
from bot.people.preferences import APPLIERS
from bot.storage.database import ThreadConnections
from bot.storage.turn_store import Conflict, PersonState, TurnStore

log = logging.getLogger("leercoach.engine")
hooks.load_all()

TURN_ATTEMPTS = 5
# A platform's own time of an event is used (the diary's date follows when it was typed)
# only when it is this close to our clock; a bogus one (year 9999, 1970) is not believed.
PLAUSIBLE_SKEW = timedelta(days=1)
ORGANISATION_CACHE_SECONDS = 60.0
T = TypeVar("T")


def check_references(prompts: PromptLibrary) -> None:
    """Every validator, choice source, setting and handler a flow names exists in code."""
    for command in prompts.commands:
        if command.action and command.action not in hooks.ACTIONS:
            raise PromptError(f"command {command.name}: unknown action {command.action!r}")
    for flow_id in prompts.flow_ids:
        flow = prompts.flow(flow_id)
        if flow.on_complete and flow.on_complete not in hooks.COMPLETIONS:
            raise PromptError(f"flow {flow_id}: unknown on_complete {flow.on_complete!r}")
        if flow.then and flow.then not in prompts.flow_ids:
            raise PromptError(f"flow {flow_id}: then names unknown flow {flow.then!r}")
        for step in flow.steps:
            if step.validate and step.validate not in VALIDATORS:
                raise PromptError(f"flow {flow_id}: unknown validator {step.validate!r}")
            if step.choices_from and step.choices_from not in hooks.CHOICE_SOURCES:
                raise PromptError(f"flow {flow_id}: unknown choices_from {step.choices_from!r}")
            if step.applies and step.applies not in APPLIERS:
                raise PromptError(f"flow {flow_id}: unknown setting {step.applies!r}")
            if step.review and step.review not in hooks.REVIEWERS:
                raise PromptError(f"flow {flow_id}: unknown reviewer {step.review!r}")


def storable(address: Address) -> bool:
    """Whether the ids of `address` can be stored and looked up as text: no platform gives
    out an id with a NUL (PostgreSQL refuses it) or a lone surrogate (not UTF-8)."""
    for part in (address.platform, address.tenant, address.person, address.conversation,
                 address.thread or "", *address.members):
        if "\x00" in part:
            return False
        try:
            part.encode()
        except UnicodeEncodeError:
            return False
    return True


class Coach:
    """Handles inbound events and starts flows; adapters and the scheduler call it."""

    def __init__(
        self,
        database: Engine,
        settings: Settings,
        *,
        clock: Callable[[], datetime] | None = None,
        prompts: PromptLibrary | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.clock = clock or wall_clock.now
        self.prompts = prompts or PromptLibrary.with_override(settings.prompts_dir)
        check_references(self.prompts)
        self.lock_rows = database.dialect.name != "sqlite"
        self.connections = ThreadConnections(database)
        self._organisations: dict[int, tuple[float, OrganisationDefaults]] = {}
        self._workspaces: dict[tuple[str, str], OrganisationDefaults] = {}
        self._folder_prompts: dict[str, PromptLibrary] = {}
        self.calendars = CalendarCache()

    # -- public API --------------------------------------------------------------------

    def handle(self, event: InboundEvent) -> list[Outbound]:
        """The replies to `event`, returned only after its effects are committed."""
        if not storable(event.address):
            log.info("an event from an id no platform gives out was ignored")
            return []
        now = self.moment(event)
        return self._run(lambda turn: turn.handle(event), now, event.address, event.locale)

    def moment(self, event: InboundEvent) -> datetime:
        """When `event` happened: the platform's time when it is plausible, else ours."""
        now = self.clock()
        said = event.received_at
        if said is None or said.tzinfo is None or abs(said - now) > PLAUSIBLE_SKEW:
            return now
        return said

    def resume(self, address: Address) -> list[Outbound]:
        """The open question of the person at `address`, to show after a restart."""
        if not storable(address):
            return []
        return self._run(lambda turn: turn.resume(address), self.clock(), address, None)

    def open_question(self, address: Address) -> Message | None:
        """The open question of the person at `address` (e.g. the Form a "fill in" button
        belongs to), or None: unknown person, no active dialog, or it expired.

        Read-only: nothing is ended, told or marked as seen, so an adapter may ask at any
        time (to open a modal) and the dialog goes on as if nothing happened.
        """
        if not storable(address):
            return None
        found = self._run(lambda turn: turn.open_question(address), self.clock(), None, None)
        return None if isinstance(found, list) else found

    def home(self, address: Address) -> Home | None:
        """The person's overview page (Slack App Home, a Teams tab, the web), in their own
        language; None for someone unknown, who is not created by looking."""
        if not storable(address):
            return None
        found = self._run(lambda turn: turn.home(address), self.clock(), None, None)
        return found if isinstance(found, Home) else None

    def start_flow(
        self,
        person_id: int,
        flow_id: str,
        *,
        context: dict[str, Any] | None = None,
        interrupt: bool = False,
        repeat: bool = False,
        lead: str | None = None,
        to: Address | None = None,
    ) -> list[Outbound]:
        """Start `flow_id` for a person in their DM (the scheduler's nudge).

        Returns nothing when the person is unknown, or busy with another dialog and
        `interrupt` is not set; the scheduler can try again later. With `repeat`, a dialog
        of this flow that is already open is asked again: a retried delivery whose first
        send was lost still reaches the person. `lead` names a text shown first (e.g. the
        gentle words of a reminder). `to` is where the outbox already found the person, so
        the address is not looked up twice.
        """
        self.prompts.flow(flow_id)
        return self._run(
            lambda turn: turn.start_for_person(
                person_id, flow_id, context or {}, interrupt, repeat, lead, to
            ),
            self.clock(),
            None,
            None,
        )

    def tell(self, person_id: int, key: str, *, to: Address | None = None,
             **variables: Any) -> list[Outbound]:
        """One text for a person in their own language, addressed to their DM (or `to`,
        where the outbox already found them)."""
        if not self.prompts.has_text(key):
            raise KeyError(f"no text {key!r}")
        return self._run(lambda turn: turn.tell(person_id, key, to=to, **variables),
                         self.clock(), None, None)

    def tell_group(self, person_ids: list[int], key: str, **variables: Any) -> list[Outbound]:
        """One text for several people together (a group DM), in the first one's language;
        empty when they cannot share one conversation."""
        if not self.prompts.has_text(key):
            raise KeyError(f"no text {key!r}")
        return self._run(lambda turn: turn.tell_group(person_ids, key, **variables),
                         self.clock(), None, None)

    def channel_membership(self, event: InboundEvent, joined: bool) -> int:
        """`event.address` joined (or left) the channel `address.conversation`: enrol them
        in the cohorts tied to it (or take them out). The event's display name, locale and
        time zone fill in someone new. Returns how many cohorts changed."""
        if not storable(event.address):
            return 0
        changed = self._run(lambda turn: turn.channel_membership(event, joined),
                            self.moment(event), None, None)
        return changed if isinstance(changed, int) else 0

    def anchored(self, anchor: str, thread: str) -> None:
        """A channel post marked `anchor` ("case:12") was posted as message `thread`: the
        practice that made it now follows that thread."""
        prefix, _, item = anchor.partition(":")
        if not item.isdigit() or not thread:
            return
        self._run(lambda turn: turn.anchored(prefix, int(item), thread), self.clock(),
                  None, None)

    def set_locale(self, address: Address, locale: str) -> None:
        """Remember the language a person asked for (e.g. `leercoach chat --locale en`)."""
        if locale not in LOCALES:
            raise ValueError(f"locale must be one of {', '.join(LOCALES)}")
        self._run(lambda turn: turn.set_locale(address, locale), self.clock(), address, locale)

    def expire_dialogs(self, now: datetime | None = None) -> int:
        """End every dialog past its expiry, keeping partial answers; each person is told
        at their next message. Returns how many ended."""
        ended = self._run(lambda turn: turn.expire_due(), now or self.clock(), None, None)
        return ended if isinstance(ended, int) else 0

    def close(self) -> None:
        """Close the connections the engine keeps open per thread."""
        self.connections.close()

    # -- what turns need ---------------------------------------------------------------

    def organisation(
        self, session: Callable[[], Session], organisation_id: int
    ) -> OrganisationDefaults:
        stamp = time.monotonic()
        cached = self._organisations.get(organisation_id)
        if cached and stamp - cached[0] < ORGANISATION_CACHE_SECONDS:
            return cached[1]
        found = people.organisation_by_id(session(), organisation_id)
        if found is None:
            raise LookupError(f"organisation {organisation_id} does not exist")
        self._organisations[organisation_id] = (stamp, found)
        return found

    def organisation_for_workspace(
        self, session: Callable[[], Session], platform: str, tenant: str
    ) -> OrganisationDefaults:
        cached = self._workspaces.get((platform, tenant))
        if cached is not None:
            return cached
        return people.organisation_for(session(), self.settings, platform, tenant)

    def remember_workspace(self, platform: str, tenant: str, org: OrganisationDefaults) -> None:
        """Cache a workspace's organisation, only once it is committed."""
        self._workspaces[(platform, tenant)] = org

    def prompts_for(self, organisation: OrganisationDefaults) -> PromptLibrary:
        """The organisation's prompts: its override folder over ours."""
        folder = organisation.prompts_dir
        if not folder:
            return self.prompts
        library = self._folder_prompts.get(folder)
        if library is None:
            try:
                base = [BUILTIN_DIR, *([self.settings.prompts_dir] if self.settings.prompts_dir
                                       else [])]
                library = PromptLibrary([*base, Path(folder)])
                check_references(library)
            except PromptError:
                log.exception("organisation prompts folder %s is unusable; using defaults",
                              folder)
                library = self.prompts
            self._folder_prompts[folder] = library
        return library

    def reschedule(self, connection: Connection, person: PersonState, now: datetime) -> None:
        """A setting that decides when the person is due changed: recompute, same commit.

        People created in a turn are registered by the next sweep instead, which keeps
        the first message of a newcomer cheap.
        """
        calendar = schedule_store.PersonCalendar(
            person.id, person.organisation_id, person.timezone, person.workdays,
            person.diary_time, person.status, person.paused_until,
        )
        schedule_store.register(
            connection, [calendar], self.calendars, self.settings.periodic_time, now
        )

    # -- running turns -----------------------------------------------------------------

    def _run(
        self,
        work: Callable[[Turn], T],
        now: datetime,
        address: Address | None,
        locale: str | None,
    ) -> T | list[Outbound]:
        for attempt in range(1, TURN_ATTEMPTS + 1):
            try:
                with self.connections.transaction() as connection:
                    turn = Turn(self, TurnStore(connection, self.lock_rows), now)
                    result = work(turn)
                    turn.save()
                for platform, tenant, org in turn.new_workspaces:
                    self.remember_workspace(platform, tenant, org)
                return result
            except (IntegrityError, Conflict, OperationalError) as exc:
                # A concurrent turn of the same person, a race to create them, or a busy
                # database: the transaction rolled back, so running it again is safe.
                log.info("turn conflict (attempt %d): %s", attempt, type(exc).__name__)
                if attempt < TURN_ATTEMPTS:
                    time.sleep(0.005 * attempt)
                    continue
                log.exception("turn failed after %d attempts", attempt)
            except Exception:
                log.exception("turn failed")
            break
        if address is None:
            return []
        text = self.prompts.render("common.failure", locale or self.settings.default_locale)
        return [Outbound(address, Text(text))]
