"""Code a flow calls by name: what it knows when it starts, and what its answers become.

A starter (keyed by flow id) returns the dialog's context at the start, for `when`
conditions and texts (e.g. whether the person already wrote in the diary today). A completion
handler (`on_complete = "diary_entry"`) stores the typed record and returns the variables the
closing text uses. With `partial` set the flow did not finish (it expired, was stopped or
interrupted); only flows with `keep_partial` get there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from bot import diary
from bot.person_settings import describe_workdays, workdays_of
from bot.prompts import PromptLibrary
from bot.storage.turn_store import DialogState, PersonState


@dataclass(frozen=True, slots=True)
class Completion:
    connection: Connection
    person: PersonState
    dialog: DialogState
    partial: bool
    now: datetime
    prompts: PromptLibrary


Handler = Callable[[Completion], dict[str, Any]]


def _diary_entry(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    diary.store_entry(
        done.connection, done.person.id, dialog.id, dialog.local_date, dict(dialog.answers),
        complete=not done.partial, now=done.now,
    )
    if done.partial:
        return {}
    return {
        "local_date": dialog.local_date,
        "learning": dialog.answers.get("learning"),
        "streak": diary.streak(
            done.connection, done.person.id, done.person.workdays, dialog.local_date
        ),
    }


def _onboarding(done: Completion) -> dict[str, Any]:
    person = done.person
    if not done.partial:
        person.onboarded_at = done.now
    return {
        "workdays": describe_workdays(workdays_of(person), done.prompts, person.locale),
        "diary_time": person.diary_time.strftime("%H:%M"),
        "timezone": person.timezone,
    }


HANDLERS: dict[str, Handler] = {"diary_entry": _diary_entry, "onboarding": _onboarding}


@dataclass(frozen=True, slots=True)
class Start:
    connection: Connection
    person: PersonState
    local_date: date
    is_new: bool


Starter = Callable[[Start], dict[str, Any]]


def _diary_start(start: Start) -> dict[str, Any]:
    if start.is_new:
        return {"entries_today": 0}
    return {"entries_today": diary.entries_on(start.connection, start.person.id, start.local_date)}


STARTERS: dict[str, Starter] = {"diary": _diary_start}
