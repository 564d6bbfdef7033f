"""Flows as data: the parsed, checked form of a `prompts/flows/*.toml` file.

A flow is a list of steps. Each step has a kind (free text, single or multiple choice, a 1–5
scale, a yes/no confirmation or a multi-field form), refers to its texts by key, may be
validated by a named validator, may be shown only `when` an earlier answer or the context
says so, and may jump elsewhere with `next` (on the step or per choice). Parsing is strict, so
an organisation's override with a typo fails when it is loaded, not in a person's DM.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

StepKind = Literal["text", "single", "multiple", "scale", "confirm", "form"]
STEP_KINDS: tuple[str, ...] = ("text", "single", "multiple", "scale", "confirm", "form")
END = "end"


class FlowError(ValueError):
    """A flow definition that cannot be used."""


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a step only when an earlier answer (or a context value) matches.

    `answer` or `context` names what to look at; with `equals` the value must match it (for a
    multiple-choice answer: contain it); without, it must be present and not empty/false.
    `negate` turns the test around.
    """

    answer: str | None = None
    context: str | None = None
    equals: str | int | bool | None = None
    negate: bool = False

    def holds(self, answers: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        source = answers if self.answer is not None else context
        key = self.answer if self.answer is not None else self.context
        value = source.get(key or "")
        if self.equals is None:
            result = bool(value)
        elif isinstance(value, list):
            result = self.equals in value
        else:
            result = value == self.equals
        return result != self.negate


@dataclass(frozen=True, slots=True)
class ChoiceDef:
    """A choice; `label` is a text key, or (for choices from data) `text` is shown as is."""

    value: str
    label: str = ""
    next: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    label: str
    multiline: bool = False
    required: bool = True
    max_length: int | None = None


STEP_INTENTS = ("postpone", "clarify", "dont_know", "same")


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    kind: StepKind
    prompt: str
    hint: str | None = None
    required: bool = False
    max_length: int | None = None
    min_length: int = 1
    validate: str | None = None
    choices: tuple[ChoiceDef, ...] = ()
    choices_from: str | None = None
    max_choices: int | None = None
    fields: tuple[FieldDef, ...] = ()
    minimum: int = 1
    maximum: int = 5
    low: str | None = None
    high: str | None = None
    when: Condition | None = None
    next: str | None = None
    applies: str | None = None
    review: str | None = None
    too_many: str | None = None  # text key explaining max_choices, instead of the generic one
    # Context keys holding an earlier record whose `<step id>` answer "same as last time"
    # reuses, first found wins (bot.core.interpretation.intents).
    same_from: tuple[str, ...] = ()
    # The intents read at this step (bot.core.interpretation.intents); a flow that handles
    # "I don't know" itself (the pause's "when are you back?") leaves that one out.
    intents: tuple[str, ...] = STEP_INTENTS
    # a follow-up whose question a practice writes from the answers so far (registry
    # `follow_ups`); with no follow-up to ask, the step is passed by
    ask: str | None = None
    # only an option's number, label or value counts, never a reading of a reply (a step
    # whose answer cannot be undone, such as erasing everything)
    exact: bool = False

    def text_keys(self) -> Iterator[str]:
        yield self.prompt
        for key in (self.hint, self.low, self.high, self.too_many):
            if key:
                yield key
        for choice in self.choices:
            yield choice.label
        for form_field in self.fields:
            yield form_field.label


@dataclass(frozen=True, slots=True)
class Flow:
    id: str
    steps: tuple[Step, ...]
    intro: str | None = None
    outro: str | None = None
    title: str | None = None
    # the flow named inside a sentence ("het verwijderen van je gegevens"), where the title
    # ("je gegevens verwijderen") would break the grammar; without it: "je <title>"
    phrase: str | None = None
    on_complete: str | None = None
    keep_partial: bool = False
    expires_after_minutes: int | None = None
    then: str | None = None  # a flow to start right after this one (unless declined)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise FlowError(f"flow {self.id!r} has no step {step_id!r}")

    def index_of(self, step_id: str) -> int:
        return next(i for i, step in enumerate(self.steps) if step.id == step_id)

    def text_keys(self) -> Iterator[str]:
        for key in (self.intro, self.outro, self.title, self.phrase):
            if key:
                yield key
        for step in self.steps:
            yield from step.text_keys()


def _str(raw: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str | None:
    value = raw.get(key, default)
    if value is not None and not isinstance(value, str):
        raise FlowError(f"{where}: {key} must be text")
    return value


def _required_str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = _str(raw, key, where)
    if not value:
        raise FlowError(f"{where}: {key} is required")
    return value


def _int(raw: Mapping[str, Any], key: str, where: str, default: int | None) -> int | None:
    value = raw.get(key, default)
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise FlowError(f"{where}: {key} must be a whole number")
    return value


def _bool(raw: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise FlowError(f"{where}: {key} must be true or false")
    return value


def _tables(
    raw: Mapping[str, Any], key: str, where: str, allowed: set[str] | None = None
) -> list[Mapping[str, Any]]:
    """A list of TOML tables, each (when `allowed` is given) with only those keys."""
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise FlowError(f"{where}: {key} must be a list of tables")
    if allowed is not None:
        for item in value:
            unknown = set(item) - allowed
            if unknown:
                raise FlowError(f"{where}: unknown keys in {key}: {sorted(unknown)}")
    return value


def _condition(raw: Any, where: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or ("answer" in raw) == ("context" in raw):
        raise FlowError(f"{where}: when needs exactly one of answer or context")
    unknown = set(raw) - {"answer", "context", "equals", "negate"}
    if unknown:
        raise FlowError(f"{where}: unknown keys in when: {sorted(unknown)}")
    return Condition(
        answer=raw.get("answer"),
        context=raw.get("context"),
        equals=raw.get("equals"),
        negate=_bool(raw, "negate", where, False),
    )


_STEP_KEYS = {
    "id", "kind", "prompt", "hint", "required", "max_length", "min_length", "validate",
    "choices", "choices_from", "max_choices", "fields", "min", "max", "low", "high", "when",
    "next", "applies", "review", "too_many", "same_from", "intents", "ask", "exact",
}


def _step(raw: Mapping[str, Any], flow_id: str) -> Step:
    where = f"flow {flow_id}, step {raw.get('id', '?')}"
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    kind = _required_str(raw, "kind", where)
    if kind not in STEP_KINDS:
        raise FlowError(f"{where}: kind must be one of {', '.join(STEP_KINDS)}")
    choices = tuple(
        ChoiceDef(
            value=_required_str(c, "value", where),
            label=_required_str(c, "label", where),
            next=_str(c, "next", where),
        )
        for c in _tables(raw, "choices", where, {"value", "label", "next"})
    )
    fields = tuple(
        FieldDef(
            name=_required_str(f, "name", where),
            label=_required_str(f, "label", where),
            multiline=_bool(f, "multiline", where, False),
            required=_bool(f, "required", where, True),
            max_length=_int(f, "max_length", where, None),
        )
        for f in _tables(
            raw, "fields", where, {"name", "label", "multiline", "required", "max_length"}
        )
    )
    choices_from = _str(raw, "choices_from", where)
    if kind in ("single", "multiple") and not choices and not choices_from:
        raise FlowError(f"{where}: a {kind} step needs choices or choices_from")
    if raw.get("ask") is not None and kind != "text":
        raise FlowError(f"{where}: only a text step can ask a follow-up")
    if kind == "form" and not fields:
        raise FlowError(f"{where}: a form step needs fields")
    minimum = _int(raw, "min", where, 1)
    maximum = _int(raw, "max", where, 5)
    assert minimum is not None and maximum is not None
    if kind == "scale" and not minimum < maximum:
        raise FlowError(f"{where}: min must be below max")
    return Step(
        id=_required_str(raw, "id", where),
        kind=kind,  # type: ignore[arg-type]
        prompt=_required_str(raw, "prompt", where),
        hint=_str(raw, "hint", where),
        required=_bool(raw, "required", where, False),
        max_length=_int(raw, "max_length", where, None),
        min_length=_int(raw, "min_length", where, 1) or 0,
        validate=_str(raw, "validate", where),
        choices=choices,
        choices_from=choices_from,
        max_choices=_int(raw, "max_choices", where, None),
        fields=fields,
        minimum=minimum,
        maximum=maximum,
        low=_str(raw, "low", where),
        high=_str(raw, "high", where),
        when=_condition(raw.get("when"), where),
        next=_str(raw, "next", where),
        applies=_str(raw, "applies", where),
        review=_str(raw, "review", where),
        too_many=_str(raw, "too_many", where),
        same_from=_str_list(raw, "same_from", where, ()),
        intents=_str_list(raw, "intents", where, STEP_INTENTS),
        ask=_str(raw, "ask", where),
        exact=_bool(raw, "exact", where, False),
    )


def _str_list(raw: Mapping[str, Any], key: str, where: str, default: tuple[str, ...]
              ) -> tuple[str, ...]:
    if key not in raw:
        return default
    items = raw[key]
    if not isinstance(items, list) or not all(isinstance(k, str) for k in items):
        raise FlowError(f"{where}: {key} must be a list of names")
    return tuple(items)


_FLOW_KEYS = {
    "id", "steps", "intro", "outro", "title", "phrase", "on_complete", "keep_partial",
    "expires_after_minutes", "then",
}


def parse_flow(raw: Mapping[str, Any], source: str = "") -> Flow:
    """Turn a decoded TOML table into a checked Flow; raise FlowError saying what is wrong."""
    flow_id = raw.get("id")
    where = f"{source or 'flow'}"
    if not isinstance(flow_id, str) or not flow_id:
        raise FlowError(f"{where}: id is required")
    unknown = set(raw) - _FLOW_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {sorted(unknown)}")
    steps = tuple(_step(s, flow_id) for s in _tables(raw, "steps", where))
    if not steps:
        raise FlowError(f"{where}: a flow needs at least one step")
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids) or END in ids:
        raise FlowError(f"{where}: step ids must be unique and not {END!r}")
    targets = {s.next for s in steps} | {c.next for s in steps for c in s.choices}
    missing = {t for t in targets if t is not None and t != END and t not in ids}
    if missing:
        raise FlowError(f"{where}: next points to unknown steps {sorted(missing)}")
    return Flow(
        id=flow_id,
        steps=steps,
        intro=_str(raw, "intro", where),
        outro=_str(raw, "outro", where),
        title=_str(raw, "title", where),
        phrase=_str(raw, "phrase", where),
        on_complete=_str(raw, "on_complete", where),
        keep_partial=_bool(raw, "keep_partial", where, False),
        expires_after_minutes=_int(raw, "expires_after_minutes", where, None),
        then=_str(raw, "then", where),
    )
