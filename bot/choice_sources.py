"""Choices that come from code or data instead of the flow file (`choices_from = "weekdays"`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.flows import ChoiceDef

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

ChoiceSource = Callable[[Mapping[str, Any]], tuple[ChoiceDef, ...]]


def weekdays(_context: Mapping[str, Any]) -> tuple[ChoiceDef, ...]:
    return tuple(ChoiceDef(value=day, label=f"weekday.{day}") for day in WEEKDAYS)


CHOICE_SOURCES: dict[str, ChoiceSource] = {"weekdays": weekdays}
