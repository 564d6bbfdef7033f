"""First contact: the preferences the rhythm depends on (applied as they are answered)."""

from __future__ import annotations

from typing import Any

from bot.flows import ChoiceDef
from bot.hooks import ChoiceQuery, Completion, choice_source, on_complete
from bot.person_settings import describe_workdays, workdays_of
from bot.weekdays import WEEKDAYS


@choice_source("weekdays")
def _weekdays(_query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    return tuple(ChoiceDef(value=day, label=f"weekday.{day}") for day in WEEKDAYS)


@on_complete("onboarding")
def _done(done: Completion) -> dict[str, Any]:
    person = done.person
    if not done.partial:
        person.onboarded_at = done.now
    return {
        "workdays": describe_workdays(workdays_of(person), done.prompts, person.locale),
        "diary_time": person.diary_time.strftime("%H:%M"),
        "timezone": person.timezone,
    }
