"""The daily learning diary (seed 004): what it knows at the start, what it stores at the end."""

from __future__ import annotations

from typing import Any

from bot.core.registry import Completion, PracticeHooks, Start
from bot.due import schedule_store
from bot.learning_record import diary
from bot.learning_record.plans import record_check

hooks = PracticeHooks("diary")


@hooks.on_start("diary")
def _already_today(start: Start) -> dict[str, Any]:
    if start.is_new:
        return {"entries_today": 0}
    return {"entries_today": diary.entries_on(start.connection, start.person.id, start.local_date)}


@hooks.on_complete("diary_entry")
def _store(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    diary.store_entry(
        done.connection, done.person.id, dialog.id, dialog.local_date, dict(dialog.answers),
        complete=not done.partial, now=done.now,
    )
    schedule_store.diary_written(done.connection, done.person.id)  # the missed count resets
    # Check (PDCA): did the person practise the week's plan today? Counted on the plan.
    record_check(done.connection, done.person.id, dialog)
    if done.partial:
        return {}
    return {
        "local_date": dialog.local_date,
        "learning": dialog.answers.get("learning"),
        "streak": diary.streak(
            done.connection, done.person.id, done.person.workdays, dialog.local_date
        ),
    }
