"""The preferences a step may set on the person right away (`applies = "timezone"`), and how
texts describe them.

Applied at once rather than at the end of a flow, so a person who picks English hears the
next question in English, and a half-finished onboarding still keeps what was chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Any

from bot.core.prompts import LOCALES, PromptLibrary, list_of
from bot.core.text_input import clean_text
from bot.due.weekdays import WEEKDAYS
from bot.storage.turn_store import PersonState

PERSON_SETTINGS: tuple[str, ...] = ("locale", "timezone", "workdays", "diary_time")


def workdays_of(person: PersonState) -> list[str]:
    return [day for day in person.workdays.split(",") if day in WEEKDAYS]


def describe_workdays(days: list[str], prompts: PromptLibrary, locale: str) -> str:
    """The days as the language lists them ("maandag, dinsdag en vrijdag")."""
    return list_of((prompts.render(f"weekday.{day}", locale) for day in days), locale)


def current_value(person: PersonState, name: str, prompts: PromptLibrary, locale: str) -> str:
    """How the setting reads now, for texts like 'it is set to Europe/Amsterdam now'."""
    if name == "workdays":
        return describe_workdays(workdays_of(person), prompts, locale)
    if name == "diary_time":
        return person.diary_time.strftime("%H:%M")
    return str(getattr(person, name))


def selected_values(person: PersonState, name: str) -> tuple[str, ...]:
    """The choices to show as already selected (today's workdays, the current language)."""
    if name == "workdays":
        return tuple(workdays_of(person))
    if name == "locale":
        return (person.locale,)
    return ()


def _set_locale(person: PersonState, value: Any) -> None:
    if value in LOCALES:
        person.locale = value
        person.locale_chosen = True


def _set_timezone(person: PersonState, value: Any) -> None:
    person.timezone = str(value)


def _set_workdays(person: PersonState, value: Any) -> None:
    days = [day for day in WEEKDAYS if day in set(value)]
    if days:
        person.workdays = ",".join(days)


def _set_diary_time(person: PersonState, value: Any) -> None:
    hour, minute = str(value).split(":")
    person.diary_time = time(int(hour), int(minute))


APPLIERS: dict[str, Callable[[PersonState, Any], None]] = {
    "locale": _set_locale,
    "timezone": _set_timezone,
    "workdays": _set_workdays,
    "diary_time": _set_diary_time,
}


def apply_setting(person: PersonState, name: str, value: Any) -> None:
    APPLIERS[name](person, value)


def answer_without_command(prompts: PromptLibrary, text: str, command: str) -> str:
    """What follows the command word when an answer was typed as a command
    ('collega @jan' in answer to "who is it?")."""
    match = prompts.command_for(text)
    if match is not None and match.command.name == command:
        return match.arguments
    return text


def normalised(text: str) -> str:
    return " ".join(clean_text(text).lower().split()).rstrip(".!")


def rhythm_variables(prompts: PromptLibrary, person: PersonState) -> dict[str, str]:
    """The person's diary rhythm for texts: workdays and diary time."""
    return {
        "workdays": describe_workdays(workdays_of(person), prompts, person.locale),
        "diary_time": person.diary_time.strftime("%H:%M"),
        "timezone": person.timezone,
    }
