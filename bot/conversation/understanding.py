"""What the coach does with a message that is not (yet) an answer: a reading to confirm, an
intent inside a conversation (postpone, clarify, don't know, same as last time), a command
typed a little differently, and a message outside any conversation.

The readings themselves are in bot.core.interpretation; this module turns them into the
engine's moves and the coach's texts (`prompts/texts/<locale>/interpretation.toml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from babel.lists import format_list
from rapidfuzz import fuzz

from bot.conversation.dialogs import step_ref
from bot.core.answers import Proposal, Reply
from bot.core.flows import Flow, Step
from bot.core.interpretation.intents import Intent
from bot.core.interpretation.normalise import looks_typed
from bot.core.interpretation.outside import DEFAULT_NEXT, read_outside
from bot.core.interpretation.yesno import read_yes_no
from bot.core.messages import Choice, InboundEvent, Message, Question, Text
from bot.core.prompts import CommandMatch, PromptLibrary
from bot.storage.turn_store import DialogState

NEXT_REF = "next"  # the ref of the buttons offered outside a conversation: values are commands
PROPOSAL = "proposal"  # the dialog context key of a reading waiting for a yes
GUESS_MAX_WORDS = 4
GUESS_SCORE = 90
DAY_OFF_SKIP = "pauze tot morgen"  # the command text of 'skip today': a pause of one day
DAY_OFF_PAUSE = "pauze"


class TurnLike(Protocol):
    """What this module uses of a Turn (bot.conversation.turn), without importing it."""

    prompts: PromptLibrary
    now: Any

    @property
    def locale(self) -> str: ...
    def text(self, key: str, **variables: Any) -> str: ...
    def _touch(self, dialog: DialogState) -> None: ...
    def _step_message(self, dialog: DialogState, step: Step) -> Message: ...
    def _snooze(self, dialog: DialogState) -> list[Message]: ...
    def _accept(self, dialog: DialogState, flow: Flow, step: Step, result: Any,
                reply: Reply) -> list[Message]: ...
    def _run_command(self, dialog: DialogState | None, match: CommandMatch,
                     event: InboundEvent) -> list[Message] | None: ...


# -- a reading to confirm ------------------------------------------------------------------


def propose(turn: TurnLike, dialog: DialogState, step: Step, proposal: Proposal) -> Message:
    """Ask 'did you mean …?' with one-tap yes/no; the reading waits in the dialog."""
    dialog.context = {**dialog.context, PROPOSAL: {"step": step.id, "value": proposal.value}}
    dialog.updated_at = turn.now
    turn._touch(dialog)
    shown = proposal.shown
    if step.kind == "confirm" or shown in ("yes", "no"):
        shown = turn.text("common.yes" if proposal.value in (True, "yes") else "common.no")
    key = "interpretation.propose_time" if proposal.vague else "interpretation.propose"
    return Question(
        text=turn.text(key, shown=shown),
        ref=step_ref(dialog.id, step.id),
        choices=(Choice("yes", turn.text("interpretation.propose_yes")),
                 Choice("no", turn.text("interpretation.propose_no"))),
    )


def take_proposal(turn: TurnLike, dialog: DialogState, step: Step) -> Mapping[str, Any] | None:
    """The reading waiting for this step, if any; it is cleared either way (asked once)."""
    pending = dialog.context.get(PROPOSAL)
    if not isinstance(pending, Mapping):
        return None
    dialog.context = {k: v for k, v in dialog.context.items() if k != PROPOSAL}
    turn._touch(dialog)
    return pending if pending.get("step") == step.id else None


def verdict(reply: Reply, locale: str) -> bool | None:
    """Yes or no to a proposal: its button, its number, or the words; None for anything else
    (which is then read as a new answer)."""
    if reply.value in ("yes", "no"):
        return reply.value == "yes"
    if reply.text is None:
        return None
    said = read_yes_no(reply.text, locale)
    return said.value if said is not None and said.sure else None


# -- intents inside a conversation ---------------------------------------------------------


def intent_at(step: Step, intent: Intent | None) -> Intent | None:
    """The intent, if this step reads it. 'Same as last time' at a free-text question with
    no earlier answer to reuse is just what the person wrote ('Idem.')."""
    if intent is None or intent not in step.intents:
        return None
    if intent == "same" and step.kind == "text" and not step.same_from:
        return None
    return intent


def on_intent(turn: TurnLike, dialog: DialogState, flow: Flow, step: Step, intent: Intent
              ) -> list[Message]:
    """The reply to an intent; nothing of it is stored as an answer."""
    again = [] if step.kind == "text" else [turn._step_message(dialog, step)]
    if intent == "postpone":
        return turn._snooze(dialog)
    if intent == "clarify":
        return [Text(_step_text(turn, "clarify", flow, step)), *again]
    if intent == "dont_know":
        easier = _step_text(turn, "easier", flow, step)
        if not step.required:
            easier += " " + turn.text("interpretation.may_skip")
        return [Text(easier), *again]
    previous = _previous(dialog, step)
    if previous is None:
        return [Text(turn.text("interpretation.no_previous")), turn._step_message(dialog, step)]
    return turn._accept(dialog, flow, step, previous, Reply(text=None))


def _step_text(turn: TurnLike, kind: str, flow: Flow, step: Step) -> str:
    """The step's own text (`clarify.<flow>.<step>`), else the one for its kind of question."""
    own = f"{kind}.{flow.id}.{step.id}"
    if turn.prompts.has_text(own, turn.locale) or turn.prompts.has_text(own):
        return turn.text(own)
    return turn.text(f"{kind}.kind.{step.kind}", minimum=step.minimum, maximum=step.maximum)


