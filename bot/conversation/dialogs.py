"""Moving through a flow and turning its steps into messages.

Pure functions over a Flow, the answers so far and the dialog's context: which step comes
first or next (honouring `when` and `next`), which options a step offers, and how a step
looks as a Question, Scale or Form in the person's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.answers import Option, Rejected
from bot.core.flows import END, ChoiceDef, Flow, Step
from bot.core.messages import Choice, Form, FormField, Message, Question, Scale
from bot.core.registry import ChoiceQuery, ChoiceSourceHook

CONFIRM_CHOICES: tuple[ChoiceDef, ...] = (
    ChoiceDef(value="yes", label="common.yes"),
    ChoiceDef(value="no", label="common.no"),
)


def step_ref(dialog_id: int, step_id: str) -> str:
    """The token a button or form carries back, so stale ones can be recognised."""
    return f"d{dialog_id}.{step_id}"


def choice_defs(
    step: Step, query: ChoiceQuery, sources: Mapping[str, ChoiceSourceHook]
) -> tuple[ChoiceDef, ...]:
    """The step's choices: yes/no, its own, or those its source (in `sources`, the
    registry's choice sources) finds now."""
    if step.kind == "confirm":
        return CONFIRM_CHOICES
    if step.choices_from:
        return sources[step.choices_from](query)
    return step.choices


def first_step(flow: Flow, answers: Mapping[str, Any], context: Mapping[str, Any]) -> str | None:
    return _first_shown(flow, 0, answers, context)


def next_step(
    flow: Flow, current: Step, answer: Any, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> str | None:
    """The step after `current` given its answer, or None when the flow is done."""
    target: str | None = None
    if current.kind in ("single", "confirm") and answer is not None:
        value = ("yes" if answer else "no") if isinstance(answer, bool) else answer
        static = CONFIRM_CHOICES if current.kind == "confirm" else current.choices
        target = next((c.next for c in static if c.value == value), None)
    target = target or current.next
    if target == END:
        return None
    start = flow.index_of(target) if target else flow.index_of(current.id) + 1
    return _first_shown(flow, start, answers, context)


def _first_shown(
    flow: Flow, start: int, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> str | None:
    for step in flow.steps[start:]:
        if step.when is None or step.when.holds(answers, context):
            return step.id
    return None


def position(
    flow: Flow, step_id: str, answers: Mapping[str, Any], context: Mapping[str, Any]
) -> tuple[int, int]:
    """'question 2 of 4' for help texts, counting only the steps this dialog shows: those
    without a condition, or whose condition holds now (answer conditions still to come
    count as shown)."""

    branches_counted: set[str] = set()

    def shown(step: Step) -> bool:
        if step.id == step_id:
            return True
        if step.ask:
            return False  # a follow-up counts only once it is asked
        if step.when is None:
            return True
        pending = step.when.answer
        if pending is not None and pending not in answers:
            # Steps that branch on an answer still to come count once per branch point.
            if pending in branches_counted:
                return False
            branches_counted.add(pending)
            return True
        return step.when.holds(answers, context)

    steps = [step for step in flow.steps if shown(step)]
    return [step.id for step in steps].index(step_id) + 1, len(steps)


@dataclass(slots=True)
class StepRenderer:
    """Renders steps in one locale; `render` is the prompt library's render bound to it,
    `sources` the registry's choice sources."""

    render: Any
    variables: Mapping[str, Any]
    sources: Mapping[str, ChoiceSourceHook]

    def text(self, key: str, **extra: Any) -> str:
        return str(self.render(key, **{**self.variables, **extra}))

    def options(self, step: Step, query: ChoiceQuery) -> list[Option]:
        return [
            Option(c.value, c.text if c.text is not None else self.text(c.label))
            for c in choice_defs(step, query, self.sources)
        ]

    def message(
        self,
        step: Step,
        ref: str,
        query: ChoiceQuery,
        selected: tuple[str, ...] = (),
        current: str = "",
        rejected: Rejected | None = None,
        max_chars: int | None = None,
    ) -> Message:
        extra = {"current": current}
        prompt = self.text(step.prompt, **extra)
        hint = self.text(step.hint, **extra) if step.hint else None
        if step.kind == "scale":
            return Scale(
                text=prompt,
                ref=ref,
                minimum=step.minimum,
                maximum=step.maximum,
                low_label=self.text(step.low) if step.low else None,
                high_label=self.text(step.high) if step.high else None,
            )
        if step.kind == "form":
            return self._form(step, ref, prompt, rejected, max_chars)
        choices = tuple(Choice(o.value, o.label) for o in self.options(step, query))
        return Question(
            text=prompt,
            ref=ref,
            choices=choices,
            multiple=step.kind == "multiple",
            hint=hint,
            max_length=None if choices else min(step.max_length or max_chars or 0, max_chars or 0)
            or None,
            selected=selected,
        )

    def _form(
        self, step: Step, ref: str, prompt: str, rejected: Rejected | None, max_chars: int | None
    ) -> Form:
        errors = rejected.field_errors if rejected else {}
        values = rejected.form_values if rejected else {}
        fields = tuple(
            FormField(
                name=f.name,
                label=self.text(f.label),
                multiline=f.multiline,
                required=f.required,
                max_length=min(f.max_length or max_chars or 0, max_chars or 0) or None,
                value=values.get(f.name, ""),
                error=self.text(errors[f.name][0], **errors[f.name][1])
                if f.name in errors
                else None,
            )
            for f in step.fields
        )
        return Form(
            title=prompt,
            ref=ref,
            fields=fields,
            submit_label=self.text("common.submit"),
            intro=self.text(step.hint) if step.hint else None,
        )
