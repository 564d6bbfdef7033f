"""Conversation references: what a platform needs to message someone who did not write.

Kept as the platform's own JSON (opaque to the engine). Saved with an upsert, so the
reference refreshed on every message costs one statement, and replicas agree on the last.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.models import ConversationReference, table_of

_references = table_of(ConversationReference)
TEAM_KEY = "teamId"  # in a channel's reference: the team it belongs to (see forget_team)


def save(connection: Connection, platform: str, tenant: str, person: str, conversation: str,
         data: dict[str, Any], now: datetime) -> None:
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_references).values(
        platform=platform, tenant=tenant, person=person, conversation=conversation, data=data,
        updated_at=now)
    connection.execute(statement.on_conflict_do_update(
        index_elements=["platform", "tenant", "person", "conversation"],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at}))


def latest(connection: Connection, platform: str, tenant: str, person: str,
           conversation: str | None = None) -> dict[str, Any] | None:
    """The reference for a person (their most recent conversation unless one is named), or
    for a channel (`person` "")."""
    query = select(_references.c.data).where(
        _references.c.platform == platform, _references.c.tenant == tenant,
        _references.c.person == person)
    if conversation is not None:
        query = query.where(_references.c.conversation == conversation)
    found = connection.execute(query.order_by(_references.c.updated_at.desc()).limit(1)).first()
    return dict(found.data) if found is not None else None


def forget(connection: Connection, platform: str, tenant: str, person: str,
           conversation: str) -> int:
    """Drop one reference (the app was removed there): nothing proactive goes there again.
    Returns how many were dropped."""
    return int(connection.execute(delete(_references).where(
        _references.c.platform == platform, _references.c.tenant == tenant,
        _references.c.person == person, _references.c.conversation == conversation)).rowcount)


def forget_team(connection: Connection, platform: str, tenant: str, team: str) -> list[str]:
    """Drop the channel references of a team the app was removed from: its own (the team's
    id is its General channel's) and those stored with `"teamId": team`. Returns the
    channels dropped."""
    rows = connection.execute(select(_references.c.conversation, _references.c.data).where(
        _references.c.platform == platform, _references.c.tenant == tenant,
        _references.c.person == "")).all()
    channels = [row.conversation for row in rows if row.conversation == team
                or (isinstance(row.data, dict) and row.data.get(TEAM_KEY) == team)]
    if channels:
        connection.execute(delete(_references).where(
            _references.c.platform == platform, _references.c.tenant == tenant,
            _references.c.person == "", _references.c.conversation.in_(channels)))
    return channels
