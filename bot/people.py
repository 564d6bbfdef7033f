"""Finding the person behind an inbound event, or creating them with the organisation's defaults.

A platform account (Identity) belongs to one person; a workspace or tenant belongs to one
organisation. Someone seen for the first time is created on the spot, so their first message
is never lost; on PostgreSQL the person's row is locked for the rest of the turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.catalog import seed_catalog
from bot.messages import Address, InboundEvent
from bot.prompts import LOCALES
from bot.settings import Settings
from bot.storage.models import Identity, Organisation, Person, Workspace
from bot.validators import timezone as valid_timezone

DEFAULT_ORGANISATION_SLUG = "default"
LAST_SEEN_RESOLUTION = timedelta(hours=1)


@dataclass(slots=True)
class Resolved:
    person: Person
    identity: Identity
    created: bool


def default_organisation(session: Session, settings: Settings) -> Organisation:
    organisation = session.scalar(
        select(Organisation).where(Organisation.slug == DEFAULT_ORGANISATION_SLUG)
    )
    if organisation is None:
        organisation = Organisation(
            slug=DEFAULT_ORGANISATION_SLUG,
            name="Leercoach",
            default_locale=settings.default_locale,
            default_timezone=settings.default_timezone,
        )
        session.add(organisation)
        session.flush()
        seed_catalog(session, organisation.id)
    return organisation


def organisation_for(
    session: Session, settings: Settings, platform: str, tenant: str
) -> Organisation:
    """The organisation a workspace belongs to; unknown workspaces join the default one."""
    workspace = session.scalar(
        select(Workspace).where(Workspace.platform == platform, Workspace.tenant == tenant)
    )
    if workspace is not None:
        organisation = session.get(Organisation, workspace.organisation_id)
        if organisation is not None:
            return organisation
    organisation = default_organisation(session, settings)
    if workspace is None:
        session.add(Workspace(organisation_id=organisation.id, platform=platform, tenant=tenant))
    return organisation


def resolve(
    session: Session, settings: Settings, event: InboundEvent, now: datetime, lock: bool
) -> Resolved:
    """The person who sent `event`, created if new; their DM address is kept up to date."""
    address = event.address
    statement = (
        select(Identity, Person)
        .join(Person, Person.id == Identity.person_id)
        .where(
            Identity.platform == address.platform,
            Identity.tenant == address.tenant,
            Identity.external_id == address.person,
        )
    )
    if lock:
        statement = statement.with_for_update(of=Person)
    row = session.execute(statement).first()
    if row is not None:
        identity, person = row.tuple()
        if identity.conversation != address.conversation and address.thread is None:
            identity.conversation = address.conversation
        if now - identity.last_seen_at > LAST_SEEN_RESOLUTION:
            identity.last_seen_at = now
        if event.display_name and person.display_name != event.display_name:
            person.display_name = event.display_name[:200]
        return Resolved(person, identity, created=False)
    return Resolved(*_create(session, settings, event, now), created=True)


def _create(
    session: Session, settings: Settings, event: InboundEvent, now: datetime
) -> tuple[Person, Identity]:
    address = event.address
    organisation = organisation_for(session, settings, address.platform, address.tenant)
    locale = event.locale if event.locale in LOCALES else organisation.default_locale
    zone = (event.timezone and valid_timezone(event.timezone)) or organisation.default_timezone
    person = Person(
        organisation_id=organisation.id,
        display_name=(event.display_name or "")[:200],
        locale=locale,
        timezone=zone,
        workdays=organisation.default_workdays,
        diary_time=organisation.default_diary_time,
        created_at=now,
    )
    session.add(person)
    session.flush()
    identity = Identity(
        person_id=person.id,
        platform=address.platform,
        tenant=address.tenant,
        external_id=address.person,
        conversation=address.conversation,
        created_at=now,
        last_seen_at=now,
    )
    session.add(identity)
    session.flush()
    return person, identity


def address_of(identity: Identity) -> Address:
    """Where to reach a person proactively: the DM of their identity."""
    return Address(
        platform=identity.platform,
        tenant=identity.tenant,
        person=identity.external_id,
        conversation=identity.conversation,
    )


def reachable_identity(session: Session, person_id: int) -> Identity | None:
    """The account the person used most recently, which is where a nudge should go."""
    return session.scalar(
        select(Identity)
        .where(Identity.person_id == person_id)
        .order_by(Identity.last_seen_at.desc(), Identity.id.desc())
        .limit(1)
    )
