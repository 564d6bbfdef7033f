"""Intervision in a channel (seed 000): a case, its phases in the thread, the case library.

`intervisie` / `intervision`, typed where the group meets, starts the intake (a modal in
Slack, a card in Teams) for someone with the facilitator role (bot.people.roles). The case is
posted in the channel and runs in its thread:

1. clarifying questions — only questions; a contribution that is no question is kept but
   gets a gentle reminder ("eerst vragen, dan adviseren");
2. the case owner restates the core of the problem;
3. the advice round;
4. the case owner says what they will do with it;
5. closing with seed 000's core question — what does this situation teach us about doing
   our craft well? — whose answers are collected as lessons.

The facilitator (or the owner) moves on with the buttons; each phase is announced in the
thread, so everyone sees which one is on. On closing the owner gets a summary in their DM,
and the case stays in the library only when they agreed; they can have it anonymised or
removed (`mijn casussen`, `casus anonimiseren 12`, `casus verwijderen 12`).

Whether something is a question (`is_question`), in Dutch and English: it ends with a
question mark, or it begins with a question word (wie, wat, waar, wanneer, waarom, hoe,
welk(e), hoeveel / who, what, where, when, why, how, which) or with a verb that opens a
question (kun, kan, heb, ben, is, zijn, wil, mag, zou, moet, doe, ga / can, could, do,
does, did, is, are, was, have, has, would, will, should, may). A statement that happens to
start so ("is goed zo") passes: a reminder too many annoys more than one too few.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from bot.core.messages import Address, Choice, Message, Notice, Outbound, Question, Text
from bot.core.registry import ActionCall, ChannelEvent, Completion, PracticeHooks, TurnApi
from bot.core.text_input import clean_text
from bot.people.roles import may_facilitate
from bot.storage.models import CaseContribution, IntervisionCase, Person, table_of

hooks = PracticeHooks("intervision")

_cases = table_of(IntervisionCase)
_contributions = table_of(CaseContribution)
_people = table_of(Person)

PHASES = ("questions", "restate", "advice", "commitment", "closing")
ENDED = ("closed", "cancelled")
PREFIX = "case"
_QUESTION_START = re.compile(
    r"^(wie|wat|waar|wanneer|waarom|hoe|welke?|hoeveel|kun|kan|kunnen|heb|hebben|ben|is|"
    r"zijn|wil|wilde|mag|zou|zouden|moet|doe|deed|ga|gaat|who|what|where|when|why|how|"
    r"which|can|could|do|does|did|is|are|was|were|have|has|had|would|will|should|may)\b",
    re.IGNORECASE)


def is_question(text: str) -> bool:
    """Dutch and English: a question mark, or a question word or verb first."""
    stripped = text.strip().rstrip(" .!)🙂😊")
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


# -- starting a case ---------------------------------------------------------------------


@hooks.action("intervision", in_channel=True)
def _start(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    channel = turn.origin
    if channel is None:
        return [Text(turn.text("intervision.need_channel"))]
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return [Text(turn.text("intervision.not_facilitator"))]
    return turn.start("intervision_intake", {"channel": channel.conversation,
                                             "platform": channel.platform,
                                             "tenant": channel.tenant})


@hooks.on_complete("intervision_intake")
def _intake_done(done: Completion) -> dict[str, Any]:
    answers, context = done.dialog.answers, done.dialog.context
    form = answers.get("case")
    if done.partial or not isinstance(form, dict) or not context.get("channel"):
        return {}
    turn = done.turn
    case_id = int(done.connection.execute(_cases.insert().values(
        organisation_id=done.person.organisation_id, owner_id=done.person.id,
        platform=str(context["platform"]), tenant=str(context["tenant"]),
        conversation=str(context["channel"]), phase="questions",
        story=str(form.get("story", "")), stuck=str(form.get("stuck", "")),
        unsure=str(form.get("unsure", "")), question=str(form.get("question", "")),
        in_library=answers.get("library") is True, anonymised=False, created_at=done.now,
    ).returning(_cases.c.id)).scalar_one())
    owner = done.person.display_name or "?"
    post = turn.text("intervision.case_post", owner=owner, **{
        k: str(form.get(k, "")) for k in ("story", "stuck", "unsure", "question")})
    channel = Address(str(context["platform"]), str(context["tenant"]), "",
                      str(context["channel"]))
    turn.post(channel, _steering(turn, case_id, post, "questions"), anchor=f"{PREFIX}:{case_id}")
    return {}


@hooks.on_anchor(PREFIX)
def _posted(connection: Connection, case_id: int, thread: str) -> None:
    connection.execute(update(_cases).where(_cases.c.id == case_id).values(thread=thread))


def _steering(turn: TurnApi, case_id: int, text: str, phase: str) -> Question:
    """A phase's announcement with the facilitator's buttons."""
    last = phase == PHASES[-1]
    return Question(text=text, ref=f"{PREFIX}:{case_id}", choices=(
        Choice("next", turn.text("intervision.button_finish" if last
                                 else "intervision.button_next")),
        Choice("close", turn.text("intervision.button_close")),
        Choice("cancel", turn.text("intervision.button_cancel")),
    ))


# -- the thread ----------------------------------------------------------------------------


@hooks.on_press(PREFIX)
def _case_pressed(channel: ChannelEvent, case_id: int) -> list[Outbound]:
    """A phase button: only one pressed in the case's own channel steers it (a forged value
    from elsewhere finds no case)."""
    address = channel.event.address
    case = channel.turn.connection.execute(select(_cases).where(
        _cases.c.id == case_id, _cases.c.platform == address.platform,
        _cases.c.tenant == address.tenant,
        _cases.c.conversation == address.conversation)).first()
    if case is None:
        channel.enter()
        return [Outbound(channel.event.address, Notice(channel.turn.text("intervision.over")))]
    return _steer(channel, case, channel.event.value or "")


@hooks.thread_handler
def _case_thread(channel: ChannelEvent) -> list[Outbound] | None:
    address = channel.event.address
    case = channel.turn.connection.execute(select(_cases).where(
        _cases.c.platform == address.platform, _cases.c.tenant == address.tenant,
        _cases.c.conversation == address.conversation,  # thread ids are unique per channel
        _cases.c.thread == address.thread)).first()
    if case is None:
        return None
    return _contribute(channel, case, clean_text(channel.event.text or ""))


def _thread(case: Any) -> Address:
    return Address(case.platform, case.tenant, "", case.conversation, case.thread)


def _owner_name(connection: Connection, case: Any) -> str:
    if case.owner_id is None:
        return "?"
    name = connection.execute(select(_people.c.display_name).where(
        _people.c.id == case.owner_id)).scalar_one_or_none()
    return str(name or "?").split(" ")[0]


def _steer(channel: ChannelEvent, case: Any, choice: str) -> list[Outbound]:
    person = channel.enter()
    turn, connection = channel.turn, channel.turn.connection
    here = _thread(case)
    if case.phase in ENDED:
        return [Outbound(here, Notice(turn.text("intervision.over")))]
    if person.id != case.owner_id and not may_facilitate(connection, turn.settings, person.id):
        return [Outbound(here, Notice(turn.text("intervision.not_steering")))]
    owner = _owner_name(connection, case)
    if choice == "cancel":
        _set(connection, case.id, phase="cancelled", in_library=False, closed_at=turn.now)
        return [Outbound(here, Text(turn.text("intervision.cancelled")))]
    following = PHASES.index(case.phase) + 1 if case.phase in PHASES else len(PHASES)
    if choice == "close" or following >= len(PHASES):
        return _close(turn, case, here, owner)
    phase = PHASES[following]
    _set(connection, case.id, phase=phase)
    text = turn.text(f"intervision.phase_{phase}", owner=owner)
    return [Outbound(here, _steering(turn, case.id, text, phase))]


def _contribute(channel: ChannelEvent, case: Any, text: str) -> list[Outbound]:
    if not text or case.phase in ENDED:
        return []
    person = channel.enter()
    turn, connection = channel.turn, channel.turn.connection
    owner = person.id == case.owner_id
    kind = {"questions": "question", "restate": "restate" if owner else "reaction",
            "advice": "advice", "commitment": "commitment" if owner else "reaction",
            "closing": "lesson"}.get(case.phase, "reaction")
    replies: list[Outbound] = []
    if case.phase == "questions" and not is_question(text):
        kind = "statement"  # kept, with a gentle reminder
        replies.append(Outbound(_thread(case), Notice(turn.text("intervision.questions_first"))))
    connection.execute(_contributions.insert().values(
        case_id=case.id, person_id=person.id, phase=case.phase, kind=kind, text=text[:4000],
        created_at=turn.now))
    if kind == "restate":
        _set(connection, case.id, core_problem=text[:4000])
    elif kind == "commitment":
        _set(connection, case.id, commitment=text[:4000])
    return replies


def _set(connection: Connection, case_id: int, **values: Any) -> None:
    connection.execute(update(_cases).where(_cases.c.id == case_id).values(**values))


def _said(connection: Connection, case_id: int, kind: str) -> list[str]:
    return list(connection.execute(
        select(_contributions.c.text).where(_contributions.c.case_id == case_id,
                                            _contributions.c.kind == kind)
        .order_by(_contributions.c.id)).scalars())


def _close(turn: TurnApi, case: Any, here: Address, owner: str) -> list[Outbound]:
    connection = turn.connection
    _set(connection, case.id, phase="closed", closed_at=turn.now)
    replies = [Outbound(here, Text(turn.text("intervision.closed", owner=owner,
                                             in_library=case.in_library)))]
    if case.owner_id is not None:
        turn.tell(case.owner_id, "intervision.summary", question=case.question,
                  core=case.core_problem or "", commitment=case.commitment or "",
                  advice=_said(connection, case.id, "advice"),
                  lessons=_said(connection, case.id, "lesson"))
    return replies


# -- the owner's own cases ---------------------------------------------------------------


def _own_cases(turn: TurnApi) -> list[dict[str, Any]]:
    rows = turn.connection.execute(
        select(_cases.c.id, _cases.c.created_at, _cases.c.question, _cases.c.in_library,
               _cases.c.anonymised)
        .where(_cases.c.owner_id == turn.person.id).order_by(_cases.c.id)).all()
    return [{"id": r.id, "date": r.created_at.date().isoformat(),
             "question": r.question[:120], "in_library": r.in_library,
             "anonymised": r.anonymised} for r in rows]


@hooks.action("my_cases")
def _my_cases(call: ActionCall) -> list[Message] | None:
    return [Text(call.turn.text("intervision.my_cases", cases=_own_cases(call.turn)))]


def _owned(call: ActionCall) -> int | None:
    number = call.arguments.strip().lstrip("#")
    if not number.isdigit():
        return None
    found = call.turn.connection.execute(select(_cases.c.id).where(
        _cases.c.id == int(number), _cases.c.owner_id == call.turn.person.id)).first()
    return int(number) if found else None


@hooks.action("case_anonymise")
def _anonymise(call: ActionCall) -> list[Message] | None:
    case_id = _owned(call)
    if case_id is None:
        return [Text(call.turn.text("intervision.which_case"))]
    anonymise(call.turn.connection, case_id)
    return [Text(call.turn.text("intervision.anonymised", id=case_id))]


@hooks.action("case_remove")
def _remove(call: ActionCall) -> list[Message] | None:
    case_id = _owned(call)
    if case_id is None:
        return [Text(call.turn.text("intervision.which_case"))]
    remove_from_library(call.turn.connection, case_id)
    return [Text(call.turn.text("intervision.removed", id=case_id))]


def anonymise(connection: Connection, case_id: int) -> None:
    """The owner's name no longer shows in the library (contributions never show names)."""
    _set(connection, case_id, anonymised=True)


