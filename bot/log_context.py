"""What a log line is about, beyond its message: the request, the turn, the platform and the
outcome, carried in context variables so any module's log line picks them up (the JSON
format prints them; adapters/logs.py). Ids only: never a person's name or text."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
TURN_ID: ContextVar[str | None] = ContextVar("turn_id", default=None)
PLATFORM: ContextVar[str | None] = ContextVar("platform", default=None)
OUTCOME: ContextVar[str | None] = ContextVar("outcome", default=None)

FIELDS = {"request_id": REQUEST_ID, "turn_id": TURN_ID, "platform": PLATFORM,
          "outcome": OUTCOME}


def new_id() -> str:
    """A short random id for a request or a turn."""
    return uuid.uuid4().hex[:16]


def current() -> dict[str, str]:
    """The fields set in this context, for a log record."""
    return {name: value for name, var in FIELDS.items() if (value := var.get()) is not None}
