"""Between Teams and the engine: one inbound activity, the turn, the replies.

Every activity refreshes the stored conversation reference (the outbox needs it to reach
the person later). Messages and card submissions run through the engine (one person at a
time, adapters.turn_runner); a submitted card is then updated to show the answer, so it cannot be
submitted twice, or, when a form came back with errors, to show them in place. Installing
the app in personal scope greets someone new with the onboarding; in a team it stores the
channel's reference for posts there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from adapters.teams import cards, inbound
from adapters.teams.sdk import INVOKE_CARD, INVOKE_MESSAGE, ConnectorFailed, TeamsTurn
from adapters.teams.sender import TeamsSender
from adapters.turn_runner import Batch, TurnRunner, grouped, taken
from bot.conversation.coach import Coach, storable
from bot.core.messages import Address, Form, InboundEvent, Outbound
from bot.outbox.sender import DeliveryFailed
from bot.storage import references

log = logging.getLogger("leercoach.teams")
PLATFORM = inbound.PLATFORM
LATER_ATTEMPTS = 3  # sends of an answered invoke's replies in place, before the outbox takes them
LATER_BACKOFF = 0.5  # seconds, times the attempt, when the connector gave no Retry-After
LATER_WAIT_CAP = 10.0  # seconds waited in place; a longer Retry-After goes to the outbox


class TeamsConversations:
    """Every person's (and channel's) conversation with the coach on Teams: each inbound
    activity, its turn, and the replies."""

    def __init__(self, engine: Coach, database: Engine, sender: TeamsSender) -> None:
        self.engine = engine
        self.database = database
        self.sender = sender
        self.turns = TurnRunner(engine)
        self._saved: dict[tuple[str, str, str], str] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def on_turn(self, turn: TeamsTurn) -> None:
        activity = turn.activity
        kind = activity.get("type")
        if _removed_now(activity):
            await self._removed(turn)
            return
        if kind in ("message", "invoke", "conversationUpdate", "installationUpdate"):
            await self._remember(turn)
        if kind == "message" or (kind == "invoke" and activity.get("name")
                                 == inbound.CARD_ACTION):
            await self._message(turn)
        elif kind == "invoke":
            await turn.answer_invoke(400)  # an invoke the coach takes no part in
        elif _installed_now(activity):
            await self._installed(turn)
        elif kind == "conversationUpdate" and _team_of(activity):
            await self._team_changed(turn)

    # -- references ------------------------------------------------------------------------

    async def _remember(self, turn: TeamsTurn) -> None:
        """Store how to reach this person (or channel) again; unchanged ones are skipped."""
        activity = turn.activity
        address = inbound.address_of(activity)
        if address is None or not address.tenant or not storable(address):
            return
        channel = (activity.get("conversation") or {}).get("conversationType") == "channel"
        key = (address.tenant, "" if channel else address.person, address.conversation)
        reference = turn.reference()
        if channel:
            reference["conversation"] = {**(reference.get("conversation") or {}),
                                         "id": address.conversation}
            if _team_of(activity):
                reference[references.TEAM_KEY] = _team_of(activity)
        serialized = json.dumps(reference, sort_keys=True)
        if self._saved.get(key) == serialized:
            return

        def save(_: None) -> None:
            with self.database.begin() as connection:
                references.save(connection, PLATFORM, key[0], key[1], key[2], reference,
                                self.engine.clock())

        await self.turns.call(save, None)
        self._saved[key] = serialized

    async def _removed(self, turn: TeamsTurn) -> None:
        """The app was uninstalled (installationUpdate remove or remove-upgrade, or the bot
        left a team): its conversation references go, so nothing proactive is sent there
        again (the outbox then finds no reference, and pauses the person instead of
        retrying). https://learn.microsoft.com/en-us/microsoftteams/platform/bots/how-to/conversations/subscribe-to-conversation-events#uninstall-app
        """
        activity = turn.activity
        address = inbound.address_of(activity)
        if address is None or not storable(address):
            return
        team = _team_of(activity)

        def forget(_: None) -> list[str]:
            with self.database.begin() as connection:
                if team:
                    return references.forget_team(connection, PLATFORM, address.tenant, team)
                references.forget(connection, PLATFORM, address.tenant, address.person,
                                  address.conversation)
                return [address.conversation]

        gone = await self.turns.call(forget, None)
        for key in [k for k in self._saved if k[0] == address.tenant and k[2] in gone]:
            del self._saved[key]
        log.info("the app was removed from a %s conversation; its reference is forgotten",
                 "team" if team else "personal")

    # -- messages and cards ----------------------------------------------------------------

    async def _message(self, turn: TeamsTurn) -> None:
        activity = turn.activity
        event = inbound.event_of(activity)
        if event is None:
            if activity.get("type") == "invoke":
                await turn.answer_invoke(400)
            return
        if activity.get("type") == "invoke":
            await self._invoke(turn, event)
            return
        async with self.turns.person(event.address):
            replies = await self.turns.call(self.engine.handle, event)
            if event.reply_to is not None:
                replies = await self._update_card(turn, event, replies)
            await self._deliver(turn, event.address, replies)

    async def _invoke(self, turn: TeamsTurn, event: InboundEvent) -> None:
        """An `Action.Execute` (`adaptiveCard/action` invoke): answered as soon as the
        answer is committed, with the card as it now is (the choice shown, or a form's
        errors in place) or a short message; the replies go out afterwards, in the
        background, still in the person's turn so their order holds.

        Why: Teams waits only a few seconds for an invoke's answer and shows the person an
        error after that, so it must not wait for the sends (two slow sends took 4 s).
        https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards
        """
        answer: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._invoke_turn(turn, event, answer))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        try:
            kind, value = await answer
        except Exception:
            log.exception("an invoke's turn failed before its answer")
            await turn.answer_invoke(500)
            return
        await turn.answer_invoke(200, value, kind=kind)

    async def _invoke_turn(self, turn: TeamsTurn, event: InboundEvent,
                           answer: asyncio.Future[tuple[str, Any]]) -> None:
        try:
            async with self.turns.person(event.address):
                replies = await self.turns.call(self.engine.handle, event)
                kind, value, replies = self._invoke_answer(turn, event, replies)
                answer.set_result((kind, value))
                await self._deliver_later(event.address, replies)
        except Exception as exc:
            if not answer.done():
                answer.set_exception(exc)
            else:
                log.exception("sending an invoke's replies failed")

    def _invoke_answer(self, turn: TeamsTurn, event: InboundEvent, replies: list[Outbound]
                       ) -> tuple[str, Any, list[Outbound]]:
        """The Universal Actions answer: the refreshed card, or a message; and the replies
        still to send."""
        data = inbound.card_data(turn.activity) or {}
        ref = event.reply_to or ""
        if taken(replies, ref):
            card = cards.answered(str(data.get(cards.TITLE) or ""), inbound.shown_choice(data))
            return INVOKE_CARD, card["attachments"][0]["content"], replies
        again = [o for o in replies if isinstance(o.message, Form) and o.message.ref == ref]
        if again:
            card = cards.activities([again[0].message])[0]
            return (INVOKE_CARD, card["attachments"][0]["content"],
                    [o for o in replies if o is not again[0]])
        return INVOKE_MESSAGE, "✓", replies

    async def _deliver_later(self, here: Address, replies: list[Outbound]) -> None:
        """Replies of a turn that was already answered, through the stored reference (the
        inbound request is over). A short Retry-After (or a short backoff) is waited out a
        few times; past that the batch goes to the outbox, which sends it when the connector
        allows, so a reply is never lost. Only a refusal for good drops it."""
        for batch in grouped(replies):
            address = batch.address
            if address.platform != PLATFORM:
                log.warning("a reply for %s cannot go out through Teams", address.platform)
                continue
            first = None
            for attempt in range(1, LATER_ATTEMPTS + 1):
                try:
                    first = await self.sender.send_messages(address, batch.messages)
                    break
                except DeliveryFailed as exc:
                    wait = exc.retry_after or LATER_BACKOFF * attempt
                    if exc.permanent:
                        log.warning("a reply after an invoke was not delivered: %s", exc)
                        break
                    if attempt == LATER_ATTEMPTS or wait > LATER_WAIT_CAP:
                        await self._hold(batch, wait, exc)
                        break
                    await asyncio.sleep(wait)
            if batch.anchor and first:
                await self.turns.anchored(batch.anchor, first)

    async def _hold(self, batch: Batch, wait: float, exc: DeliveryFailed) -> None:
        """Hand a batch the connector would not take now to the outbox."""
        try:
            key = await self.turns.hold(batch, wait, str(exc))
        except Exception as failure:  # the database is away too: nothing keeps it now
            log.error("a reply after an invoke failed (%s) and the outbox could not take it: "
                      "%s", exc, type(failure).__name__)
            return
        if key is None:
            log.warning("a reply after an invoke failed (%s); nobody stored is addressed", exc)
        else:
            log.info("a reply after an invoke failed (%s); the outbox sends it in %.0f s",
                     exc, wait)

    async def drain(self) -> None:
        """Wait for the replies still going out in the background (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)

    async def _update_card(self, turn: TeamsTurn, event: InboundEvent,
                           replies: list[Outbound]) -> list[Outbound]:
        """Show the answer on the card (or a form's errors in place); returns the replies
        still to send."""
        activity = turn.activity
        card_id = activity.get("replyToId")
        if not card_id:
            return replies
        data = inbound.card_data(activity) or {}
        ref = event.reply_to or ""
        try:
            if taken(replies, ref):
                await turn.update(str(card_id), cards.answered(
                    str(data.get(cards.TITLE) or ""), inbound.shown_choice(data)))
                return replies
            # A form asked again (with its errors) is shown in place of the old card.
            again = [o for o in replies if isinstance(o.message, Form) and o.message.ref == ref]
            if again:
                await turn.update(str(card_id), cards.activities([again[0].message])[0])
                return [o for o in replies if o is not again[0]]
        except ConnectorFailed as exc:
            log.info("updating the answered card failed: %s", exc)
        return replies

    async def _deliver(self, turn: TeamsTurn, here: Address, replies: list[Outbound]) -> None:
        for batch in grouped(replies):
            address = batch.address
            try:
                if _same_conversation(address, here):
                    sent = [await turn.send(activity)
                            for activity in cards.activities(batch.messages)]
                    first = sent[0] if sent else None
                elif address.platform == PLATFORM:
                    first = await self.sender.send_messages(address, batch.messages)
                else:
                    log.warning("a reply for %s cannot go out through Teams", address.platform)
                    continue
            except ConnectorFailed as exc:
                # The answer is committed; the open question is shown again next time.
                log.warning("sending a reply failed: %s", exc)
                continue
            except Exception as exc:  # a proactive send to someone else; logged, not fatal
                log.warning("sending to another conversation failed: %s", exc)
                continue
            if batch.anchor and first:
                await self.turns.anchored(batch.anchor, first)

    # -- teams tied to cohorts ----------------------------------------------------------

    async def membership(self, address: Address, name: str | None, joined: bool) -> int:
        """Someone joined or left a team whose channel a cohort is tied to."""
        event = InboundEvent(address=address, display_name=name)
        return await self.turns.call(
            lambda e: self.engine.channel_membership(e, joined), event)

    async def _team_changed(self, turn: TeamsTurn) -> None:
        activity = turn.activity
        team = _team_of(activity)
        tenant = inbound.tenant_of(activity)
        bot = (activity.get("recipient") or {}).get("id")
        for joined, key in ((True, "membersAdded"), (False, "membersRemoved")):
            for member in _members(activity, key):
                if member.get("id") and member.get("id") != bot:
                    await self.membership(Address(PLATFORM, tenant, str(member["id"]), team),
                                          member.get("name"), joined)

    async def _sync_team(self, turn: TeamsTurn) -> None:
        """The coach was added to a team: everyone in it joins the cohorts tied to it."""
        activity = turn.activity
        team, tenant = _team_of(activity), inbound.tenant_of(activity)
        try:
            members = await turn.team_members(team)
        except ConnectorFailed as exc:
            log.warning("reading the team's members failed: %s", exc)
            return
        for member in members:
            if member.get("id"):
                await self.membership(Address(PLATFORM, tenant, str(member["id"]), team),
                                      member.get("name"), True)

    # -- installs ------------------------------------------------------------------------

    async def _installed(self, turn: TeamsTurn) -> None:
        """Greet someone who added the coach in personal scope, once (team installs only
        store the channel's reference)."""
        activity = turn.activity
        if _team_of(activity):
            await self._sync_team(turn)
            return
        if (activity.get("conversation") or {}).get("conversationType") not in (None,
                                                                                "personal"):
            return
        address = inbound.address_of(activity)
        if address is None:
            return
        if await self.turns.call(self.engine.home, address) is not None:
            return  # known already: no second welcome
        event = inbound.event_of({**activity, "type": "message", "text": ""})
        if event is None:
            return
        async with self.turns.person(address):
            replies = await self.turns.call(self.engine.handle, replace(event, text=""))
            await self._deliver(turn, address, replies)


