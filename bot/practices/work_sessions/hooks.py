"""Action-learning work sessions in chat (seed 000): agenda items, votes, the agenda in the
team's channel, decisions with owners, learnings, and experiments.

Before a session every member gets a DM asking what they want to discuss, decide or try
(flow `worksession_propose`, queued by the scheduler; `agendapunt …` / `agenda item …`
any time). A DM, not a thread in the channel: the outbox reaches each member once,
respecting pauses, on every platform (the terminal and web chat have no channels), and a
quieter colleague brings a point without speaking up in front of the group first. Each
item is then posted in the team's channel with a vote button, so priorities form in the
open: everyone has MAX_VOTES votes per session, pressing again takes a vote back. `agenda`
shows the agenda with the same buttons in the DM.

The facilitator (bot.people.roles) gets the agenda, ordered by votes, the day before and posts it
in the channel with one answer (`agenda plaatsen` / `post agenda` any time). After the
session they record decisions, each with an owner, and learnings: flow
`worksession_record` (sent by the scheduler, or `werksessie vastleggen`), which loops until
"Klaar" and then posts the summary in the channel, or `besluit …` / `decision …` and
`leerpunt …` / `learning …`. Owners are told at once and asked how it stands before the
next session (flow `worksession_followup`); the next agenda shows the answers.

A seemingly impossible assignment is put on the agenda as an experiment (`experiment …`,
or that choice in the DM): its proposer owns it, keeps a log (`experiment log …`) and ends
it with a reflection (`experiment afronden`), which they may share in the channel.
Everyone may propose and vote; only facilitators post the agenda and record outcomes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.core.flows import ChoiceDef
from bot.core.messages import Choice, Message, Notice, Outbound, Question, Text
from bot.core.registry import (
    ActionCall,
    ChannelEvent,
    ChoiceQuery,
    Completion,
    PracticeHooks,
    Start,
    TurnApi,
)
from bot.core.text_input import clean_text
from bot.organisation import teams
from bot.people.roles import may_facilitate
from bot.practices.work_sessions import records as ws

hooks = PracticeHooks("work_sessions")

VOTE = "wsv"  # the ref of an item's vote button: "wsv:<item id>"
OWNER_FLOW = "worksession_owner"
REFLECTION_FLOW = "experiment_reflection"
MAX_SHOWN = 15  # items with a button in the DM view

# The session a round of the record flow hands to the next round (a flow's `then` starts
# the next dialog with an empty context), within one turn: the turn's note NEXT_ROUND.
NEXT_ROUND = "work_sessions.next_round"


def _when(turn: TurnApi, session: ws.SessionInfo) -> dict[str, Any]:
    """The team and the session's moment as text in the reader's language (contexts are
    stored as JSON, so dates travel as words)."""
    local = session.local_start()
    return {"team": session.team,
            "when": turn.text("worksession.when", date=local.date(),
                              time=local.strftime("%H:%M"))}


def _an_answer(call: ActionCall, *own_flows: str) -> bool:
    """Words after the command, typed in the DM while another flow's question is open: most
    likely an answer that happens to start like a command ('experiment met een nieuwe
    aanpak…'). Typed in a channel it is a command for sure."""
    dialog = call.dialog
    return (bool(call.arguments.strip()) and dialog is not None and call.turn.origin is None
            and dialog.flow_id not in own_flows)


def _refused(turn: TurnApi) -> list[Message]:
    return [Text(turn.text("worksession.not_facilitator"))]


# -- proposing items ---------------------------------------------------------------------------


@hooks.action("agenda_item", in_channel=True)
def _agenda_item(call: ActionCall) -> list[Message] | None:
    return _propose(call, "topic")


@hooks.action("experiment")
def _experiment(call: ActionCall) -> list[Message] | None:
    return _propose(call, "experiment")


def _propose(call: ActionCall, kind: str) -> list[Message] | None:
    turn = call.turn
    if _an_answer(call, ws.ITEMS_FLOW):
        return None
    session = ws.upcoming_session(turn.connection, turn.person.id, turn.origin, turn.now)
    if session is None:
        return [Text(turn.text("worksession.no_session"))]
    text = clean_text(call.arguments)[:ws.TEXT_LIMIT]
    if not text:
        context: dict[str, Any] = {"session_id": session.id}
        if kind == "experiment":
            context["kind"] = kind
        return turn.start(ws.ITEMS_FLOW, context)
    _add(turn, session, kind, text)
    return [Text(turn.text("worksession.item_added", kind=kind, text=text,
                           max_votes=ws.MAX_VOTES, **_when(turn, session)))]


def _add(turn: TurnApi, session: ws.SessionInfo, kind: str, text: str) -> None:
    """Store the item and post it in the team's channel with its vote button."""
    item_id, _ = ws.add_item(turn.connection, session, turn.person.id, kind, text, turn.now)
    found = ws.item(turn.connection, item_id)
    if found is not None and turn.person.platform == session.platform:
        turn.post(session.channel, _vote_question(turn, session, found, 0, voted=False))


def _vote_question(turn: TurnApi, session: ws.SessionInfo, found: ws.Item, votes: int,
                   *, voted: bool, proposer: str | None = None) -> Question:
    name = proposer or (turn.person.display_name.split(" ")[0] or "?")
    text = turn.text("worksession.item_post", kind=found.kind, text=found.text,
                     proposer=name, votes=votes, max_votes=ws.MAX_VOTES,
                     **_when(turn, session))
    label = turn.text("worksession.button_unvote" if voted else "worksession.button_vote")
    return Question(text=text, ref=f"{VOTE}:{found.id}", choices=(Choice("vote", label),))


@hooks.on_start(ws.ITEMS_FLOW)
def _items_start(start: Start) -> dict[str, Any]:
    session = ws.session_info(start.connection, start.context.get("session_id"))
    if session is None:
        return {"team": "", "when": ""}
    return _when(start.turn, session)


@hooks.on_complete(ws.ITEMS_FLOW)
def _items_done(done: Completion) -> dict[str, Any]:
    answers, context = done.dialog.answers, done.dialog.context
    text = answers.get("item")
    if done.partial or not isinstance(text, str) or not text:
        return {}
    kind = str(context.get("kind") or answers.get("kind") or "topic")
    session = ws.session_info(done.connection, context.get("session_id"))
    if session is None or session.starts_at <= done.now:
        return {"outcome": "closed"}
    _add(done.turn, session, kind, text)
    return {"outcome": "added", "kind": kind, "text": text, "max_votes": ws.MAX_VOTES,
            **_when(done.turn, session)}


# -- votes -------------------------------------------------------------------------------------


@hooks.on_press(VOTE)
def _vote(channel: ChannelEvent, item_id: int) -> list[Outbound]:
    """A vote button, in the channel or in a DM; the answer goes to the voter alone."""
    person = channel.enter()
    turn, connection = channel.turn, channel.turn.connection
    here = replace(channel.event.address, thread=None)  # a channel's button: to the DM
    found = ws.item(connection, item_id)
    session = ws.session_info(connection, found.session_id) if found else None
    if found is None or session is None:
        return [Outbound(here, Notice(turn.text("worksession.item_gone")))]
    if session.starts_at <= turn.now:
        return [Outbound(here, Notice(turn.text("worksession.vote_closed")))]
    result = ws.toggle_vote(connection, found, person.id, turn.now)
    if result == "added":
        teams.add_member(connection, session.team_id, person.id, turn.now)
    left = ws.MAX_VOTES - ws.votes_used(connection, session.id, person.id)
    text = turn.text(f"worksession.vote_{result}", text=found.text, left=left,
                     votes=ws.votes_for(connection, found.id), max_votes=ws.MAX_VOTES)
    return [Outbound(here, Notice(text))]


# -- the agenda --------------------------------------------------------------------------------


def agenda_text(turn: TurnApi, session: ws.SessionInfo, *, list_items: bool = True) -> str:
    data = ws.agenda(turn.connection, session)
    return turn.text("worksession.agenda", **{**data, **_when(turn, session)},
                     list_items=list_items)


@hooks.action("agenda", in_channel=True)
def _agenda(call: ActionCall) -> list[Message] | None:
    """The coming agenda in the DM, each item with its vote button."""
    turn = call.turn
    session = ws.upcoming_session(turn.connection, turn.person.id, turn.origin, turn.now)
    if session is None:
        return [Text(turn.text("worksession.no_session"))]
    items = ws.agenda_items(turn.connection, session.id)
    mine = ws.voted_items(turn.connection, session.id, turn.person.id)
    out: list[Message] = [Text(agenda_text(turn, session, list_items=False))]
    for entry in items[:MAX_SHOWN]:
        found = ws.Item(entry["id"], session.id, entry["kind"], entry["text"], None)
        out.append(_vote_question(turn, session, found, entry["votes"],
                                  voted=entry["id"] in mine, proposer=entry["proposer"]))
    left = ws.MAX_VOTES - len(mine)
    out.append(Text(turn.text("worksession.agenda_hint", left=left, any=bool(items))))
    return out


def _post_agenda(turn: TurnApi, session: ws.SessionInfo) -> None:
    turn.post(session.channel, Text(agenda_text(turn, session)))
    ws.mark_agenda_posted(turn.connection, session.id, turn.now)


@hooks.action("agenda_post", in_channel=True)
def _agenda_post(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return _refused(turn)
    session = ws.upcoming_session(turn.connection, turn.person.id, turn.origin, turn.now)
    if session is None:
        return [Text(turn.text("worksession.no_session"))]
    _post_agenda(turn, session)
    return [Text(turn.text("worksession.agenda_posted", **_when(turn, session)))]


@hooks.on_start(ws.AGENDA_FLOW)
def _agenda_start(start: Start) -> dict[str, Any]:
    session = ws.session_info(start.connection, start.context.get("session_id"))
    if session is None or session.starts_at <= start.turn.now:
        return {"closed": True, "team": "", "when": "", "agenda": ""}
    return {"closed": False, "agenda": agenda_text(start.turn, session),
            **_when(start.turn, session)}


@hooks.on_complete(ws.AGENDA_FLOW)
def _agenda_done(done: Completion) -> dict[str, Any]:
    if done.partial:
        return {}
    session = ws.session_info(done.connection, done.dialog.context.get("session_id"))
    if session is None or session.starts_at <= done.now:
        return {"outcome": "closed"}
    if done.dialog.answers.get("post") is True:
        _post_agenda(done.turn, session)
        return {"outcome": "posted"}
    return {"outcome": "later"}


# -- decisions and learnings -------------------------------------------------------------------


@hooks.choice_source("worksession_owners")
def _owners(query: ChoiceQuery) -> tuple[ChoiceDef, ...]:
    """Who can own a decision: the team and whoever took part in this session."""
    if query.connection is None:
        return ()
    return tuple(ChoiceDef(value=str(person), text=name) for person, name in
                 ws.member_choices(query.connection, query.context.get("session_id")))


def _recording(call: ActionCall) -> ws.SessionInfo | None:
    turn = call.turn
    return ws.recording_session(turn.connection, turn.person.id, turn.origin, turn.now)


@hooks.action("worksession_record", in_channel=True)
def _record(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return _refused(turn)
    session = _recording(call)
    if session is None:
        return [Text(turn.text("worksession.nothing_to_record"))]
    return turn.start(ws.RECORD_FLOW, {"session_id": session.id})


@hooks.action("decision", in_channel=True)
def _decision(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if _an_answer(call):
        return None  # 'besluit genomen om te bellen' answers the open question
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return _refused(turn)
    text = clean_text(call.arguments)[:ws.TEXT_LIMIT]
    if not text:
        return [Text(turn.text("worksession.decision_what"))]
    session = _recording(call)
    if session is None:
        return [Text(turn.text("worksession.nothing_to_record"))]
    outcome_id = ws.record(turn.connection, session, "decision", text, turn.person.id,
                           turn.now)
    return turn.start(OWNER_FLOW, {"outcome_id": outcome_id, "session_id": session.id,
                                   "decision": text})


@hooks.action("learning", in_channel=True)
def _learning(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    if _an_answer(call):
        return None  # 'learning by doing works' answers the open question
    if not may_facilitate(turn.connection, turn.settings, turn.person.id):
        return _refused(turn)
    text = clean_text(call.arguments)[:ws.TEXT_LIMIT]
    if not text:
        return [Text(turn.text("worksession.learning_what"))]
    session = _recording(call)
    if session is None:
        return [Text(turn.text("worksession.nothing_to_record"))]
    ws.record(turn.connection, session, "learning", text, turn.person.id, turn.now)
    return [Text(turn.text("worksession.learning_saved", text=text, **_when(turn, session)))]


def _give_owner(done: Completion, session: ws.SessionInfo, outcome_id: int,
                owner_id: int, text: str) -> dict[str, Any]:
    """Set the owner, tell them (when it is someone else), say when they are asked."""
    ws.set_owner(done.connection, outcome_id, owner_id, done.now)
    names = dict(ws.member_choices(done.connection, session.id))
    owner = names.get(owner_id, "?").split(" ")[0]
    if owner_id != done.person.id:
        done.turn.tell(owner_id, "worksession.owner_told", decision=text,
                       **_when(done.turn, session))
    return {"owner": owner, "text": text, "follow_up": ws.next_session_start(
        done.connection, session) is not None}


@hooks.on_start(OWNER_FLOW)
def _owner_start(start: Start) -> dict[str, Any]:
    return {"decision": str(start.context.get("decision") or "")}


@hooks.on_complete(OWNER_FLOW)
def _owner_done(done: Completion) -> dict[str, Any]:
    context, owner = done.dialog.context, done.dialog.answers.get("owner")
    found = ws.outcome(done.connection, context.get("outcome_id"))
    session = ws.session_info(done.connection, found.session_id) if found else None
    if done.partial or found is None or session is None or not str(owner or "").isdigit():
        return {"owner": "?", "text": "", "follow_up": False}
    return _give_owner(done, session, found.id, int(str(owner)), found.text)


@hooks.on_start(ws.RECORD_FLOW)
def _record_start(start: Start) -> dict[str, Any]:
    handed = start.turn.notes.pop(NEXT_ROUND, None)
    session_id = start.context.get("session_id", handed)
    session = ws.session_info(start.connection, session_id)
    if session is None:
        session = ws.recording_session(start.connection, start.person.id, None, start.turn.now)
    if session is None:
        return {"session_id": None, "team": "", "when": "", "first": True}
    return {"session_id": session.id, "first": handed is None, **_when(start.turn, session)}


@hooks.on_complete(ws.RECORD_FLOW)
def _record_done(done: Completion) -> dict[str, Any]:
    answers = done.dialog.answers
    session = ws.session_info(done.connection, done.dialog.context.get("session_id"))
    if done.partial or session is None:
        return {"outcome": "none", "then": False}
    kind = answers.get("kind")
    if kind == "decision" and str(answers.get("owner") or "").isdigit():
        text = str(answers.get("decision") or "")
        outcome_id = ws.record(done.connection, session, "decision", text, done.person.id,
                               done.now)
        done.turn.notes[NEXT_ROUND] = session.id
        return {"outcome": "decision", "then": True,
                **_give_owner(done, session, outcome_id, int(str(answers["owner"])), text)}
    if kind == "learning" and isinstance(answers.get("learning"), str):
        text = str(answers["learning"])
        ws.record(done.connection, session, "learning", text, done.person.id, done.now)
        done.turn.notes[NEXT_ROUND] = session.id
        return {"outcome": "learning", "text": text, "then": True}
    summary = ws.outcomes_of(done.connection, session.id)
    posted = bool(summary["decisions"] or summary["learnings"])
    if posted:
        done.turn.post(session.channel, Text(done.turn.text(
            "worksession.summary_post", **summary, **_when(done.turn, session))))
    return {"outcome": "done", "posted": posted, "then": False, **summary}


@hooks.on_start(ws.FOLLOW_UP_FLOW)
def _follow_up_start(start: Start) -> dict[str, Any]:
    found = ws.outcome(start.connection, start.context.get("outcome_id"))
    session = ws.session_info(start.connection, found.session_id) if found else None
    if found is None or session is None:
        return {"decision": "", "team": "", "when": ""}
    return {"decision": found.text, **_when(start.turn, session)}


@hooks.on_complete(ws.FOLLOW_UP_FLOW)
def _follow_up_done(done: Completion) -> dict[str, Any]:
    answers = done.dialog.answers
    found = ws.outcome(done.connection, done.dialog.context.get("outcome_id"))
    status = str(answers.get("status") or "")
    if done.partial or found is None or status not in ws.STATUSES:
        return {"status": ""}
    note = answers.get("need") if status == "stuck" else answers.get("note")
    ws.follow_up(done.connection, found.id, status,
                 note if isinstance(note, str) and note else None, done.now)
    return {"status": status}


# -- experiments -------------------------------------------------------------------------------


def _pick_experiment(call: ActionCall) -> tuple[ws.ExperimentRow | None, str, list[Message]]:
    """The running experiment meant ("#3 …" names one; with one running it is that one),
    the rest of the arguments, or what to answer instead."""
    turn = call.turn
    running = ws.experiments_of(turn.connection, turn.person.id, running_only=True)
    said = call.arguments.strip()
    if not running:
        return None, said, [Text(turn.text("experiment.none_running"))]
    first, _, rest = said.partition(" ")
    if first.startswith("#") and first[1:].isdigit():
        chosen = next((e for e in running if e.id == int(first[1:])), None)
        if chosen is not None:
            return chosen, rest.strip(), []
    if len(running) == 1:
        return running[0], said, []
    listed = [{"id": e.id, "title": e.title} for e in running]
    return None, said, [Text(turn.text("experiment.which", experiments=listed))]


@hooks.action("experiment_log")
def _experiment_log(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    chosen, text, answer = _pick_experiment(call)
    if chosen is None:
        return answer
    text = clean_text(text)
    if not text:
        return [Text(turn.text("experiment.log_what", title=chosen.title))]
    count = ws.add_log(turn.connection, chosen.id, turn.person.id, text, turn.now)
    return [Text(turn.text("experiment.logged", title=chosen.title, count=count))]


@hooks.action("experiment_finish")
def _experiment_finish(call: ActionCall) -> list[Message] | None:
    chosen, _, answer = _pick_experiment(call)
    if chosen is None:
        return answer
    return call.turn.start(REFLECTION_FLOW, {"experiment_id": chosen.id})


@hooks.action("my_experiments")
def _my_experiments(call: ActionCall) -> list[Message] | None:
    turn = call.turn
    rows = ws.experiments_of(turn.connection, turn.person.id)
    listed = [{"id": e.id, "title": e.title, "running": e.state == "running", "logs": e.logs,
               "since": e.started_at.date()} for e in rows]
    return [Text(turn.text("experiment.mine", experiments=listed))]


@hooks.on_start(REFLECTION_FLOW)
def _reflection_start(start: Start) -> dict[str, Any]:
    experiment_id = start.context.get("experiment_id")
    found = next((e for e in ws.experiments_of(start.connection, start.person.id)
                  if e.id == experiment_id), None)
    if found is None:
        return {"title": "", "logs": [], "has_channel": False}
    return {"title": found.title, "logs": ws.logs(start.connection, found.id),
            "has_channel": ws.experiment_channel(start.connection, found.id) is not None}


@hooks.on_complete(REFLECTION_FLOW)
def _reflection_done(done: Completion) -> dict[str, Any]:
    answers, context = done.dialog.answers, done.dialog.context
    experiment_id = context.get("experiment_id")
    if done.partial or not isinstance(experiment_id, int):
        return {"ended": False}

    def said(key: str) -> str | None:
        value = answers.get(key)
        return value if isinstance(value, str) and value else None

    shared = answers.get("share") is True
    ws.end_experiment(done.connection, experiment_id, tried=said("tried"),
                      learned=said("learned"), next_time=said("next_time"), shared=shared,
                      now=done.now)
    channel = ws.experiment_channel(done.connection, experiment_id)
    if shared and channel is not None and done.person.platform == channel.platform:
        owner = done.person.display_name.split(" ")[0] or "?"
        done.turn.post(channel, Text(done.turn.text(
            "experiment.shared_post", owner=owner, title=context.get("title", ""),
            learned=said("learned") or "", next_time=said("next_time") or "")))
    return {"ended": True, "shared": shared and channel is not None}


# -- the overview ------------------------------------------------------------------------------


@hooks.action("worksession", in_channel=True)
def _overview(call: ActionCall) -> list[Message] | None:
    """Where the person stands: the next session, their votes, decisions, experiments."""
    turn = call.turn
    connection = turn.connection
    session = ws.upcoming_session(connection, turn.person.id, turn.origin, turn.now)
    variables: dict[str, Any] = {"session": session is not None, "team": "", "when": ""}
    if session is not None:
        variables.update(_when(turn, session))
        variables["items"] = len(ws.agenda_items(connection, session.id))
        variables["left"] = ws.MAX_VOTES - ws.votes_used(connection, session.id,
                                                         turn.person.id)
    variables["experiments"] = [
        e.title for e in ws.experiments_of(connection, turn.person.id, running_only=True)]
    variables["facilitator"] = may_facilitate(connection, turn.settings, turn.person.id)
    return [Text(turn.text("worksession.overview", **variables))]
