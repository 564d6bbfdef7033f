"""Community of practice sessions (seed 003, the SOL meetings of seed 004): who signed up,
where a session was announced, the cases brought to it, and a session as a person sees it in
chat (with its sign-up buttons, which the community practice answers).

The sessions themselves are planned with `leercoach community add`
(bot/organisation/goals.py). A case brought to a session goes through the intervision
intake, started with `session_id` in its context and posted in the channel where the session
was announced; the sign-up keeps the intake's dialog, whose answers (and context) say what
the case is. The chat side is bot/practices/community/hooks.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select, update

from bot.core.messages import Address, Choice, Question
from bot.core.registry import TurnApi
from bot.storage.models import (
    CommunityChannel,
    CommunitySession,
    CommunitySignup,
    Dialog,
    Person,
    table_of,
)

_sessions = table_of(CommunitySession)
_signups = table_of(CommunitySignup)
_channels = table_of(CommunityChannel)
_dialogs = table_of(Dialog)
_people = table_of(Person)
INTAKE_FLOW = "intervision_intake"


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    organisation_id: int
    title: str
    starts_at: datetime
    location: str
    signups: int


def _count(connection: Connection, session_id: int) -> int:
    return int(connection.execute(select(func.count()).select_from(_signups).where(
        _signups.c.session_id == session_id)).scalar_one())


def _session(connection: Connection, row: Any) -> Session:
    return Session(row.id, row.organisation_id, row.title, row.starts_at, row.location or "",
                   _count(connection, row.id))


def find(connection: Connection, session_id: int, organisation_id: int | None = None
         ) -> Session | None:
    query = select(_sessions).where(_sessions.c.id == session_id)
    if organisation_id is not None:
        query = query.where(_sessions.c.organisation_id == organisation_id)
    row = connection.execute(query).first()
    return _session(connection, row) if row is not None else None


def upcoming(connection: Connection, organisation_id: int, now: datetime, limit: int = 5,
             include_past: bool = False) -> list[Session]:
    query = select(_sessions).where(_sessions.c.organisation_id == organisation_id)
    if not include_past:
        query = query.where(_sessions.c.starts_at > now)
    rows = connection.execute(query.order_by(_sessions.c.starts_at, _sessions.c.id)
                              .limit(limit)).all()
    return [_session(connection, row) for row in rows]


def signed_up(connection: Connection, session_id: int, person_id: int) -> bool:
    return connection.execute(select(_signups.c.id).where(
        _signups.c.session_id == session_id, _signups.c.person_id == person_id)).first() \
        is not None


def mine(connection: Connection, person_id: int) -> set[int]:
    return set(connection.execute(select(_signups.c.session_id).where(
        _signups.c.person_id == person_id)).scalars())


def sign_up(connection: Connection, session_id: int, person_id: int, now: datetime) -> bool:
    """True when the person was not signed up yet."""
    if signed_up(connection, session_id, person_id):
        return False
    connection.execute(_signups.insert().values(session_id=session_id, person_id=person_id,
                                                created_at=now))
    return True


def cancel(connection: Connection, session_id: int, person_id: int) -> bool:
    removed = connection.execute(_signups.delete().where(
        _signups.c.session_id == session_id, _signups.c.person_id == person_id))
    return removed.rowcount == 1


def keep_case(connection: Connection, session_id: int, person_id: int, dialog_id: int) -> None:
    """The intake dialog of the case the person brings to the session."""
    connection.execute(update(_signups).where(
        _signups.c.session_id == session_id, _signups.c.person_id == person_id,
    ).values(case_dialog_id=dialog_id))


def open_intake(connection: Connection, person_id: int) -> int | None:
    """The person's intake dialog that is open now (just started), if any."""
    found = connection.execute(select(_dialogs.c.id).where(
        _dialogs.c.person_id == person_id, _dialogs.c.status == "active",
        _dialogs.c.flow_id == INTAKE_FLOW)).scalar()
    return int(found) if found is not None else None


def announce(connection: Connection, session_id: int, channel: Address, now: datetime) -> None:
    key = {"session_id": session_id, "platform": channel.platform, "tenant": channel.tenant,
           "conversation": channel.conversation}
    changed = connection.execute(update(_channels).where(
        *(getattr(_channels.c, name) == value for name, value in key.items())
    ).values(announced_at=now))
    if changed.rowcount == 0:
        connection.execute(_channels.insert().values(**key, announced_at=now))


def channel_of(connection: Connection, session_id: int) -> Address | None:
    """The channel the session was announced in last: where its cases are posted."""
    row = connection.execute(
        select(_channels).where(_channels.c.session_id == session_id)
        .order_by(_channels.c.announced_at.desc()).limit(1)).first()
    return Address(row.platform, row.tenant, "", row.conversation) if row else None


@dataclass(frozen=True, slots=True)
class Participant:
    name: str
    case_question: str | None  # what they ask the group, once the intake is filled in


def participants(connection: Connection, session_id: int) -> list[Participant]:
    """Who comes, and the question of the case each brings (from the intake's answers;
    the intake carries the session's id in its context)."""
    rows = connection.execute(
        select(_people.c.display_name, _people.c.id, _dialogs.c.answers, _dialogs.c.context)
        .join(_signups, _signups.c.person_id == _people.c.id)
        .join(_dialogs, _dialogs.c.id == _signups.c.case_dialog_id, isouter=True)
        .where(_signups.c.session_id == session_id)
        .order_by(_signups.c.id)).all()
    found = []
    for row in rows:
        question = None
        context = row.context or {}
        case = (row.answers or {}).get("case")
        if context.get("session_id") == session_id and isinstance(case, dict):
            question = str(case.get("question") or "") or None
        found.append(Participant(row.display_name or f"#{row.id}", question))
    return found


# -- a session as a person sees it in chat ---------------------------------------------------


PREFIX = "cs"  # a session's buttons: "cs:<session id>"
SIGNUP, CANCEL, CASE = "signup", "cancel", "case"


def session_when(turn: TurnApi, session: Session) -> str:
    local = session.starts_at.astimezone(_zone(turn.person.timezone))
    return turn.text("community.when", date=local.date(), time=local.strftime("%H:%M"))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("Europe/Amsterdam")


def session_question(turn: TurnApi, session: Session, key: str = "community.line",
                     ) -> Question:
    """A session with its sign-up buttons, as the person sees it."""
    mine = signed_up(turn.connection, session.id, turn.person.id)
    text = turn.text(key, title=session.title, when=session_when(turn, session),
                     location=session.location, count=session.signups, mine=mine)
    first = Choice(CANCEL, turn.text("community.button_cancel")) if mine else Choice(
        SIGNUP, turn.text("community.button_signup"))
    return Question(text=text, ref=f"{PREFIX}:{session.id}",
                    choices=(first, Choice(CASE, turn.text("community.button_case"))))