def remove_from_library(connection: Connection, case_id: int) -> None:
    _set(connection, case_id, in_library=False)


# -- the case library (leercoach cases) ----------------------------------------------------


def library(connection: Connection, organisation_id: int, words: str = "") -> list[dict[str, Any]]:
    """Closed cases whose owners agreed, newest first; `words` must all appear somewhere in
    the case or what was said about it.

    The words are matched here, after reading, not with LIKE in SQL: the texts may be
    encrypted at rest (bot.storage.encryption). A library is a few hundred cases at most.
    """
    query = (select(_cases, _people.c.display_name)
             .join(_people, _people.c.id == _cases.c.owner_id, isouter=True)
             .where(_cases.c.organisation_id == organisation_id, _cases.c.in_library,
                    _cases.c.phase == "closed")
             .order_by(_cases.c.id.desc()))
    rows = connection.execute(query).all()
    wanted = [word.casefold() for word in words.split()]
    if wanted and rows:
        said: dict[int, list[str]] = {}
        for case_id, text in connection.execute(
                select(_contributions.c.case_id, _contributions.c.text).where(
                    _contributions.c.case_id.in_([row.id for row in rows]))):
            said.setdefault(case_id, []).append(text)
        rows = [row for row in rows if _mentions_all(wanted, [
            row.story, row.stuck, row.unsure, row.question, row.core_problem or "",
            row.commitment or "", *said.get(row.id, [])])]
    found = []
    for row in rows:
        found.append({
            "id": row.id, "date": row.created_at.date().isoformat(),
            "owner": "" if row.anonymised else (row.display_name or ""),
            "story": row.story, "stuck": row.stuck, "unsure": row.unsure,
            "question": row.question, "core": row.core_problem or "",
            "commitment": row.commitment or "",
            "advice": _said(connection, row.id, "advice"),
            "lessons": _said(connection, row.id, "lesson"),
        })
    return found


def _mentions_all(words: list[str], texts: list[str]) -> bool:
    """Whether every word (casefolded) occurs in one of the texts, as LIKE '%word%' did."""
    folded = [text.casefold() for text in texts]
    return all(any(word in text for text in folded) for word in words)


def held_since(connection: Connection, organisation_id: int, since: datetime) -> int:
    """How many cases were closed since `since` (for the dashboard)."""
    return int(connection.execute(select(func.count()).select_from(_cases).where(
        _cases.c.organisation_id == organisation_id, _cases.c.phase == "closed",
        _cases.c.closed_at >= since)).scalar_one())
