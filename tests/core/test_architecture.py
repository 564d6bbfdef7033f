"""The hard rules of the layout: the import contracts hold, CI runs what the README says.

Which package may import which is declared as import-linter contracts in pyproject.toml
([tool.importlinter]: bot knows no platform, adapter or scheduler; practices do not import
each other; bot is layered; no new import cycle) and checked by `lint-imports` in .ci/run.
"""

from __future__ import annotations

import re
from pathlib import Path

from importlinter import configuration
from importlinter.application import use_cases

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold() -> None:
    """The same check as `lint-imports` in .ci/run (a second or two), so the suite alone
    catches a broken contract too; the report of what broke is in the captured output."""
    configuration.configure()  # what the lint-imports command does first
    passed = use_cases.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert passed == use_cases.SUCCESS


def test_ci_checks_the_import_contracts() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/lint-imports" in ci


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


ARCHITECTURE = ROOT / "docs" / "ARCHITECTURE.md"
PATH = re.compile(r"`((?:bot|adapters|scheduler|prompts|tests|bench|docs)/[\w./]*)`")


def test_the_architecture_page_names_only_what_exists() -> None:
    """docs/ARCHITECTURE.md stays true: every file or folder it names in backticks is there
    (a `<name>` in a path is a placeholder, not a file)."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    named = [path.rstrip("./") for path in PATH.findall(page)]
    assert named, "the page names the tree"
    assert [path for path in named if not (ROOT / path).exists()] == []


def test_the_architecture_page_places_every_package_of_bot_and_adapters() -> None:
    """A new concern under bot/ or adapters/ gets its row on the page, so a newcomer finds it."""
    page = ARCHITECTURE.read_text(encoding="utf-8")
    for parent in ("bot", "adapters"):
        for folder in sorted((ROOT / parent).iterdir()):
            if (folder / "__init__.py").exists():
                assert f"{parent}/{folder.name}/" in page, f"{parent}/{folder.name}/"
