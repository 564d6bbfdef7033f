"""Changing preferences later (`instellingen` / `settings`) and the steady colleague.

The settings flow shows what is set now, lets the person pick one thing and change it (the
language, time zone, workdays and diary time apply at once, like in the onboarding). The
steady colleague is someone of the same workspace: the person types their user id or
@handle on this platform (or their display name, when only one person has it); it is kept in
`Person.steady_colleague_id`. `collega <id>` / `colleague <id>` sets it directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from babel.dates import format_date
from sqlalchemy import Connection, func, select

from bot.core.messages import Message, Text
from bot.core.prompts import PromptLibrary
from bot.core.registry import ActionCall, Completion, PracticeHooks, Start, TurnApi
from bot.core.text_input import clean_text
from bot.people.preferences import describe_workdays, workdays_of
from bot.storage.models import Identity, Person, table_of
from bot.storage.turn_store import PersonState

hooks = PracticeHooks("preferences")

COLLEAGUE_COMMAND = "colleague"
COLLEAGUE_STEP = "colleague"
COLLEAGUE_FLOWS = frozenset({"onboarding", "settings"})  # flows that ask "who is it?"
NO_ONE = frozenset(
    {"geen", "niemand", "geen collega", "geen vaste collega", "none", "nobody", "no one",
     "noone", "-", "nee", "no"}
)
_MENTION = re.compile(r"^<@([A-Za-z0-9._:-]+)(?:\|[^>]*)?>$")  # Slack: <@U123> or <@U123|jan>

_identity_t = table_of(Identity)
_person_t = table_of(Person)


# -- finding the steady colleague -----------------------------------------------------------


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


def answer_without_command(prompts: PromptLibrary, text: str, command: str) -> str:
    """What follows the command word when an answer was typed as a command
    ('collega @jan' in answer to "who is it?")."""
    match = prompts.command_for(text)
    if match is not None and match.command.name == command:
        return match.arguments
    return text


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


def normalised(text: str) -> str:
    return " ".join(clean_text(text).lower().split()).rstrip(".!")


# -- describing what is set --------------------------------------------------------------------


def rhythm_variables(prompts: PromptLibrary, person: PersonState) -> dict[str, str]:
    """The person's diary rhythm for texts: workdays and diary time."""
    return {
        "workdays": describe_workdays(workdays_of(person), prompts, person.locale),
        "diary_time": person.diary_time.strftime("%H:%M"),
        "timezone": person.timezone,
    }


def long_date(day: date, locale: str, today: date | None = None) -> str:
    """'maandag 1 december', with the year when it is not this year's."""
    pattern = "EEEE d MMMM" if today is None or day.year == today.year else "EEEE d MMMM y"
    return str(format_date(day, pattern, locale=locale))


@hooks.on_start("settings")
def _current(start: Start) -> dict[str, Any]:
    turn = start.turn
    person = turn.person
    status_line = ""
    if person.status == "paused" and person.paused_until is not None:
        until = long_date(person.paused_until, person.locale, start.local_date)
        status_line = turn.text("settings.paused_line", until=until)
    elif person.status == "opted_out":
        status_line = turn.text("settings.opted_out_line")
    return {
        "language": turn.text(f"settings.language_{person.locale}"),
        **rhythm_variables(turn.prompts, person),
        "colleague": colleague_name(turn.connection, person.steady_colleague_id),
        "status_line": status_line,
    }


@hooks.on_complete("settings")
def _changed(done: Completion) -> dict[str, Any]:
    turn = done.turn
    person = done.person
    answers = done.dialog.answers
    what = answers.get("what")
    if not isinstance(what, str) or what not in answers:
        return {"result": ""}
    if what == "colleague":
        said = answer_without_command(turn.prompts, str(answers[what]), COLLEAGUE_COMMAND)
        return {"result": set_colleague(turn, said)}
    value = rhythm_variables(turn.prompts, person).get(what, "")
    return {"result": turn.text(f"settings.changed_{what}", value=value)}


@hooks.action("colleague")
def _colleague(call: ActionCall) -> list[Message] | None:
    """`collega` shows the steady colleague; `collega @jan` sets it; `collega geen` clears it.
    Arguments that name nobody are an answer to an open question ('collega hielp me')."""
    turn = call.turn
    said = call.arguments.strip()
    dialog = call.dialog
    if dialog is not None and dialog.flow_id in COLLEAGUE_FLOWS and (
        dialog.step_id == COLLEAGUE_STEP
    ):
        return None  # the open question is "who is your colleague?": this is the answer
    if not said:
        name = colleague_name(turn.connection, turn.person.steady_colleague_id)
        return [
            Text(turn.text("settings.colleague_now", colleague=name)),
            Text(turn.text("settings.colleague_how")),
        ]
    if normalised(said) in NO_ONE:
        return [Text(set_colleague(turn, said))]
    found = find_colleague(turn.connection, turn.person, said)
    if isinstance(found, NoColleague):
        if dialog is not None and found.reason == "unknown":
            return None
        return [Text(colleague_problem(turn, found))]
    turn.person.steady_colleague_id = found.person_id
    return [Text(turn.text("settings.colleague_set", colleague=found.name))]
