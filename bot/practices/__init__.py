"""The practices of the method, one folder each: its hooks, and where it has them, its records.

`build_registry` finds every practice here and composes the Registry from each one's `hooks`
collector, so adding a practice needs no central edit; importing one registers nothing.
"""

from __future__ import annotations

import importlib
import pkgutil

from bot.core.registry import PracticeHooks, Registry


def build_registry() -> Registry:
    """A Registry with the hooks of every practice, in the order of their folder names."""
    registry = Registry()
    for found in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{__name__}.{found.name}.hooks")
        hooks = getattr(module, "hooks", None)
        if not isinstance(hooks, PracticeHooks):
            raise TypeError(f"{module.__name__} has no PracticeHooks named `hooks`")
        registry.include(hooks)
    return registry
