"""Reading a person's reply as an answer to one step, or saying politely why it is not one.

Buttons send the choice's value; typed text may be the value, the label or the number of a
choice, so the same question works on Slack, Teams, the web and a terminal. What is typed
the way people type ('jawel', 'wo en vr', 'rond drieën', 'ruim voldoende') is read by
bot.core.interpretation before a reply is refused; an uncertain reading comes back as a
`Proposal` the coach asks the person to confirm.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from babel.lists import format_list

from bot.core.flows import Step
from bot.core.interpretation.choices import read_choice, read_choices
from bot.core.interpretation.clock import read_time
from bot.core.interpretation.numbers import read_number
from bot.core.interpretation.reading import Reading
from bot.core.interpretation.weekdays import read_weekdays
from bot.core.interpretation.yesno import read_yes_no
from bot.core.interpretation.zones import read_zone
from bot.core.text_input import clean_text
from bot.core.validators import VALIDATORS

YES_WORDS = frozenset(
    {"ja", "j", "jazeker", "zeker", "klopt", "graag", "yes", "y", "yep", "sure", "ok", "oké",
     "okay", "true", "👍"}
)
NO_WORDS = frozenset({"nee", "n", "neen", "nope", "no", "niet", "liever niet", "false", "👎"})


@dataclass(frozen=True, slots=True)
class Reply:
    """The content of an inbound event that can answer a step."""

    text: str | None = None
    value: str | None = None
    values: tuple[str, ...] | None = None
    form: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a reply is not an answer: a text key, its variables, and per-field form errors."""

    key: str
    variables: Mapping[str, Any] = field(default_factory=dict)
    field_errors: Mapping[str, tuple[str, Mapping[str, Any]]] = field(default_factory=dict)
    form_values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Proposal:
    """An uncertain reading of a reply: `value` as it would be stored, `shown` as the person
    reads it back ('17:30', 'woensdag en vrijdag'); `vague` when the reply named a moment
    ('na de lunch') rather than a time."""

    value: Any
    shown: str
    vague: bool = False


T = TypeVar("T")
WEEKDAY_VALUES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


def _match_option(token: str, options: Sequence[Option]) -> Option | None:
    token = token.strip().lower().rstrip(".)")
    if not token:
        return None
    if token.isascii() and token.isdigit():
        if len(token) > 3:
            return None
        index = int(token) - 1
        return options[index] if 0 <= index < len(options) else None
    for option in options:
        if token in (option.value.lower(), option.label.lower()):
            return option
    return None


_SEPARATORS = re.compile(r"\s*(?:,|;|\s+en\s+|\s+and\s+|&)\s*")


def _match_many(text: str, options: Sequence[Option]) -> list[Option] | None:
    whole = _match_option(text, options)
    if whole is not None:
        return [whole]
    tokens = [t for t in _SEPARATORS.split(text) if t.strip()]
    if len(tokens) == 1:
        tokens = text.split()
    matched: list[Option] = []
    for token in tokens:
        option = _match_option(token, options)
        if option is None:
            return None
        if option not in matched:
            matched.append(option)
    return matched or None


def _length_problem(text: str, step: Step, max_chars: int) -> Rejected | None:
    limit = min(step.max_length or max_chars, max_chars)
    if len(text) > limit:
        return Rejected("common.too_long", {"limit": limit, "length": len(text)})
    return None


_READERS = {"time_of_day": read_time, "timezone": read_zone}


def parse_text(step: Step, reply: Reply, max_chars: int, locale: str = "nl"
               ) -> str | Rejected | Proposal:
    text = reply.text if reply.text is not None else (reply.value or "")
    if not text:
        return Rejected("common.empty")
    if step.validate:
        # A time or a place said in a sentence is read, not refused for its length.
        normalised = VALIDATORS[step.validate](text) if len(text) <= max_chars else None
        if normalised is not None:
            return normalised
        reader = _READERS.get(step.validate)
        reading = reader(text, locale) if reader and len(text) <= max_chars else None
        if reading is not None:
            return _taken(reading, str(reading.value), vague=step.validate == "time_of_day")
        limit = min(step.max_length or max_chars, max_chars)
        if len(text) > limit:  # short answers only here, but no praise for writing a lot
            return Rejected("interpretation.too_long_short", {"limit": limit})
        return Rejected(f"validation.{step.validate}")
    problem = _length_problem(text, step, max_chars)
    if problem:
        return problem
    if len(text) < step.min_length:
        return Rejected("common.too_short")
    return text


def _taken(reading: Reading[T], shown: str, *, vague: bool = False) -> T | Proposal:
    return reading.value if reading.sure else Proposal(reading.value, shown, vague)


def parse_single(reply: Reply, options: Sequence[Option], locale: str = "nl",
                 *, exact: bool = False) -> str | Rejected | Proposal:
    """The option's value; with `exact` only its number, label or value counts (a step that
    erases data must not act on a guess such as 'yes' for 'Yes, delete everything')."""
    token = reply.value if reply.value is not None else (reply.text or "")
    if reply.values is not None:
        token = reply.values[0] if len(reply.values) == 1 else ""
    option = _match_option(token, options)
    if option is not None:
        return option.value
    if reply.value is None and reply.values is None and token and not exact:
        values = [o.value for o in options]
        if set(values) == {"yes", "no"}:
            said = read_yes_no(token, locale, tuple(v == "yes" for v in values))
            if said is not None:
                chosen = "yes" if said.value else "no"
                label = next(o.label for o in options if o.value == chosen)
                return _taken(Reading(chosen, said.sure), label)
        found = read_choice(token, locale, [o.label for o in options], values)
        if found is not None:
            return _taken(Reading(options[found.value].value, found.sure),
                          options[found.value].label)
    return Rejected("common.choose_one", {"options": _listing(options)})