def _members(activity: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The channel accounts listed under `membersAdded`/`membersRemoved`; anything else
    there (null, a bare string: not what the Bot Framework schema allows) is skipped, so a
    malformed update is a no-op rather than a crash."""
    listed = activity.get(key)
    if not isinstance(listed, list):
        return []
    return [member for member in listed if isinstance(member, dict)]


def _installed_now(activity: dict[str, Any]) -> bool:
    """The coach was just added: a conversationUpdate that adds the bot, or an
    installationUpdate "add" (Teams sends either, or both)."""
    if activity.get("type") == "installationUpdate":
        return str(activity.get("action", "")).startswith("add")
    if activity.get("type") != "conversationUpdate":
        return False
    bot = (activity.get("recipient") or {}).get("id")
    return any(member.get("id") == bot for member in _members(activity, "membersAdded"))


def _removed_now(activity: dict[str, Any]) -> bool:
    """The coach was just removed: an installationUpdate "remove" (or "remove-upgrade"), or
    a conversationUpdate whose membersRemoved holds the bot itself."""
    if activity.get("type") == "installationUpdate":
        return str(activity.get("action", "")).startswith("remove")
    if activity.get("type") != "conversationUpdate":
        return False
    bot = (activity.get("recipient") or {}).get("id")
    return bool(bot) and any(member.get("id") == bot
                             for member in _members(activity, "membersRemoved"))


def _team_of(activity: dict[str, Any]) -> str:
    """The team's id (its General channel's conversation id) for team events."""
    return str(((activity.get("channelData") or {}).get("team") or {}).get("id") or "")


def _same_conversation(one: Address, other: Address) -> bool:
    return (one.platform, one.tenant, one.conversation, one.thread) == (
        other.platform, other.tenant, other.conversation, other.thread)
