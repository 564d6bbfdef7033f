"""The hard rules of the layout: the engine knows no platform, CI runs what the README says."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_ENGINE = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "aiohttp",
                       "apscheduler")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_engine_imports_no_platform_or_scheduler_code() -> None:
    leaks = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & set(FORBIDDEN_IN_ENGINE))
        for path in (ROOT / "bot").rglob("*.py")
    }
    assert {path: names for path, names in leaks.items() if names} == {}


def test_ci_runs_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = next(
        line
        for line in readme.splitlines()
        if line.startswith("python3 -m venv") and "pytest" in line
    )
    assert test_command in ci


def test_every_layout_part_exists() -> None:
    for part in ("pyproject.toml", "bot", "adapters", "prompts", "scheduler", "tests", "bench",
                 "Dockerfile", "README.md", ".ci/run"):
        assert (ROOT / part).exists(), part