def parse_multiple(step: Step, reply: Reply, options: Sequence[Option], locale: str = "nl"
                   ) -> list[str] | Rejected | Proposal:
    sure = True
    if reply.values is not None:
        chosen = [o for o in options if o.value in set(reply.values)]
        matched: list[Option] | None = chosen if len(chosen) == len(set(reply.values)) else None
    else:
        token = reply.value if reply.value is not None else (reply.text or "")
        matched = _match_many(token, options)
        if not matched and reply.value is None and token:
            matched, sure = _read_many(token, options, locale)
    if not matched:
        return Rejected("common.choose_some", {"options": _listing(options)})
    if step.max_choices is not None and len(matched) > step.max_choices:
        return Rejected(step.too_many or "common.too_many", {"maximum": step.max_choices})
    order = {o.value: i for i, o in enumerate(options)}
    ordered = sorted(matched, key=lambda o: order[o.value])
    if not sure:
        return Proposal([o.value for o in ordered],
                        format_list([o.label for o in ordered], locale=locale))
    return [o.value for o in ordered]


def _read_many(text: str, options: Sequence[Option], locale: str
               ) -> tuple[list[Option] | None, bool]:
    """Weekdays ('wo en vr', 'ma t/m do', 'werkweek') or several options in words."""
    values = [o.value for o in options]
    if set(values) <= set(WEEKDAY_VALUES) and len(values) >= 5:
        days = read_weekdays(text, locale)
        if days is not None:
            wanted = {WEEKDAY_VALUES[d] for d in days.value}
            return [o for o in options if o.value in wanted] or None, days.sure
    found = read_choices(text, locale, [o.label for o in options], values)
    if found is None:
        return None, True
    return [options[i] for i in found.value], found.sure


# '4 van 5', '4/5', '4 out of 5'; not '4 of 5', which in Dutch means 'four or five'.
_SKIN_TONES = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F]")
_LEADING_INT = re.compile(r"^\s*(\d{1,3})(?:\s*(?:/|van|uit|out of)\s*\d+)?\s*$")


def parse_scale(step: Step, reply: Reply, locale: str = "nl") -> int | Rejected | Proposal:
    token = reply.value if reply.value is not None else (reply.text or "")
    match = _LEADING_INT.match(token)
    if match and step.minimum <= int(match[1]) <= step.maximum:
        return int(match[1])
    if reply.value is None and token:
        found = read_number(token, locale, step.minimum, step.maximum)
        if found is not None:
            return _taken(found, str(found.value))
    return Rejected("common.scale_invalid", {"minimum": step.minimum, "maximum": step.maximum})


def parse_confirm(reply: Reply, locale: str = "nl") -> bool | Rejected | Proposal:
    """Yes or no; typed, by its number in '1) Ja 2) Nee', or in the words people use."""
    token = (reply.value if reply.value is not None else (reply.text or "")).strip().lower()
    token = _SKIN_TONES.sub("", token).rstrip("!.")
    if token in YES_WORDS:
        return True
    if token in NO_WORDS:
        return False
    if reply.value is None and token:
        found = read_yes_no(token, locale)
        if found is not None:
            return _taken(found, "yes" if found.value else "no")
    return Rejected("common.confirm_invalid")


def parse_form(step: Step, reply: Reply, max_chars: int) -> dict[str, str] | Rejected:
    if reply.form is None:
        return Rejected("common.use_form")
    values: dict[str, str] = {}
    errors: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for form_field in step.fields:
        raw = reply.form.get(form_field.name, "")
        value = clean_text(raw) if isinstance(raw, str) else ""
        values[form_field.name] = value
        limit = min(form_field.max_length or max_chars, max_chars)
        if form_field.required and not value:
            errors[form_field.name] = ("common.form_required", {})
        elif len(value) > limit:
            errors[form_field.name] = ("common.form_too_long", {"limit": limit})
    if errors:
        return Rejected("common.form_invalid", field_errors=errors, form_values=values)
    return values


def parse_answer(
    step: Step, reply: Reply, options: Sequence[Option], max_chars: int, locale: str = "nl"
) -> Any | Rejected | Proposal:
    """The stored form of the answer (str, list, int, bool or dict), a Proposal to confirm,
    or a Rejected."""
    if step.kind != "form" and reply.form is not None:
        return Rejected("common.not_an_answer")
    if step.kind in ("text", "scale", "confirm") and reply.values is not None:
        return Rejected("common.not_an_answer")
    if step.kind == "text":
        return parse_text(step, reply, max_chars, locale)
    if step.kind == "single":
        return parse_single(reply, options, locale, exact=step.exact)
    if step.kind == "multiple":
        return parse_multiple(step, reply, options, locale)
    if step.kind == "scale":
        return parse_scale(step, reply, locale)
    if step.kind == "confirm":
        return parse_confirm(reply, locale)
    return parse_form(step, reply, max_chars)


def _listing(options: Sequence[Option]) -> str:
    return ", ".join(f"{i}. {o.label}" for i, o in enumerate(options, start=1))
