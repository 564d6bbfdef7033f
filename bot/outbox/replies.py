"""A reply the platform would not take right now, kept in the outbox until it is delivered.

A turn's reply is normally posted at once. When the platform answers "later" (HTTP 429
with Retry-After, a server error, a network failure) past what the adapter waits for in
place, the adapter hands the reply here: one delivery row of kind `reply`, holding the
rendered messages (sealed like other context when a key is set), due when the platform said
it may be tried again. The dispatcher sends it like any other row, with its retries, so
a reply is never lost to a busy platform or a restart.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from bot.core.messages import (
    Address,
    Choice,
    File,
    Form,
    FormField,
    Message,
    Notice,
    Outbound,
    Question,
    Scale,
    Text,
)
from bot.outbox import deliveries
from bot.storage.models import Identity, table_of

REPLY = "reply"
KEEP_FOR = timedelta(days=1)  # a reply older than a day is no answer any more
_MESSAGES: dict[str, type[Any]] = {cls.__name__: cls for cls in (
    Text, Notice, Question, Scale, Form, File)}
_identities = table_of(Identity)


def person_at(connection: Connection, address: Address) -> int | None:
    """The person a platform account belongs to (None for someone not stored)."""
    found = connection.execute(
        select(_identities.c.person_id).where(
            _identities.c.platform == address.platform,
            _identities.c.tenant == address.tenant,
            _identities.c.external_id == address.person)).scalar()
    return int(found) if found is not None else None


def hold(connection: Connection, outbounds: list[Outbound], now: datetime,
         wait_seconds: float, reason: str) -> str | None:
    """Queue a reply for the dispatcher, due after `wait_seconds`; the row's key, or None
    when nobody stored is addressed (nothing to deliver to later)."""
    if not outbounds:
        return None
    person = person_at(connection, outbounds[0].address)
    if person is None:
        return None
    key = deliveries.key(REPLY, person, uuid.uuid4().hex)
    at = now + timedelta(seconds=max(0.0, wait_seconds))
    deliveries.enqueue(connection, [deliveries.NewDelivery(
        key, person, REPLY, REPLY, REPLY, now.date(), at, now + KEEP_FOR,
        {"outbounds": [_data(o) for o in outbounds]}, note=reason)], now)
    return key


def held(context: dict[str, Any] | None) -> list[Outbound]:
    """The messages a `reply` row holds."""
    return [_outbound(item) for item in (context or {}).get("outbounds") or ()]


def _data(outbound: Outbound) -> dict[str, Any]:
    return {"address": asdict(outbound.address), "kind": type(outbound.message).__name__,
            "message": asdict(outbound.message), "anchor": outbound.anchor,
            "answers": outbound.answers}


def _outbound(item: dict[str, Any]) -> Outbound:
    address = dict(item["address"])
    address["members"] = tuple(address.get("members") or ())
    return Outbound(Address(**address), _message(item["kind"], dict(item["message"])),
                    anchor=item.get("anchor"), answers=item.get("answers"))


def _message(kind: str, data: dict[str, Any]) -> Message:
    cls = _MESSAGES[kind]
    known = {f.name for f in fields(cls)}
    data = {name: value for name, value in data.items() if name in known}
    if cls is Question:
        data["choices"] = tuple(Choice(**c) for c in data.get("choices") or ())
        data["selected"] = tuple(data.get("selected") or ())
    if cls is Form:
        data["fields"] = tuple(FormField(**f) for f in data.get("fields") or ())
    message: Message = cls(**data)
    return message
