"""Community of practice sessions in chat (seed 003): signing up, and bringing a case.

`sessies` / `sessions` lists the organisation's upcoming sessions, each with the buttons
"Ik doe mee" (or "Ik kan toch niet") and "Casus inbrengen". The same buttons come with a
session announced in a channel (`sessie aankondigen 3`, facilitators) and with the monthly
reflection's pointer to the next session (bot/practices/month/hooks.py offers it).
The buttons carry the ref "cs:<session id>" and work wherever they are pressed; the answer
goes to the person alone. Words do the same: `aanmelden sessie 3`, `afmelden sessie 3`.

A case for a session (`casus voor sessie 3`, or the button) signs the person up and starts
bot/practices/intervision's intake with `session_id` in its context and the channel the
session was announced in, so the case is posted there and the community can ask its
questions in the thread before and during the session (seed 003: what do you run into,
what are you unsure about). Anyone who takes part may bring a case; the intervision
command itself stays with facilitators.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.messages import Address, Choice, Message, Notice, Outbound, Question, Text
from bot.core.registry import ActionCall, ChannelEvent, PracticeHooks, TurnApi
from bot.organisation import community_sessions as community
from bot.organisation.community_sessions import (
    CANCEL,
    CASE,
    PREFIX,
    SIGNUP,
    session_question,
    session_when,
)
from bot.people.roles import may_facilitate

hooks = PracticeHooks("community")

SHOWN = 5


# -- listing and signing up ---------------------------------------------------------------------


@hooks.action("community_sessions")
def _sessions(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    found = community.upcoming(turn.connection, turn.person.organisation_id, turn.now,
                               limit=SHOWN)
    if not found:
        return [Text(turn.text("community.none"))]
    return [Text(turn.text("community.intro", count=len(found))),
            *(session_question(turn, session) for session in found)]


def _named(call: ActionCall) -> community.Session | None:
    number = call.arguments.strip().lstrip("#").split(" ")[0]
    if not number.isdigit():
        return None
    turn = call.turn
    return community.find(turn.connection, int(number), turn.person.organisation_id)


def _which(turn: TurnApi) -> list[Message]:
    return [Text(turn.text("community.which"))]


@hooks.action("community_signup")
def _signup(call: ActionCall) -> list[Message] | None:
    session = _named(call)
    if session is None:
        return None if call.dialog is not None else _which(call.turn)
    return [_sign_up(call.turn, session)]


@hooks.action("community_cancel")
def _cancel(call: ActionCall) -> list[Message] | None:
    session = _named(call)
    if session is None:
        return None if call.dialog is not None else _which(call.turn)
    return [_cancel_for(call.turn, session)]


def _sign_up(turn: TurnApi, session: community.Session) -> Message:
    if session.starts_at <= turn.now:
        return Notice(turn.text("community.past"))
    new = community.sign_up(turn.connection, session.id, turn.person.id, turn.now)
    return Text(turn.text("community.signed_up" if new else "community.already",
                          title=session.title, when=session_when(turn, session), id=session.id))


def _cancel_for(turn: TurnApi, session: community.Session) -> Message:
    gone = community.cancel(turn.connection, session.id, turn.person.id)
    return Text(turn.text("community.cancelled" if gone else "community.not_signed_up",
                          title=session.title, id=session.id))


# -- a case for a session ---------------------------------------------------------------------


@hooks.action("community_case")
def _case(call: ActionCall) -> list[Message] | None:
    session = _named(call)
    if session is None:
        return None if call.dialog is not None else _which(call.turn)
    return bring_case(call.turn, session)


def bring_case(turn: TurnApi, session: community.Session) -> list[Message]:
    """Sign up and start the intervision intake for the session's channel."""
    if session.starts_at <= turn.now:
        return [Notice(turn.text("community.past"))]
    channel = community.channel_of(turn.connection, session.id)
    if channel is None or channel.platform != turn.person.platform:
        return [Text(turn.text("community.case_no_channel", title=session.title,
                               id=session.id))]
    community.sign_up(turn.connection, session.id, turn.person.id, turn.now)
    started = turn.start("intervision_intake", {
        "channel": channel.conversation, "platform": channel.platform,
        "tenant": channel.tenant, "session_id": session.id})
    dialog_id = community.open_intake(turn.connection, turn.person.id)
    if dialog_id is not None:
        community.keep_case(turn.connection, session.id, turn.person.id, dialog_id)
    return [Text(turn.text("community.case_intro", title=session.title)), *started]


# -- announcing in a channel -------------------------------------------------------------------


@hooks.action("community_announce", in_channel=True)
def _announce(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return [Text(turn.text("community.not_facilitator"))]
    channel = turn.origin
    if channel is None:
        return [Text(turn.text("community.need_channel"))]
    session = _named(call)
    if session is None:
        return _which(turn)
    if session.starts_at <= turn.now:
        return [Notice(turn.text("community.past"))]
    community.announce(turn.connection, session.id, channel, turn.now)
    text = turn.text("community.announcement", title=session.title,
                     when=session_when(turn, session), location=session.location)
    turn.post(Address(channel.platform, channel.tenant, "", channel.conversation),
              Question(text=text, ref=f"{PREFIX}:{session.id}", choices=(
                  Choice(SIGNUP, turn.text("community.button_signup")),
                  Choice(CASE, turn.text("community.button_case")))))
    return [Text(turn.text("community.announced", title=session.title))]


# -- the buttons ---------------------------------------------------------------------------------


@hooks.on_press(PREFIX)
def _button(channel: ChannelEvent, session_id: int) -> list[Outbound]:
    person = channel.enter()
    turn = channel.turn
    here = replace(channel.event.address, thread=None)  # a channel's button: to the DM
    session = community.find(turn.connection, session_id, person.organisation_id)
    if session is None:
        return [Outbound(here, Notice(turn.text("community.gone")))]
    choice = channel.event.value or SIGNUP
    if choice == CASE:
        return [Outbound(here, message) for message in bring_case(turn, session)]
    if choice == CANCEL:
        return [Outbound(here, _cancel_for(turn, session))]
    return [Outbound(here, _sign_up(turn, session))]
