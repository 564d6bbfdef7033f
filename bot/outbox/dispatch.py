"""Sending what the outbox holds: claim, prepare through the engine, send, record.

For each claimed delivery:
1. check it still makes sense: not past its window (never sent late), the person neither
   paused nor opted out nor unreachable, a diary reminder not already answered;
2. pace it: per conversation here (a delivery that must wait is put back), per workspace
   or tenant through the budget all replicas share (bot.outbox.budgets), whose slots are
   handed out in the order people became due (`due_at`), so nobody waits for a stranger;
3. let the engine start the nudge's flow (committed) and render its messages; a person busy
   in another dialog gets it later, while its window lasts;
4. send through the adapter of the person's platform;
5. record the outcome: sent (and, for a diary nudge, a gentle reminder queued), a retry with
   exponential backoff and jitter (or the platform's Retry-After), dead after the last
   attempt, or — when the platform says the person cannot be reached — dead and the person
   marked unreachable, so they are not nudged again until they write to the coach.

A process killed between 3 and 5 leaves the row `sending`; when its lease runs out another
replica takes it, and the engine asks the open question again (the same key, the same
dialog). Platforms without idempotent sends may then show it twice: that is the remaining
at-least-once window, as long as one send. Rows are claimed only as many at a time as are
sent at once, and right before step 3 the worker renews its lease, which fails if another
replica took the row over meanwhile (a stalled process): then it leaves the row alone.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from bot import metrics
from bot.core.messages import Address, Outbound
from bot.due import schedule_store
from bot.due.rhythms import DIARY
from bot.due.rules import period_key
from bot.learning_record import diary
from bot.outbox import deliveries, replies
from bot.outbox.budgets import SharedBudgets
from bot.outbox.deliveries import NUDGE, REMINDER
from bot.outbox.pacing import Limits, Pacer
from bot.outbox.retry import backoff_seconds
from bot.outbox.sender import DeliveryFailed, Sender, hosts_groups, together
from bot.storage.models import Identity, Person, table_of
from bot.storage.outage import DATABASE, unreachable

if TYPE_CHECKING:
    from bot.conversation.coach import Coach

log = logging.getLogger("leercoach.outbox")
UNREACHABLE = "unreachable"
LEADS = {REMINDER: "nudge.diary_reminder"}  # a text shown before the flow's question
SEND_TIMEOUT_SECONDS = 30.0
_people = table_of(Person)
_identities = table_of(Identity)


@dataclass(frozen=True, slots=True)
class Outcome:
    key: str
    result: str  # sent | retry | deferred | skipped | expired | dead | taken over | lost
    detail: str = ""
    rate_limited: bool = False  # the platform answered 429 (Retry-After)


@dataclass(slots=True)
class DispatchReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.result == result)


@dataclass(frozen=True, slots=True)
class _Recipient:
    """Who a delivery goes to, looked up once per send: whether they may be messaged, and
    where (the DM of the account they used last). The sender, the pacing, the message and
    the record of the send all use this one answer."""

    status: str
    paused_until: date | None
    platform: str
    tenant: str
    external_id: str
    conversation: str

    def reachable_on(self, local_date: date) -> bool:
        return schedule_store.reachable_on(self.status, self.paused_until, local_date)

    @property
    def address(self) -> Address:
        return Address(self.platform, self.tenant, self.external_id, self.conversation)


class Dispatcher:
    """Sends due deliveries through the senders of the platforms this process serves."""

    def __init__(
        self,
        engine: Coach,
        senders: Mapping[str, Sender],
        *,
        worker: str | None = None,
        rng: random.Random | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        send_timeout: float = SEND_TIMEOUT_SECONDS,
        concurrency: int = 16,
        limits: Mapping[str, Limits] | None = None,
        budgets: SharedBudgets | None = None,
    ) -> None:
        self.engine = engine
        self.settings = engine.settings
        self.senders = dict(senders)
        self.worker = worker or f"worker-{uuid.uuid4().hex[:12]}"
        self.rng = rng or random.Random()
        self.monotonic = monotonic
        self.send_timeout = send_timeout
        # each platform's own pacing, as its adapter states it (adapters/platform.py);
        # a platform without limits is not held back
        self.pacer = Pacer(dict(limits or {}))
        self.budgets = budgets or SharedBudgets(engine.database, limits or {})
        self.concurrency = concurrency

    # -- the database side, run in a worker thread ---------------------------------------

    def _claim(self, now: datetime, limit: int) -> list[deliveries.Claimed]:
        with self.engine.database.begin() as connection:
            return deliveries.claim(connection, now, self.worker, limit,
                                    self.settings.lease_seconds)

    def _write(self, work: Callable[[Connection], object]) -> None:
        with self.engine.database.begin() as connection:
            work(connection)

    def _recipient(self, person_id: int) -> _Recipient | None:
        with self.engine.database.connect() as connection:
            row = connection.execute(
                select(_people.c.status, _people.c.paused_until, _identities.c.platform,
                       _identities.c.tenant, _identities.c.external_id,
                       _identities.c.conversation)
                .join(_identities, _identities.c.person_id == _people.c.id)
                .where(_people.c.id == person_id)
                .order_by(_identities.c.last_seen_at.desc(), _identities.c.id.desc())
                .limit(1)
            ).first()
        return _Recipient(*row) if row else None

    def _still_ours(self, delivery: deliveries.Claimed, now: datetime) -> bool:
        with self.engine.database.begin() as connection:
            return deliveries.renew(connection, delivery.id, self.worker, now,
                               self.settings.lease_seconds)

    def _answered(self, delivery: deliveries.Claimed) -> bool:
        with self.engine.database.connect() as connection:
            return diary.entries_on(connection, delivery.person_id, delivery.local_date) > 0

    def _messages(self, delivery: deliveries.Claimed, to: Address) -> list[Outbound]:
        if delivery.kind == replies.REPLY:  # a reply kept as it was rendered
            return replies.held(delivery.context)
        context = {**(delivery.context or {}), "nudge": delivery.kind}
        if delivery.flow_id.startswith(deliveries.TEXT_FLOW):  # one text, no conversation
            key = delivery.flow_id.removeprefix(deliveries.TEXT_FLOW)
            if delivery.kind == deliveries.GROUP_KIND:
                return self.engine.tell_group(list(context.get("members") or []), key,
                                              **context)
            return self.engine.tell(delivery.person_id, key, to=to, **context)
        return self.engine.start_flow(
            delivery.person_id, delivery.flow_id, context=context, repeat=True,
            lead=LEADS.get(delivery.kind), to=to,
        )

    # -- one delivery --------------------------------------------------------------------

    async def _one(self, delivery: deliveries.Claimed, now: datetime, turn: _Turn) -> Outcome:
        if now >= delivery.expires_at:
            return await self._finish(delivery, now, deliveries.EXPIRED, "its moment has passed")
        recipient = await asyncio.to_thread(self._recipient, delivery.person_id)
        if recipient is None:
            return await self._finish(delivery, now, deliveries.SKIPPED, "no account to reach")
        # a reply answers what the person just said, paused or not
        if delivery.kind != replies.REPLY and not recipient.reachable_on(delivery.local_date):
            return await self._finish(delivery, now, deliveries.SKIPPED,
                                      f"the person is {recipient.status}")
        if delivery.kind == REMINDER and await asyncio.to_thread(self._answered, delivery):
            return await self._finish(delivery, now, deliveries.SKIPPED, "already answered")
        sender = self.senders.get(recipient.platform)
        if sender is None:
            return await self._failed(delivery, now, DeliveryFailed(
                f"no sender for platform {recipient.platform!r} in this process"))
        if delivery.kind == deliveries.GROUP_KIND and not hosts_groups(sender):
            return await self._finish(delivery, now, deliveries.SKIPPED,
                                      f"{recipient.platform} has no group conversations")
        wait = self.pacer.reserve(recipient.platform, recipient.conversation,
                                  self.monotonic())
        if wait > 0:
            return await self._defer(delivery, now, now + timedelta(seconds=wait), "paced")
        await turn.wait()  # slots go to the people of this round in the order they are due
        wait = await self.budgets.reserve(recipient.platform, recipient.tenant, turn.coming)
        turn.passed()
        if wait > self.budgets.max_wait:  # a long Retry-After: back into the outbox
            return await self._defer(delivery, now, now + timedelta(seconds=wait),
                                     "the workspace is held")
        if wait > 0:
            await self.budgets.sleep(wait)
        if not await asyncio.to_thread(self._still_ours, delivery, now):
            return Outcome(delivery.key, "taken over", "the lease ran out first")
        messages = await asyncio.to_thread(self._messages, delivery, recipient.address)
        if not messages and delivery.kind == deliveries.GROUP_KIND:
            return await self._finish(delivery, now, deliveries.SKIPPED,
                                      "the members share no platform and workspace")
        if not messages:
            later = now + timedelta(minutes=self.settings.busy_retry_minutes)
            if later >= delivery.expires_at:
                return await self._finish(delivery, now, deliveries.EXPIRED,
                                          "the person was busy the whole window")
            return await self._defer(delivery, now, later, "busy in another dialog")
        try:
            send_together = together(sender)
            for index, run in enumerate(_runs(messages, send_together is not None)):
                if index:  # every further send takes a slot of the tenant's budget too
                    wait = await self.budgets.reserve(recipient.platform, recipient.tenant)
                    await self.budgets.sleep(wait)
                sending = send_together(run) if send_together else sender.send(run[0])
                await asyncio.wait_for(sending, self.send_timeout)
        except DeliveryFailed as failure:
            return await self._failed(delivery, now, failure, recipient)
        except TimeoutError:
            return await self._failed(delivery, now, DeliveryFailed("timed out"), recipient)
        except Exception as exc:  # an adapter bug must not stop the other deliveries
            log.exception("sending %s failed", delivery.key)
            return await self._failed(delivery, now, DeliveryFailed(type(exc).__name__),
                                      recipient)
        address = messages[0].address

        recorded: list[bool] = []

        def record(connection: Connection) -> None:
            recorded.append(deliveries.finish(connection, delivery.id, self.worker, deliveries.SENT,
                                         now, platform=address.platform, tenant=address.tenant))
            if recorded[0]:
                self._queue_reminder(connection, delivery, now)

        await asyncio.to_thread(self._write, record)
        metrics.delivery(address.platform, "sent")
        if not recorded[0]:  # the send was slower than the lease: another worker has it
            return Outcome(delivery.key, "sent", "another worker had taken it over")
        return Outcome(delivery.key, "sent")

    async def _finish(self, delivery: deliveries.Claimed, now: datetime, state: str, reason: str
                      ) -> Outcome:
        await asyncio.to_thread(self._write, lambda connection: deliveries.finish(
            connection, delivery.id, self.worker, state, now, reason))
        return Outcome(delivery.key, state, reason)

    async def _defer(self, delivery: deliveries.Claimed, now: datetime, at: datetime, reason: str
                     ) -> Outcome:
        await asyncio.to_thread(self._write, lambda connection: deliveries.defer(
            connection, delivery.id, self.worker, at, now, reason))
        return Outcome(delivery.key, "deferred", reason)

    async def _failed(self, delivery: deliveries.Claimed, now: datetime, failure: DeliveryFailed,
                      recipient: _Recipient | None = None) -> Outcome:
        platform = recipient.platform if recipient is not None else ""
        if failure.retry_after is not None:
            metrics.delivery(platform, "rate_limited")
        dead = failure.permanent or delivery.attempts >= self.settings.delivery_attempts
        metrics.delivery(platform, "dead" if dead else "retried")
        if failure.permanent and delivery.kind == deliveries.GROUP_KIND:
            # One member out of reach says nothing about the one it is queued under.
            return await self._finish(delivery, now, deliveries.DEAD, failure.reason)
        if failure.permanent:
            def dead_and_unreachable(connection: Connection) -> None:
                deliveries.finish(connection, delivery.id, self.worker, deliveries.DEAD, now,
                             failure.reason)
                self._mark_unreachable(connection, delivery.person_id, now)
            await asyncio.to_thread(self._write, dead_and_unreachable)
            return Outcome(delivery.key, "dead", failure.reason)
        if delivery.attempts >= self.settings.delivery_attempts:
            await asyncio.to_thread(self._write, lambda connection: deliveries.finish(
                connection, delivery.id, self.worker, deliveries.DEAD, now,
                f"{failure.reason} (after {delivery.attempts} attempts)"))
            return Outcome(delivery.key, "dead", failure.reason)
        if failure.retry_after is not None:
            wait = max(0.0, failure.retry_after)
            if recipient is not None:
                await self.budgets.hold(recipient.platform, recipient.tenant, wait)
        else:
            wait = backoff_seconds(delivery.attempts, self.settings.retry_base_seconds,
                                   self.settings.retry_cap_seconds, self.rng)
        at = now + timedelta(seconds=wait)
        await asyncio.to_thread(self._write, lambda connection: deliveries.retry(
            connection, delivery.id, self.worker, at, now, failure.reason))
        return Outcome(delivery.key, "retry", failure.reason,
                       rate_limited=failure.retry_after is not None)

    def _queue_reminder(self, connection: Connection, delivery: deliveries.Claimed,
                        now: datetime) -> None:
        """After a diary nudge: one gentle reminder later the same day, if it fits."""
        minutes = self.settings.reminder_minutes
        if delivery.kind != NUDGE or delivery.rhythm != DIARY or minutes == 0:
            return
        person = schedule_store.person_calendar(connection, delivery.person_id)
        if person is None:
            return
        calendar = self.engine.calendars.get(connection, [person.organisation_id])
        rules = schedule_store.rules_for(person, calendar[person.organisation_id],
                                         self.settings.periodic_time)
        at = now + timedelta(minutes=minutes)
        local = at.astimezone(ZoneInfo(rules.timezone))
        if local.date() != delivery.local_date or rules.quiet.contains(local.time()):
            return  # not on the same day, or in the quiet hours: no reminder at all
        grace = timedelta(minutes=self.settings.nudge_grace_minutes)
        batch = deliveries.Batch(connection, now)
        batch.add(REMINDER, delivery.person_id, DIARY, DIARY,
                  period_key(DIARY, delivery.local_date), delivery.local_date, at, at,
                  at + grace)
        batch.write()

    @staticmethod
    def _mark_unreachable(connection: Connection, person_id: int, now: datetime) -> None:
        connection.execute(
            update(_people).where(_people.c.id == person_id, _people.c.status == "active")
            .values(status=UNREACHABLE)
        )
        schedule_store.clear(connection, person_id, now)

    # -- the tick --------------------------------------------------------------------------

    async def dispatch(self, now: datetime | None = None, limit: int = 200) -> DispatchReport:
        """Send what is due; returns what happened to each claimed delivery.

        Rows are claimed a few at a time (as many as are sent at once), so a claimed row
        waits for at most one round of sends and never outlives its lease in a queue. With
        `now` given (tests, `leercoach tick`) every step uses it; otherwise the clock is
        read again for every round.
        """
        report = DispatchReport()
        while len(report.outcomes) < limit:
            moment = now or self.engine.clock()
            size = min(self.concurrency, limit - len(report.outcomes))
            claimed = await asyncio.to_thread(self._claim, moment, size)
            if not claimed:
                break
            report.outcomes += await self._round(claimed, moment)
            if len(claimed) < size:
                break
        return report

    async def _round(self, claimed: list[deliveries.Claimed], now: datetime) -> list[Outcome]:
        async def one_person(queued: list[deliveries.Claimed], turn: _Turn) -> list[Outcome]:
            # One person's deliveries one after the other, tightest window first: the
            # diary due now goes before a weekly nudge being caught up, which then waits.
            outcomes = []
            for delivery in queued:
                try:
                    outcome = await self._one(delivery, now, turn)
                except Exception as exc:  # a database hiccup: the lease brings it back
                    if await asyncio.to_thread(unreachable, self.engine.database, exc):
                        DATABASE.went_away(exc)  # said once per outage, not per delivery
                    else:
                        log.exception("delivery %s: outcome not recorded", delivery.key)
                    outcome = Outcome(delivery.key, "lost", type(exc).__name__)
                finally:
                    turn.passed()  # skipped, deferred or failed: the next person's turn
                outcomes.append(outcome)
            return outcomes

        per_person: dict[int, list[deliveries.Claimed]] = {}
        for delivery in claimed:
            per_person.setdefault(delivery.person_id, []).append(delivery)
        # The person whose moment came first is sent to first (their earliest due_at).
        people = sorted(per_person.values(),
                        key=lambda queued: min((d.due_at, d.id) for d in queued))
        turns = _Turn.chain(len(people))
        done = await asyncio.gather(*(one_person(queued, turn)
                                      for queued, turn in zip(people, turns, strict=True)))
        return [outcome for outcomes in done for outcome in outcomes]


def _runs(messages: list[Outbound], together: bool) -> list[list[Outbound]]:
    """A delivery's messages as sends: runs to one address together where the platform
    sends them as one (see sender.together), else one message per send."""
    if not together:
        return [[outbound] for outbound in messages]
    runs: list[list[Outbound]] = []
    for outbound in messages:
        if runs and runs[-1][0].address == outbound.address:
            runs[-1].append(outbound)
        else:
            runs.append([outbound])
    return runs


@dataclass(slots=True)
class _Turn:
    """A person's place in the round's queue for the shared budget: they reserve a slot
    after the person before them did (or was done without one)."""

    before: asyncio.Event | None
    mine: asyncio.Event
    coming: int  # this person and those after them in the round: one claim for them all

    @staticmethod
    def chain(count: int) -> list[_Turn]:
        events = [asyncio.Event() for _ in range(count)]
        return [_Turn(events[index - 1] if index else None, event, count - index)
                for index, event in enumerate(events)]

    async def wait(self) -> None:
        if self.before is not None:
            await self.before.wait()

    def passed(self) -> None:
        self.mine.set()
