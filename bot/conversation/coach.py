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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot import log_context, metrics
from bot.config import Settings
from bot.conversation.services import Services
from bot.conversation.turn import Turn
from bot.core.messages import Address, Home, InboundEvent, Message, Outbound, Text
from bot.core.prompts import LOCALES, PromptLibrary
from bot.core.registry import Registry
from bot.due.organisation_calendar import CalendarCache
from bot.storage.database import ThreadConnections
from bot.storage.outage import DATABASE, DatabaseAway, unreachable
from bot.storage.turn_store import Conflict, TurnStore

log = logging.getLogger("leercoach.engine")

TURN_ATTEMPTS = 5
# A platform's own time of an event is used (the diary's date follows when it was typed)
# only when it is this close to our clock; a bogus one (year 9999, 1970) is not believed.
PLAUSIBLE_SKEW = timedelta(days=1)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """A turn that crashed, or lost its race every time: it was rolled back and changed
    nothing. `apology` is the polite reply to send instead, when the turn was someone's
    message (empty for the scheduler's calls, which try again later)."""

    apology: list[Outbound]


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


def _replies(outcome: list[Outbound] | TurnFailed) -> list[Outbound]:
    """The replies of a turn, or the apology of a failed one."""
    match outcome:
        case TurnFailed(apology=apology):
            return apology
        case replies:
            return replies