def _previous(dialog: DialogState, step: Step) -> Any:
    for key in step.same_from:
        record = dialog.context.get(key)
        if isinstance(record, Mapping) and record.get(step.id) not in (None, ""):
            return record[step.id]
    return None


# -- commands typed a little differently ----------------------------------------------------


def command_guess(prompts: PromptLibrary, text: str) -> CommandMatch | None:
    """A command in other words order ('contract colleague') or with a typo ('leercontarct'):
    a short message only, and only commands that take no argument."""
    said = " ".join(text.lower().strip(" /!.?").split())
    if not said or len(said.split()) > GUESS_MAX_WORDS or not looks_typed(text):
        return None
    tokens = sorted(said.split())
    best: tuple[float, CommandMatch] | None = None
    for command in prompts.commands:
        if command.argument:
            continue
        for word in command.words:
            if len(word.split()) > 1 and sorted(word.split()) == tokens:
                return CommandMatch(command)
            if len(word) >= 6 and len(said) >= 6:
                score = fuzz.ratio(said, word)
                if score >= GUESS_SCORE and (best is None or score > best[0]):
                    best = (score, CommandMatch(command))
    return best[1] if best else None


# -- outside a conversation ----------------------------------------------------------------


def outside(turn: TurnLike, event: InboundEvent) -> list[Message]:
    """A message with no conversation open: a warm word, an offer for a day off, the flow
    someone asks for, or the three likeliest next steps as buttons."""
    text = event.text or ""
    said = text.strip().rstrip(".)")
    if said.isdigit() and 1 <= int(said) <= len(DEFAULT_NEXT):
        found = turn.prompts.command(DEFAULT_NEXT[int(said) - 1])
        if found is not None:
            ran = turn._run_command(None, CommandMatch(found), event)
            if ran is not None:
                return ran
    reading = read_outside(text, turn.locale)
    if reading.kind in ("greeting", "thanks", "bye"):
        return [Text(turn.text(f"interpretation.{reading.kind}"))]
    if reading.kind == "off_today":
        return [Question(
            text=turn.text("interpretation.off_today"),
            ref=NEXT_REF,
            choices=(Choice(DAY_OFF_SKIP, turn.text("interpretation.skip_today")),
                     Choice(DAY_OFF_PAUSE, turn.text("interpretation.pause"))),
        )]
    if reading.kind == "wish" and reading.command is not None:
        found = turn.prompts.command(reading.command)
        if found is not None:
            ran = turn._run_command(None, CommandMatch(found), event)
            if ran is not None:
                return ran
    choices = []
    for name in reading.suggestions:
        command = turn.prompts.command(name)
        if command is not None:
            choices.append(Choice(name, turn.text(f"interpretation.next.{name}")))
    labels = [c.label for c in choices]
    return [Question(text=turn.text("interpretation.suggest",
                                    options=format_list(labels, locale=turn.locale)),
                     ref=NEXT_REF, choices=tuple(choices))]

