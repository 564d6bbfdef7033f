"""First contact: the rhythm explained, and the preferences it depends on (applied as they
are answered); at the end, the steady colleague named is looked up (bot/people/colleagues.py)."""

from __future__ import annotations

from typing import Any

from bot.core.flows import ChoiceDef
from bot.core.registry import ChoiceQuery, Completion, PracticeHooks, Start
from bot.due.weekdays import WEEKDAYS
from bot.people.colleagues import COLLEAGUE_COMMAND, NO_ONE, set_colleague
from bot.people.preferences import answer_without_command, normalised, rhythm_variables

hooks = PracticeHooks("onboarding")


@hooks.choice_source("weekdays")
def _weekdays(_query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    return tuple(ChoiceDef(value=day, label=f"weekday.{day}") for day in WEEKDAYS)


@hooks.on_start("onboarding")
def _known(start: Start) -> dict[str, Any]:
    """A language given when the person was created (by the platform or `chat --locale`)
    is not asked for again."""
    return {"locale_chosen": start.person.locale_chosen}


@hooks.on_complete("onboarding")
def _done(done: Completion) -> dict[str, Any]:
    person = done.person
    if not done.partial:
        person.onboarded_at = done.now
    colleague_text = ""
    said = done.dialog.answers.get("colleague")
    if isinstance(said, str) and done.dialog.answers.get("has_colleague") is True:
        said = answer_without_command(done.prompts, said, COLLEAGUE_COMMAND)
        if normalised(said) not in NO_ONE:
            colleague_text = set_colleague(done.turn, said)
    return {**rhythm_variables(done.prompts, person), "colleague_text": colleague_text}
