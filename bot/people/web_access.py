"""Who is looking at a web page: one-time login links, browser sessions and what each may see.

A link is DMed by the `dashboard` command (or printed by `serve` for the admin of the
embedded default) and is good for one login within 15 minutes; the session it opens lives
in a cookie for a working day. Only SHA-256 hashes of both secrets are stored, so reading
the database gives no way in. The role is read afresh on every request, so taking someone's
facilitator role away takes effect at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, delete, insert, select, update

from bot.people.roles import FACILITATING, role_of
from bot.storage.models import LoginLink, Organisation, Person, WebSession, table_of

LINK_LIFETIME = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)
TOKEN_BYTES = 32

Role = Literal["admin", "facilitator", "participant"]

_links = table_of(LoginLink)
_sessions = table_of(WebSession)
_people = table_of(Person)
_organisations = table_of(Organisation)


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person (or the embedded default's admin, `person_id` None) behind a session."""

    session_id: int
    person_id: int | None
    role: Role
    csrf: str
    organisation_id: int | None  # None: the admin, who may look at every organisation
    name: str
    locale: str
    chat_person_id: int | None = None

    @property
    def sees_dashboard(self) -> bool:
        return self.role in ("admin", "facilitator")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_link(connection: Connection, person_id: int | None, now: datetime) -> str:
    """A new one-time login token for the person (None: the admin); only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    connection.execute(insert(_links).values(
        token_hash=_hash(token), person_id=person_id, created_at=now,
        expires_at=now + LINK_LIFETIME, used_at=None))
    connection.execute(delete(_links).where(_links.c.expires_at < now - timedelta(days=1)))
    return token


def link_is_valid(connection: Connection, token: str, now: datetime) -> bool:
    """Whether the token would log in now (the page that asks to confirm the login)."""
    found = connection.execute(select(_links.c.id).where(
        _links.c.token_hash == _hash(token), _links.c.used_at.is_(None),
        _links.c.expires_at > now)).first()
    return found is not None


def redeem_link(connection: Connection, token: str, now: datetime) -> str | None:
    """Use the link once and open a session: the session's cookie secret, or None when the
    link is unknown, used or expired. The update claims the link, so two browsers racing
    with one link get one session."""
    claimed = connection.execute(
        update(_links)
        .where(_links.c.token_hash == _hash(token), _links.c.used_at.is_(None),
               _links.c.expires_at > now)
        .values(used_at=now)
        .returning(_links.c.person_id)
    ).first()
    if claimed is None:
        return None
    secret = secrets.token_urlsafe(TOKEN_BYTES)
    connection.execute(insert(_sessions).values(
        token_hash=_hash(secret), person_id=claimed.person_id,
        csrf=secrets.token_urlsafe(24), chat_person_id=None, created_at=now,
        expires_at=now + SESSION_LIFETIME))
    connection.execute(delete(_sessions).where(_sessions.c.expires_at < now))
    return secret


def viewer(connection: Connection, secret: str, now: datetime,
           default_locale: str = "nl") -> Viewer | None:
    """The viewer of a live session, or None (unknown, expired, or the person is gone)."""
    session = connection.execute(
        select(_sessions).where(_sessions.c.token_hash == _hash(secret),
                                _sessions.c.expires_at > now)
    ).first()
    if session is None:
        return None
    if session.person_id is None:
        return Viewer(session.id, None, "admin", session.csrf, None, "admin", default_locale,
                      session.chat_person_id)
    person = connection.execute(
        select(_people.c.display_name, _people.c.locale, _people.c.organisation_id,
               _people.c.status)
        .where(_people.c.id == session.person_id)
    ).first()
    if person is None or person.status == "deleted":
        return None
    role = role_of(connection, session.person_id)
    shown: Role = "facilitator" if role in FACILITATING else "participant"
    return Viewer(session.id, session.person_id, shown, session.csrf, person.organisation_id,
                  person.display_name, person.locale or default_locale, session.chat_person_id)


def end_session(connection: Connection, session_id: int) -> None:
    connection.execute(delete(_sessions).where(_sessions.c.id == session_id))


def choose_chat_person(connection: Connection, session_id: int, person_id: int | None) -> None:
    """Whom an admin tries the web chat as, kept with the session."""
    connection.execute(update(_sessions).where(_sessions.c.id == session_id)
                       .values(chat_person_id=person_id))


def same_secret(given: str | None, expected: str) -> bool:
    """A CSRF token compared in constant time."""
    return given is not None and secrets.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode())