class Coach:
    """Handles inbound events and starts flows; adapters and the scheduler call it."""

    def __init__(self, database: Engine, services: Services) -> None:
        self.database = database
        self.services = services
        self.lock_rows = database.dialect.name != "sqlite"
        self.connections = ThreadConnections(database)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def registry(self) -> Registry:
        return self.services.registry

    @property
    def prompts(self) -> PromptLibrary:
        return self.services.prompts

    @property
    def calendars(self) -> CalendarCache:
        return self.services.calendars

    def clock(self) -> datetime:
        """Now, by the clock the coach was given (a test's, or the product's)."""
        return self.services.clock()

    # -- public API --------------------------------------------------------------------

    def handle(self, event: InboundEvent, *, keep_when_away: bool = False) -> list[Outbound]:
        """The replies to `event`, returned only after its effects are committed.

        With `keep_when_away`, an unreachable database raises DatabaseAway instead of
        giving the apology: the caller has kept the event (a spool) and tries it again."""
        if not storable(event.address):
            log.info("an event from an id no platform gives out was ignored")
            return []
        platform = event.address.platform
        log_context.TURN_ID.set(log_context.new_id())
        log_context.PLATFORM.set(platform)
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = self._run(lambda turn: turn.handle(event), self.moment(event),
                               event.address, event.locale, away_raises=keep_when_away)
            outcome = "failed" if isinstance(result, TurnFailed) else "ok"
            return _replies(result)
        except DatabaseAway:
            outcome = "database_away"
            raise
        finally:
            log_context.OUTCOME.set(outcome)
            log.debug("turn %s", outcome)
            metrics.TURNS.labels(platform, outcome).inc()
            metrics.TURN_SECONDS.labels(platform, outcome).observe(
                time.perf_counter() - started)

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
        return _replies(
            self._run(lambda turn: turn.resume(address), self.clock(), address, None))

    def open_question(self, address: Address) -> Message | None:
        """The open question of the person at `address` (e.g. the Form a "fill in" button
        belongs to), or None: unknown person, no active dialog, or it expired.

        Read-only: nothing is ended, told or marked as seen, so an adapter may ask at any
        time (to open a modal) and the dialog goes on as if nothing happened.
        """
        if not storable(address):
            return None
        match self._run(lambda turn: turn.open_question(address), self.clock(), None, None):
            case TurnFailed():
                return None
            case found:
                return found

    def home(self, address: Address) -> Home | None:
        """The person's overview page (Slack App Home, a Teams tab, the web), in their own
        language; None for someone unknown, who is not created by looking."""
        if not storable(address):
            return None
        match self._run(lambda turn: turn.home(address), self.clock(), None, None):
            case TurnFailed():
                return None
            case found:
                return found

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
        of this flow that is already open is asked again, after its greeting and a word that
        it comes again: a retried delivery whose first send was lost still reaches the
        person, and not as a bare question. `lead` names a text shown first (e.g. the
        gentle words of a reminder). `to` is where the outbox already found the person, so
        the address is not looked up twice.
        """
        self.prompts.flow(flow_id)
        return _replies(self._run(
            lambda turn: turn.start_for_person(
                person_id, flow_id, context or {}, interrupt, repeat, lead, to
            ),
            self.clock(),
            None,
            None,
        ))

    def tell(self, person_id: int, key: str, *, to: Address | None = None,
             **variables: Any) -> list[Outbound]:
        """One text for a person in their own language, addressed to their DM (or `to`,
        where the outbox already found them)."""
        if not self.prompts.has_text(key):
            raise KeyError(f"no text {key!r}")
        return _replies(self._run(lambda turn: turn.tell(person_id, key, to=to, **variables),
                                  self.clock(), None, None))

    def tell_group(self, person_ids: list[int], key: str, **variables: Any) -> list[Outbound]:
        """One text for several people together (a group DM), in the first one's language;
        empty when they cannot share one conversation."""
        if not self.prompts.has_text(key):
            raise KeyError(f"no text {key!r}")
        return _replies(self._run(lambda turn: turn.tell_group(person_ids, key, **variables),
                                  self.clock(), None, None))

    def channel_membership(self, event: InboundEvent, joined: bool) -> int:
        """`event.address` joined (or left) the channel `address.conversation`: enrol them
        in the cohorts tied to it (or take them out). The event's display name, locale and
        time zone fill in someone new. Returns how many cohorts changed."""
        if not storable(event.address):
            return 0
        match self._run(lambda turn: turn.channel_membership(event, joined),
                        self.moment(event), None, None):
            case TurnFailed():
                return 0
            case changed:
                return changed

    def anchored(self, anchor: str, thread: str) -> None:
        """A channel post marked `anchor` ("case:12") was posted as message `thread`: the
        practice that made it now follows that thread."""
        prefix, _, item = anchor.partition(":")
        if not item.isdigit() or not thread:
            return
        self._run(lambda turn: turn.anchored(prefix, int(item), thread), self.clock(),
                  None, None)

    def locale_of(self, address: Address) -> str:
        """The language of the person at `address` (the default for someone unknown), for an
        adapter's own texts, such as the terminal's form correction."""
        if not storable(address):
            return self.settings.default_locale
        match self._run(lambda turn: turn.locale_of(address), self.clock(), None, None):
            case TurnFailed():
                return self.settings.default_locale
            case found:
                return found

    def set_locale(self, address: Address, locale: str) -> None:
        """Remember the language a person asked for (e.g. `leercoach chat --locale en`)."""
        if locale not in LOCALES:
            raise ValueError(f"locale must be one of {', '.join(LOCALES)}")
        self._run(lambda turn: turn.set_locale(address, locale), self.clock(), address, locale)

    def expire_dialogs(self, now: datetime | None = None) -> int:
        """End every dialog past its expiry, keeping partial answers; each person is told
        at their next message. Returns how many ended."""
        match self._run(lambda turn: turn.expire_due(), now or self.clock(), None, None):
            case TurnFailed():
                return 0
            case ended:
                return ended

    def close(self) -> None:
        """Close the connections the engine keeps open per thread."""
        self.connections.close()

    # -- running turns -----------------------------------------------------------------

    def _run(
        self,
        work: Callable[[Turn], T],
        now: datetime,
        address: Address | None,
        locale: str | None,
        *,
        away_raises: bool = False,
    ) -> T | TurnFailed:
        """`work` on a fresh Turn in one transaction, run again when it loses a race; a
        TurnFailed when it crashed or kept losing (then nothing of it was committed). An
        unreachable database is said once per outage (bot.storage.outage), not per turn;
        with `away_raises` it raises DatabaseAway."""
        for attempt in range(1, TURN_ATTEMPTS + 1):
            try:
                with self.connections.transaction() as connection:
                    turn = Turn(self.services, TurnStore(connection, self.lock_rows), now)
                    result = work(turn)
                    turn.save()
                for platform, tenant, org in turn.new_workspaces:
                    self.services.remember_workspace(platform, tenant, org)
                DATABASE.answered()
                return result
            except (IntegrityError, Conflict, OperationalError) as exc:
                # A concurrent turn of the same person, a race to create them, or a busy
                # database: the transaction rolled back, so running it again is safe.
                log.debug("turn conflict (attempt %d): %s", attempt, type(exc).__name__)
                if attempt < TURN_ATTEMPTS:
                    time.sleep(0.005 * attempt)
                    continue
                if unreachable(self.database, exc):
                    DATABASE.went_away(exc)
                    if away_raises:
                        raise DatabaseAway() from exc
                else:
                    log.exception("turn failed after %d attempts", attempt)
            except Exception:
                log.exception("turn failed")
            break
        if address is None:
            return TurnFailed([])
        text = self.prompts.render("common.failure", locale or self.settings.default_locale)
        return TurnFailed([Outbound(address, Text(text))])
