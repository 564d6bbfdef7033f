"""Changing preferences later (`instellingen` / `settings`) and the steady colleague.

The settings flow shows what is set now, lets the person pick one thing and change it (the
language, time zone, workdays and diary time apply at once, like in the onboarding). The
steady colleague is looked up by bot/people/colleagues.py; `collega <id>` / `colleague <id>`
sets it directly.
"""

from __future__ import annotations

from typing import Any

from bot.core.date_phrases import long_date
from bot.core.messages import Message, Text
from bot.core.registry import ActionCall, Completion, PracticeHooks, Start
from bot.people.colleagues import (
    COLLEAGUE_COMMAND,
    NO_ONE,
    NoColleague,
    colleague_name,
    colleague_problem,
    find_colleague,
    set_colleague,
)
from bot.people.preferences import answer_without_command, normalised, rhythm_variables

hooks = PracticeHooks("preferences")

COLLEAGUE_STEP = "colleague"
COLLEAGUE_FLOWS = frozenset({"onboarding", "settings"})  # flows that ask "who is it?"


# -- describing what is set --------------------------------------------------------------------


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
