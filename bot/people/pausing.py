"""A person's pause: whether they are paused or opted out, and starting a pause.

The pause practice (`pauze`, `vakantie`, `hervat`, `stop met coachen`) and the scheduler's
check-in both pause someone, and the overview shows the status, so it lives here, below
the practices. A pause is `Person.status = "paused"` with `paused_until` the last day of
the pause in the person's local calendar.
"""

from __future__ import annotations

from datetime import date

from bot.core.date_phrases import DateProblem, PauseEnd, long_date, without_connector
from bot.core.registry import TurnApi
from bot.storage.turn_store import PersonState

ACTIVE, PAUSED, OPTED_OUT = "active", "paused", "opted_out"


def is_paused(person: PersonState, local_today: date) -> bool:
    """Paused on `local_today`: the status says so and the last day has not passed."""
    return person.status == PAUSED and (
        person.paused_until is None or local_today <= person.paused_until
    )


def receives_nudges(person: PersonState, local_today: date) -> bool:
    """What the scheduler asks before it nudges someone: not opted out, not paused today.
    (A pause that has ended counts as over even before the person writes again.)"""
    return person.status != OPTED_OUT and not is_paused(person, local_today)


def pause_is_over(person: PersonState, local_today: date) -> bool:
    return person.status == PAUSED and (
        person.paused_until is not None and local_today > person.paused_until
    )


def start_pause(turn: TurnApi, end: PauseEnd, *, vacation: bool, open_question: bool) -> str:
    """Pause the person until `end` (inclusive); the sentence that confirms it."""
    person = turn.person
    person.status = PAUSED
    person.paused_until = end.last_day
    today = turn.local_today()
    return turn.text(
        "pause.paused",
        last_day=long_date(end.last_day, turn.locale, today),
        back_on=long_date(end.back_on, turn.locale, today),
        vacation=vacation,
        open_question=open_question,
    )


def problem_text(turn: TurnApi, problem: DateProblem, said: str) -> str:
    """Why the date could not be used, in the person's language (a question follows)."""
    today = turn.local_today()
    return turn.text(
        f"pause.problem_{problem.reason}",
        said=without_connector(said),
        day=long_date(problem.day, turn.locale, today) if problem.day else "",
        alternative=long_date(problem.alternative, turn.locale, today)
        if problem.alternative
        else "",
        is_today=problem.day == today,
    )
