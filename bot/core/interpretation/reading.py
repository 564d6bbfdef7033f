"""What a reader returns: a value, and whether the coach may take it without asking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Reading(Generic[T]):
    """A value read from a reply; `sure=False` means: propose it, don't just take it."""

    value: T
    sure: bool = True
