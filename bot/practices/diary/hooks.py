"""The daily learning diary (seed 004): what it knows at the start, what it stores at the end."""

from __future__ import annotations

from typing import Any

from bot.config import Settings
from bot.core.registry import Completion, FollowUp, FollowUpQuery, PracticeHooks, Start
from bot.due import schedule_store
from bot.learning_record import diary
from bot.learning_record.plans import record_check
from bot.practices.diary import deepening

FOLLOW_UPS = "follow_ups"  # the dialog context's follow-ups (see bot.conversation.turn)

hooks = PracticeHooks("diary")


@hooks.on_start("diary")
def _already_today(start: Start) -> dict[str, Any]:
    if start.is_new:
        return {"entries_today": 0}
    return {"entries_today": diary.entries_on(start.connection, start.person.id, start.local_date)}


def deepening_on(settings: Settings) -> bool:
    """Whether diaries get their follow-up (LEERCOACH_DIARY_DEEPENING, on by default)."""
    return settings.diary_deepening


@hooks.follow_up("diary_deepening")
def _deepen(query: FollowUpQuery) -> FollowUp | None:
    """One question about what the person wrote, by another rule than last time."""
    if not deepening_on(query.turn.settings):
        return None
    lists = deepening.Lists.of(query.turn.prompts, query.turn.locale)
    last = diary.last_follow_up_rule(query.connection, query.person.id)
    return deepening.choose(query.dialog.answers, lists, last)


def _answers_with_follow_up(done: Completion) -> dict[str, Any]:
    """The answers, and the follow-up asked (its rule and question as the person read it),
    so the next follow-up can differ and the export shows what the answer answers."""
    answers = dict(done.dialog.answers)
    asked = done.dialog.context.get(FOLLOW_UPS, {}).get(diary.FOLLOW_UP)
    if isinstance(asked, dict):
        answers[diary.FOLLOW_UP_RULE] = asked["rule"]
        answers[diary.FOLLOW_UP_QUESTION] = done.turn.text(asked["key"], **asked["variables"])
    return answers


@hooks.on_complete("diary_entry")
def _store(done: Completion) -> dict[str, Any]:
    dialog = done.dialog
    diary.store_entry(
        done.connection, done.person.id, dialog.id, dialog.local_date,
        _answers_with_follow_up(done), complete=not done.partial, now=done.now,
    )
    schedule_store.diary_written(done.connection, done.person.id)  # the missed count resets
    # Check (PDCA): did the person practise the week's plan today? Counted on the plan.
    record_check(done.connection, done.person.id, dialog)
    if done.partial:
        return {}
    return {
        "local_date": dialog.local_date,
        "learning": dialog.answers.get("learning"),
        "deepened": bool(dialog.answers.get(diary.FOLLOW_UP)),
        "streak": diary.streak(
            done.connection, done.person.id, done.person.workdays, dialog.local_date
        ),
    }
