"""Weekday names as stored (`mon` … `sun`), in ISO order (Monday first)."""

from __future__ import annotations

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
