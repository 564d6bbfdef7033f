"""Pausing, resuming and stopping the coaching.

`pauze tot 1 december`, `pause for 2 weeks`, `vakantie` (asks when the person is back),
`hervat` / `resume`, and `stop met coachen` / `opt out` (after a confirmation). A pause is
`Person.status = "paused"` with `paused_until` the last day of the pause in the person's
local calendar; no nudges go out until then (the scheduler asks `receives_nudges`, in
bot/people/pausing.py). The first message after the pause, or `hervat`, brings a short
welcome back and the status "active".
Dates are read by bot/core/date_phrases.py; what it cannot read gets a question back, never a guess.
"""

from __future__ import annotations

from typing import Any

from bot.core.date_phrases import PauseEnd, parse_pause_end
from bot.core.messages import Message, Text
from bot.core.registry import ActionCall, Completion, PracticeHooks, Start, TurnApi
from bot.people.pausing import (
    ACTIVE,
    OPTED_OUT,
    PAUSED,
    pause_is_over,
    problem_text,
    start_pause,
)
from bot.people.preferences import answer_without_command, rhythm_variables
from bot.storage.turn_store import PersonState

hooks = PracticeHooks("pause")

PAUSE_FLOW = "pause"
MAX_ATTEMPTS = 3  # after this many unreadable dates in a row, stop asking
NOT_A_DATE = ("empty", "unclear")

# The turn's note that the welcome back was said already (so `hervat` adds no second text).
WELCOMED = "pause.welcomed"


def _activate(person: PersonState) -> None:
    person.status = ACTIVE
    person.paused_until = None


def _welcome_back(turn: TurnApi, after: str) -> Text:
    turn.notes[WELCOMED] = True
    variables = rhythm_variables(turn.prompts, turn.person)
    return Text(turn.text("pause.welcome_back", after=after, **variables))


@hooks.before_turn
def _pause_over(turn: TurnApi) -> list[Message]:
    """The first message after a pause: welcome back, and the rhythm runs again."""
    person = turn.person
    if person.status != PAUSED or not pause_is_over(person, turn.local_today()):
        return []
    _activate(person)
    return [_welcome_back(turn, "pause")]


# -- pause -------------------------------------------------------------------------------------


def _pause_command(call: ActionCall, *, vacation: bool) -> list[Message] | None:
    turn = call.turn
    dialog = call.dialog
    if dialog is not None and dialog.flow_id == PAUSE_FLOW:
        return None  # the open question is "when are you back?": this is the answer
    if turn.person.status == OPTED_OUT:
        return [Text(turn.text("pause.opted_out"))]
    said = call.arguments.strip()
    if not said:
        return turn.start(PAUSE_FLOW, {"vacation": vacation})
    result = parse_pause_end(said, turn.local_today(), bare="ambiguous")
    if isinstance(result, PauseEnd):
        confirmation = start_pause(
            turn, result, vacation=vacation, open_question=dialog is not None
        )
        return [Text(confirmation)]
    if dialog is not None and result.reason in NOT_A_DATE:
        return None  # 'pauze nemen hielp' is an answer to the open question
    context = {"vacation": vacation, "problem": problem_text(turn, result, said), "attempt": 1}
    return turn.start(PAUSE_FLOW, context)


@hooks.action("pause")
def _pause(call: ActionCall) -> list[Message] | None:
    return _pause_command(call, vacation=False)


@hooks.action("vacation")
def _vacation(call: ActionCall) -> list[Message] | None:
    return _pause_command(call, vacation=True)


@hooks.on_start(PAUSE_FLOW)
def _pause_context(start: Start) -> dict[str, Any]:
    return {"vacation": False, "problem": "", "attempt": 0}


@hooks.on_complete(PAUSE_FLOW)
def _when_back(done: Completion) -> dict[str, Any]:
    """Read "when are you back?"; a date that cannot be used asks the question again."""
    turn = done.turn
    context = done.dialog.context
    vacation = bool(context.get("vacation"))
    said = done.dialog.answers.get("until")
    if not isinstance(said, str):
        return {"outcome": "none"}
    if turn.person.status == OPTED_OUT:
        return {"outcome": "opted_out", "result": turn.text("pause.opted_out")}
    for command in ("pause", "vacation"):
        said = answer_without_command(turn.prompts, said, command)
    result = parse_pause_end(said, turn.local_today(), bare="back_on")
    if isinstance(result, PauseEnd):
        return {
            "outcome": "paused",
            "result": start_pause(turn, result, vacation=vacation, open_question=False),
        }
    attempt = int(context.get("attempt") or 0) + 1
    problem = problem_text(turn, result, said)
    if attempt >= MAX_ATTEMPTS:
        return {"outcome": "gave_up", "result": problem}
    # The question again, as a new dialog; its messages are said by this flow's outro.
    turn.start(PAUSE_FLOW, {"vacation": vacation, "problem": problem, "attempt": attempt})
    return {
        "outcome": "again",
        "result": problem,
        "question": turn.text("pause.until"),
        "hint": turn.text("pause.until_hint"),
    }


# -- resume ------------------------------------------------------------------------------------


@hooks.action("resume")
def _resume(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    person = turn.person
    if person.status in (PAUSED, OPTED_OUT):
        after = "optout" if person.status == OPTED_OUT else "early"
        _activate(person)
        return [_welcome_back(turn, after)]
    if turn.notes.get(WELCOMED):
        return []  # the pause ended just now and the welcome back is said already
    return [Text(turn.text("pause.not_paused"))]


# -- stop (opt out) -----------------------------------------------------------------------------


@hooks.on_start("optout")
def _optout_context(start: Start) -> dict[str, Any]:
    return {"opted_out": start.person.status == OPTED_OUT}


@hooks.on_complete("optout")
def _optout(done: Completion) -> dict[str, Any]:
    if done.dialog.context.get("opted_out"):
        return {"outcome": "already"}
    if done.dialog.answers.get("confirm") is True:
        done.person.status = OPTED_OUT
        done.person.paused_until = None
        return {"outcome": "stopped"}
    return {"outcome": "kept"}
