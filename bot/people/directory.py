"""Finding the organisation behind a workspace and creating people with its defaults.

A platform account (Identity) belongs to one person; a workspace or tenant belongs to one
organisation. Someone seen for the first time is created on the spot, so their first message
is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.core.messages import Address, InboundEvent
from bot.core.prompts import LOCALES
from bot.core.text_input import clean_text
from bot.core.validators import timezone as valid_timezone
from bot.organisation.catalog import seed_catalog
from bot.storage.models import Identity, Organisation, Person, Workspace, table_of
from bot.storage.prepared import Prepared, insert_values
from bot.storage.turn_store import PersonState

DEFAULT_ORGANISATION_SLUG = "default"


@dataclass(frozen=True, slots=True)
class OrganisationDefaults:
    """What a new person of the organisation starts with, and where its prompts live."""

    id: int
    locale: str
    timezone: str
    workdays: str
    diary_time: time
    prompts_dir: str | None

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationDefaults:
        return cls(
            id=organisation.id,
            locale=organisation.default_locale,
            timezone=organisation.default_timezone,
            workdays=organisation.default_workdays,
            diary_time=organisation.default_diary_time,
            prompts_dir=organisation.prompts_dir,
        )


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
) -> OrganisationDefaults:
    """The organisation a workspace belongs to; an unknown workspace joins the default one."""
    workspace = session.scalar(
        select(Workspace).where(Workspace.platform == platform, Workspace.tenant == tenant)
    )
    organisation = session.get(Organisation, workspace.organisation_id) if workspace else None
    if organisation is None:
        organisation = default_organisation(session, settings)
        if workspace is None:
            session.add(
                Workspace(organisation_id=organisation.id, platform=platform, tenant=tenant)
            )
        session.flush()
    return OrganisationDefaults.of(organisation)


def organisation_by_id(session: Session, organisation_id: int) -> OrganisationDefaults | None:
    organisation = session.get(Organisation, organisation_id)
    return OrganisationDefaults.of(organisation) if organisation else None


_person_t = table_of(Person)
_identity_t = table_of(Identity)
_INSERT_PERSON = Prepared(
    insert_values(
        _person_t,
        (
            "organisation_id",
            "display_name",
            "locale",
            "timezone",
            "workdays",
            "diary_time",
            "status",
            "role",
            "created_at",
            "locale_chosen",
        ),
    ).returning(_person_t.c.id)
)
_INSERT_IDENTITY = Prepared(
    insert_values(
        _identity_t,
        (
            "person_id",
            "platform",
            "tenant",
            "external_id",
            "conversation",
            "created_at",
            "last_seen_at",
        ),
    ).returning(_identity_t.c.id)
)


def _new_id(statement: Prepared, connection: Connection, values: dict[str, Any]) -> int:
    new_id = statement.scalar(connection, values)
    assert new_id is not None, "INSERT … RETURNING returns the new id"
    return int(new_id)


def create_person(
    connection: Connection, organisation: OrganisationDefaults, event: InboundEvent, now: datetime
) -> PersonState:
    """A new person with the organisation's defaults (and the platform's hints, if valid)."""
    address = event.address
    person = PersonState(
        id=0,
        organisation_id=organisation.id,
        display_name=clean_text(event.display_name or "")[:200],
        locale=event.locale if event.locale in LOCALES else organisation.locale,
        timezone=(event.timezone and valid_timezone(event.timezone)) or organisation.timezone,
        workdays=organisation.workdays,
        diary_time=organisation.diary_time,
        status="active",
        onboarded_at=None,
        onboarding_offered_at=None,
        paused_until=None,
        steady_colleague_id=None,
        identity_id=0,
        platform=address.platform,
        tenant=address.tenant,
        external_id=address.person,
        conversation=address.conversation,
        last_seen_at=now,
        locale_chosen=event.locale in LOCALES,
    )
    person.id = _new_id(
        _INSERT_PERSON,
        connection,
        {
            "organisation_id": person.organisation_id,
            "display_name": person.display_name,
            "locale": person.locale,
            "timezone": person.timezone,
            "workdays": person.workdays,
            "diary_time": person.diary_time,
            "status": person.status,
            "role": "participant",
            "created_at": now,
            "locale_chosen": person.locale_chosen,
        },
    )
    person.identity_id = _new_id(
        _INSERT_IDENTITY,
        connection,
        {
            "person_id": person.id,
            "platform": address.platform,
            "tenant": address.tenant,
            "external_id": address.person,
            "conversation": address.conversation,
            "created_at": now,
            "last_seen_at": now,
        },
    )
    return person


def dm_address(person: PersonState) -> Address:
    """Where to reach a person proactively: the DM of the account they used last."""
    return Address(
        platform=person.platform,
        tenant=person.tenant,
        person=person.external_id,
        conversation=person.conversation,
    )
