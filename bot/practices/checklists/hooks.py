"""Calling up a checklist for a critical task in chat and ticking it off (seed 000).

`checklijst overdracht` / `checklist handover` finds the organisation's checklist by code or
name (bot/practices/checklists/records.py);
without a name, or with one it does not know, the coach asks which
one (stage "pick"). The checklist is a multiple-choice question of its items, those ticked
marked ✓, plus "Klaar"/"Done".

Each round of ticking is one dialog of flow `checklist`: its `on_complete` adds the answer
to the run (the run in the database is the truth, a set of positions, so a repeated tick
changes nothing) and the flow's `then` starts the next round at once, with what is ticked
now. A button of an earlier round belongs to a finished dialog, so the engine answers it as
stale and asks the open round again. When the person chooses "Klaar" or all is ticked, the
run is finished and the last round (stage "finished") asks whether to make a learning moment
of it; that moment goes into today's diary.
"""

from __future__ import annotations

from typing import Any

from bot.core.flows import ChoiceDef
from bot.core.messages import Message, Text
from bot.core.registry import ActionCall, ChoiceQuery, Completion, PracticeHooks, Start
from bot.due import schedule_store
from bot.learning_record import diary
from bot.practices.checklists import records as checklists
from bot.practices.checklists.records import Run
from bot.storage.turn_store import DialogState

hooks = PracticeHooks("checklists")

FLOW = "checklist"
PICK, TICK, FINISHED = "pick", "tick", "finished"
DONE = "done"
TICK_MARK = "✓ "
MAX_ASKED = 80  # how much of an unknown name is repeated back

# The run a round's on_complete hands to the next round's on_start, within one turn (a
# flow's `then` starts the next dialog with an empty context): the turn's note NEXT_ROUND.
NEXT_ROUND = "checklists.next_round"


@hooks.action("checklist")
def _call_up(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    said = call.arguments.strip()
    available = checklists.active_checklists(turn.connection, turn.person.organisation_id)
    found = checklists.find_checklist(available, said) if said else None
    if said and found is None and call.dialog is not None:
        return None  # 'checklist gebruikt bij de overdracht' answers the open question
    if not available:
        return [Text(turn.text("checklist.none"))]
    if found is None:
        return turn.start(FLOW, {"stage": PICK, "asked": said[:MAX_ASKED]})
    run_id = _open_run(call.dialog, found.id)
    if run_id is None:
        run_id = checklists.start_run(turn.connection, turn.person.id, found.id, turn.now)
    return turn.start(FLOW, {"run": run_id})


def _open_run(dialog: DialogState | None, checklist_id: int) -> int | None:
    """The run of the round that is open now, when it is this checklist's: carry on."""
    if dialog is None or dialog.flow_id != FLOW or dialog.context.get("stage") != TICK:
        return None
    if dialog.context.get("checklist_id") != checklist_id:
        return None
    run_id = dialog.context.get("run")
    return run_id if isinstance(run_id, int) else None


@hooks.on_start(FLOW)
def _round(start: Start) -> dict[str, Any]:
    """What a round shows: the checklist, how far the run is, and which stage it is in."""
    handed = start.turn.notes.pop(NEXT_ROUND, None)
    if start.context.get("stage") == PICK:
        return {}
    run = checklists.load_run(start.connection, start.context.get("run", handed),
                              start.person.id)
    if run is None:
        return {"stage": PICK, "asked": ""}
    return _round_context(start, run)


def _round_context(start: Start, run: Run) -> dict[str, Any]:
    locale = start.turn.locale
    found = checklists.checklist(start.connection, run.checklist_id)
    items = checklists.items_of(start.connection, run.checklist_id)
    positions = {item.position for item in items}
    ticked = [position for position in run.ticked if position in positions]
    return {
        "stage": TICK if run.finished_at is None else FINISHED,
        "run": run.id,
        "checklist_id": run.checklist_id,
        "checklist": found.name(locale) if found else "",
        "ticked": ticked,
        "done": len(ticked),
        "total": len(items),
        "all_done": bool(items) and len(ticked) == len(items),
    }


@hooks.choice_source("checklists")
def _checklist_choices(query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    """The organisation's checklists to pick from, by name in the person's language."""
    if query.connection is None:
        return ()
    return tuple(
        ChoiceDef(value=entry.code, text=entry.name(query.locale))
        for entry in checklists.active_checklists(query.connection, query.organisation_id)
    )


@hooks.choice_source("checklist_items")
def _item_choices(query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    """Every item in order (so numbers stay put between rounds), the ticked ones marked,
    then "Klaar"."""
    if query.connection is None:
        return ()
    ticked = set(query.context.get("ticked") or ())
    items = checklists.items_of(query.connection, query.context.get("checklist_id"))
    return (
        *(
            ChoiceDef(value=str(item.position),
                      text=(TICK_MARK if item.position in ticked else "") + item.text(query.locale))
            for item in items
        ),
        ChoiceDef(value=DONE, label="checklist.done"),
    )


@hooks.on_complete(FLOW)
def _round_done(done: Completion) -> dict[str, Any]:
    """Store what the round said; `then` is false once nothing follows."""
    stage = done.dialog.context.get("stage")
    if stage == PICK:
        return _picked(done)
    if stage == TICK:
        return _ticked(done)
    return _moment(done)


def _picked(done: Completion) -> dict[str, Any]:
    code = done.dialog.answers.get("pick")
    available = checklists.active_checklists(done.connection, done.person.organisation_id)
    found = next((entry for entry in available if entry.code == code), None)
    if found is None:
        return {"outcome": "gone", "then": False}
    done.turn.notes[NEXT_ROUND] = checklists.start_run(
        done.connection, done.person.id, found.id, done.now
    )
    return {"outcome": "picked", "checklist": found.name(done.turn.locale)}


def _ticked(done: Completion) -> dict[str, Any]:
    context = done.dialog.context
    run = checklists.load_run(done.connection, context.get("run"), done.person.id)
    if run is None:
        return {"outcome": "gone", "then": False}
    chosen = done.dialog.answers.get("items")
    values = [str(value) for value in chosen] if isinstance(chosen, list) else []
    items = checklists.items_of(done.connection, run.checklist_id)
    result = checklists.tick(
        done.connection, run, [int(v) for v in values if v.isdigit()],
        [item.position for item in items], finish=DONE in values, now=done.now,
    )
    done.turn.notes[NEXT_ROUND] = run.id
    locale = done.turn.locale
    texts = {item.position: item.text(locale) for item in items}
    done_count = sum(1 for position in result.ticked if position in texts)
    return {
        "outcome": "finished" if result.finished else "ticked" if result.newly else "nothing_new",
        "checklist": context.get("checklist", ""),
        "newly": [texts[position] for position in result.newly],
        "done": done_count,
        "total": len(items),
        "all_done": bool(items) and done_count == len(items),
    }


def _moment(done: Completion) -> dict[str, Any]:
    """The learning moment, if the person wanted one, as today's diary entry."""
    answers, dialog = done.dialog.answers, done.dialog
    moment = answers.get("moment")
    if answers.get("moment_offer") is not True or not isinstance(moment, str) or not moment:
        return {"outcome": "no_moment", "then": False}
    found = checklists.checklist(done.connection, dialog.context.get("checklist_id"))
    diary.store_entry(
        done.connection, done.person.id, dialog.id, dialog.local_date,
        {"moments": moment, "checklist": found.code if found else None,
         "checklist_run": dialog.context.get("run")},
        complete=True, now=done.now,
    )
    schedule_store.diary_written(done.connection, done.person.id)  # an entry came in today
    return {"outcome": "moment_saved", "then": False}
