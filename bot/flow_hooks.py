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

from sqlalchemy.orm import Session

from bot import diary
from bot.person_settings import describe_workdays, workdays_of
from bot.prompts import PromptLibrary
from bot.storage.models import Dialog, Person


@dataclass(frozen=True, slots=True)
class Completion:
    session: Session
    person: Person
    dialog: Dialog
    partial: bool
    now: datetime
    prompts: PromptLibrary


Handler = Callable[[Completion], dict[str, Any]]


def _diary_entry(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    diary.store_entry(
        done.session, done.person, dialog.id, dialog.local_date, dict(dialog.answers),
        complete=not done.partial,
    )
    if done.partial:
        return {}
    done.session.flush()
    return {
        "local_date": dialog.local_date,
        "learning": dialog.answers.get("learning"),
        "streak": diary.streak(done.session, done.person, dialog.local_date),
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
    session: Session
    person: Person
    local_date: date


Starter = Callable[[Start], dict[str, Any]]


def _diary_start(start: Start) -> dict[str, Any]:
    return {"entries_today": diary.entries_on(start.session, start.person.id, start.local_date)}


STARTERS: dict[str, Starter] = {"diary": _diary_start}
