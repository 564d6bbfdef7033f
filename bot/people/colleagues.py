"""The steady colleague: someone of the same workspace, found by what the person typed.

The person types their user id or @handle on this platform (or their display name, when
only one person has it); it is kept in `Person.steady_colleague_id`. Both the onboarding and
the settings ask for it, so it is looked up here, below the practices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, func, select

from bot.core.registry import TurnApi
from bot.core.text_input import clean_text
from bot.people.preferences import normalised
from bot.storage.models import Identity, Person, table_of
from bot.storage.turn_store import PersonState

_identity_t = table_of(Identity)
_person_t = table_of(Person)


COLLEAGUE_COMMAND = "colleague"


NO_ONE = frozenset(
    {"geen", "niemand", "geen collega", "geen vaste collega", "none", "nobody", "no one",
     "noone", "-", "nee", "no"}
)


_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$")  # Slack: <@U123> or <@U123|jan>


@dataclass(frozen=True, slots=True)
class Colleague:
    """Someone of the same workspace, found by what the person typed."""

    person_id: int
    name: str


@dataclass(frozen=True, slots=True)
class NoColleague:
    """Why nobody was found: `unknown`, `self` (that is you), `several` (a name that more
    people have), `empty`."""

    reason: Literal["unknown", "self", "several", "empty"]
    said: str = ""


def handle_of(text: str) -> str:
    """The account id in what was typed: '@jan' → 'jan', '<@U123|jan>' → 'U123'."""
    said = clean_text(text).strip().strip("“”\"'")
    mention = _MENTION.match(said)
    if mention:
        return mention[1]
    return said[1:].strip() if said.startswith("@") else said


def find_colleague(
    connection: Connection, person: PersonState, text: str
) -> Colleague | NoColleague:
    """A person of the same workspace (platform and tenant) and organisation, by their user
    id on this platform (case-insensitive), else by a display name only they have."""
    said = clean_text(text)
    handle = handle_of(said)
    if not handle:
        return NoColleague("empty")
    if len(handle) > 200:
        return NoColleague("unknown", said[:80])
    same_workspace = (
        _identity_t.c.platform == person.platform,
        _identity_t.c.tenant == person.tenant,
        _person_t.c.organisation_id == person.organisation_id,
    )
    joined = _identity_t.join(_person_t, _person_t.c.id == _identity_t.c.person_id)
    rows = connection.execute(
        select(_person_t.c.id, _identity_t.c.external_id, _person_t.c.display_name)
        .select_from(joined)
        .where(*same_workspace, func.lower(_identity_t.c.external_id) == handle.lower())
    ).all()
    exact = [row for row in rows if row.external_id == handle]
    candidates = {row.id: row for row in (exact or rows)}
    if not candidates:
        by_name = connection.execute(
            select(_person_t.c.id, _identity_t.c.external_id, _person_t.c.display_name)
            .select_from(joined)
            .where(*same_workspace, func.lower(_person_t.c.display_name) == handle.lower())
        ).all()
        candidates = {row.id: row for row in by_name}
        if len(candidates) > 1:
            return NoColleague("several", said)
    if len(candidates) != 1:
        return NoColleague("unknown", said)
    [row] = candidates.values()
    if row.id == person.id:
        return NoColleague("self", said)
    return Colleague(row.id, row.display_name or f"@{row.external_id}")


def colleague_name(connection: Connection, person_id: int | None) -> str:
    """How to call the steady colleague: their display name, else their user id."""
    if person_id is None:
        return ""
    row = connection.execute(
        select(_person_t.c.display_name, _identity_t.c.external_id)
        .select_from(_person_t.outerjoin(_identity_t, _identity_t.c.person_id == _person_t.c.id))
        .where(_person_t.c.id == person_id)
        .order_by(_identity_t.c.last_seen_at.desc())
        .limit(1)
    ).first()
    if row is None:
        return ""
    return str(row.display_name or (f"@{row.external_id}" if row.external_id else ""))


def set_colleague(turn: TurnApi, said: str) -> str:
    """Look up and store the steady colleague; the sentence that tells the person."""
    person = turn.person
    if normalised(said) in NO_ONE:
        person.steady_colleague_id = None
        return turn.text("settings.colleague_cleared")
    found = find_colleague(turn.connection, person, said)
    if isinstance(found, NoColleague):
        return colleague_problem(turn, found)
    person.steady_colleague_id = found.person_id
    return turn.text("settings.colleague_set", colleague=found.name)


def colleague_problem(turn: TurnApi, problem: NoColleague) -> str:
    if problem.reason == "empty":
        return turn.text("settings.colleague_how")
    return turn.text(f"settings.colleague_{problem.reason}", said=problem.said)
