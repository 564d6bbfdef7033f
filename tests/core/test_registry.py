"""The registry is an object composed from the practices, not tables filled by importing them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import practices
from bot.conversation.coach import Coach, TurnFailed
from bot.conversation.services import check_references
from bot.core.messages import Address, Text
from bot.core.prompts import PromptError, PromptLibrary
from bot.core.registry import ActionCall, PracticeHooks, Registry
from bot.practices import build_registry

PRACTICES = Path(practices.__file__).parent


def test_each_build_is_its_own_registry() -> None:
    first, second = build_registry(), build_registry()
    assert first.actions == second.actions and first.actions
    first.actions.clear()
    assert second.actions, "two registries share no table"


def test_every_practice_folder_is_included() -> None:
    folders = sorted(path.parent.name for path in
                     PRACTICES.glob("*/hooks.py"))
    assert len(folders) >= 20, "the practices are found where they live"
    assert build_registry().practices == folders


def test_collecting_registers_nothing_until_included() -> None:
    hooks = PracticeHooks("example")

    @hooks.action("example")
    def _example(call: ActionCall) -> None:
        return None

    empty = Registry()
    assert empty.actions == {}
    assert Registry().include(hooks).actions == {"example": _example}


def test_a_name_taken_twice_is_refused() -> None:
    one, other = PracticeHooks("one"), PracticeHooks("other")
    for hooks in (one, other):
        hooks.action("same")(lambda call: None)
    with pytest.raises(ValueError, match="registered twice"):
        Registry().include(one).include(other)


def test_references_are_checked_against_the_registry_given() -> None:
    library = PromptLibrary.with_override(None)
    check_references(library, build_registry())
    with pytest.raises(PromptError, match="unknown"):
        check_references(library, Registry())


def test_a_failed_turn_is_a_typed_result(engine: Coach) -> None:
    """A crash is a TurnFailed carrying the apology for whoever wrote, never a reply list
    that callers must tell apart from a result."""
    address = Address("test", "acme", "ann", "dm-ann")

    def crash(turn: object) -> int:
        raise RuntimeError("boom")

    failed = engine._run(crash, engine.clock(), address, None)
    assert isinstance(failed, TurnFailed)
    assert [(out.address, type(out.message)) for out in failed.apology] == [(address, Text)]
    assert engine._run(crash, engine.clock(), None, None) == TurnFailed([])
    assert engine._run(lambda turn: 7, engine.clock(), None, None) == 7
