"""Taking part in the weekly peer review: the round's message, "did you meet?", joining and
leaving (bot/practices/pairing/rounds.py forms the rounds; this is what people say about them).

`koppel mij` / `pair me` joins (the organisation's only cohort, or the one named),
`niet meer koppelen` / `stop pairing` leaves every cohort, `nieuwe collega` / `new partner`
asks for someone else next round. After a round, "did you meet?" records the answer; three
rounds in a row without meeting brings the question whether to stop pairing for now.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.core.date_phrases import long_date
from bot.core.messages import Message, Text
from bot.core.registry import ActionCall, ChannelMembership, Completion, PracticeHooks, Start
from bot.due.weekdays import WEEKDAYS
from bot.organisation import cohorts as enrolment
from bot.practices.pairing import rounds
from bot.storage.models import Cohort, table_of

hooks = PracticeHooks("pairing")

_cohorts = table_of(Cohort)


@hooks.on_start("peer_review")
@hooks.on_start("mentor_checkin")
@hooks.on_start("peer_met")
def _round_dates(start: Start) -> dict[str, Any]:
    ends_on = start.context.get("ends_on")
    if not isinstance(ends_on, str):
        return {"ends_on_text": ""}
    day = date.fromisoformat(ends_on)
    return {"ends_on_text": long_date(day, start.turn.locale, start.local_date)}


@hooks.on_complete("peer_review")
@hooks.on_complete("mentor_checkin")
def _planned(done: Completion) -> dict[str, Any]:
    return {"answers": dict(done.dialog.answers),
            "cadence_weeks": done.dialog.context.get("cadence_weeks", 1)}


@hooks.on_complete("peer_met")
def _met(done: Completion) -> dict[str, Any]:
    context, answers = done.dialog.context, done.dialog.answers
    round_id = context.get("round_id")
    met = answers.get("met") is True
    if isinstance(round_id, int):
        rounds.record_met(done.connection, round_id, done.person.id, met)
    if met:
        return {"outcome": "met", "then": True}
    if answers.get("pause") is True:
        for cohort_id, _ in enrolment.membership(done.connection, done.person.id):
            enrolment.leave(done.connection, cohort_id, done.person.id, done.now)
        return {"outcome": "paused", "then": False}
    return {"outcome": "not_met", "then": False}


@hooks.on_start("cohort_joined")
def _cohort(start: Start) -> dict[str, Any]:
    weekday = start.context.get("weekday", 0)
    index = weekday if isinstance(weekday, int) and 0 <= weekday < 7 else 0
    return {"weekday_name": start.turn.text(f"weekday.{WEEKDAYS[index]}")}


@hooks.on_complete("cohort_joined")
def _stay(done: Completion) -> dict[str, Any]:
    cohort_id = done.dialog.context.get("cohort_id")
    if done.dialog.answers.get("stay") is False and isinstance(cohort_id, int):
        enrolment.leave(done.connection, cohort_id, done.person.id, done.now)
        return {"outcome": "left"}
    return {"outcome": "stays"}


def _organisation_cohorts(call: ActionCall) -> list[tuple[int, str]]:
    return [(cohort_id, name) for cohort_id, name in call.turn.connection.execute(
        select(_cohorts.c.id, _cohorts.c.name)
        .where(_cohorts.c.organisation_id == call.turn.person.organisation_id)
        .order_by(_cohorts.c.name)
    )]


@hooks.action("pair_me", in_channel=True)
def _pair_me(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    choices = _organisation_cohorts(call)
    wanted = call.arguments.strip().casefold()
    if wanted:
        choices = [(cohort_id, name) for cohort_id, name in choices
                   if name.casefold() == wanted] or choices
    if not choices:
        return [Text(turn.text("pairing.no_cohort"))]
    if len(choices) > 1:
        names = ", ".join(name for _, name in choices)
        return [Text(turn.text("pairing.which", names=names))]
    cohort_id, name = choices[0]
    joined = enrolment.join(turn.connection, cohort_id, turn.person.id, turn.now)
    return [Text(turn.text("pairing.joined" if joined else "pairing.already", cohort=name))]


def _for_each_cohort(call: ActionCall, change: Callable[[int], object], key: str) -> list[Message]:
    """Apply `change` to every cohort the person takes part in, then say `key`."""
    turn = call.turn
    cohorts = enrolment.membership(turn.connection, turn.person.id)
    if not cohorts:
        return [Text(turn.text("pairing.not_member"))]
    for cohort_id, _ in cohorts:
        change(cohort_id)
    return [Text(turn.text(key, cohort=", ".join(name for _, name in cohorts)))]


@hooks.action("stop_pairing", in_channel=True)
def _stop_pairing(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    return _for_each_cohort(
        call, lambda cohort_id: enrolment.leave(turn.connection, cohort_id, turn.person.id,
                                             turn.now),
        "pairing.left")


@hooks.action("new_partner")
def _new_partner(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    return _for_each_cohort(
        call, lambda cohort_id: rounds.ask_new_partner(turn.connection, cohort_id,
                                                       turn.person.id),
        "pairing.new_partner")


@hooks.membership_handler
def _cohort_membership(change: ChannelMembership) -> int:
    """Joining a channel tied to cohorts enrols the person in them (and queues each
    cohort's welcome); leaving it takes them out."""
    address = change.event.address
    connection, now = change.turn.connection, change.turn.now
    cohorts = enrolment.cohorts_of_channel(
        connection, enrolment.channel_key(address.platform, address.tenant, address.conversation))
    if not cohorts:
        return 0
    person_id = change.member()
    if person_id is None:
        return 0
    changed = 0
    for cohort_id in cohorts:
        if change.joined and enrolment.join(connection, cohort_id, person_id, now):
            enrolment.queue_welcome(connection, cohort_id, person_id, now)
            changed += 1
        elif not change.joined and enrolment.leave(connection, cohort_id, person_id, now):
            changed += 1
    return changed
