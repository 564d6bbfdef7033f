"""What the person does with the scheduler's check-in, and coming back after being unreachable.

The check-in (flow `rhythm_check`) comes after three diary nudges in a row without an entry;
the daily nudge is held meanwhile. Whatever the person answers lifts the hold: a new diary
time re-registers their schedule (a changed setting always does), a pause pauses them, and
"carry on" just lifts it.
"""

from __future__ import annotations

from typing import Any

from bot.core.date_phrases import PauseEnd, parse_pause_end
from bot.core.messages import Message
from bot.core.registry import Completion, PracticeHooks, TurnApi
from bot.due import schedule_store
from bot.people.pausing import problem_text, start_pause

hooks = PracticeHooks("check_in")

UNREACHABLE = "unreachable"


@hooks.on_complete("rhythm_check")
def _checked_in(done: Completion) -> dict[str, Any]:
    turn, answers = done.turn, done.dialog.answers
    diary_time = turn.person.diary_time.strftime("%H:%M")
    choice = answers.get("choice")
    if choice == "time":
        return {"outcome": "time", "diary_time": diary_time}
    if choice == "pause":
        said = str(answers.get("until") or "")
        end = parse_pause_end(said, turn.local_today())
        if isinstance(end, PauseEnd):
            result = start_pause(turn, end, vacation=False, open_question=False)
            return {"outcome": "paused", "result": result}
        return {"outcome": "pause_unclear", "result": problem_text(turn, end, said)}
    schedule_store.diary_written(done.connection, turn.person.id)
    return {"outcome": "keep", "diary_time": diary_time}


@hooks.before_turn
def _reachable_again(turn: TurnApi) -> list[Message]:
    """Someone the platform could not reach has written to us: nudge them again."""
    if turn.person.status == UNREACHABLE:
        turn.person.status = "active"
    return []
