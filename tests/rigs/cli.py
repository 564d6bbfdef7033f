"""The `leercoach` command for tests: as a subprocess of the installed script (on the test's
clock, with none of our LEERCOACH_* settings) or in-process through its `main`, and the
diary's questions as the command prints them. One home, so CLI tests and the platform tests
that compare their wording with the command's share one definition."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.rigs.clocks import with_clock

TIMEOUT = 60
NL_QUESTIONS = (
    "Welke leermomenten waren er vandaag?",
    "Hoe ben je daarmee omgegaan?",
    "Wat neem je hiervan mee? Vat je les van vandaag samen in één zin.",
    "Hoe leerzaam was je dag?",
)
EN_QUESTIONS = (
    "Which learning moments were there today?",
    "How did you deal with them?",
    "What will you take away from this? Sum up today's lesson in one sentence.",
    "How much did you learn today?",
)


def leercoach_command() -> list[str]:
    """The installed console script, next to this interpreter or on PATH."""
    beside = Path(sys.executable).with_name("leercoach")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("leercoach")
    if found:
        return [found]
    return [sys.executable, "-m", "adapters.cli"]


def clean_env(*, now: datetime | None = None, **extra: str) -> dict[str, str]:
    """The environment of a `leercoach` subprocess: no LEERCOACH_* settings of ours, and the
    test's clock (LEERCOACH_NOW: `now`, or what the product's clock shows in this process)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEERCOACH_")}
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONSTARTUP", None)
    env = with_clock(env, now)
    env.update(extra)
    return env


def run(
    cwd: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None,
    now: datetime | None = None,
) -> subprocess.CompletedProcess[str]:
    """`leercoach ARGS` in `cwd`; at `now` when given (LEERCOACH_NOW), else on the test's
    clock."""
    return subprocess.run(
        [*leercoach_command(), *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env or clean_env(now=now),
        timeout=TIMEOUT,
        check=False,
    )


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`leercoach ARGS` through its `main` in this process (faster than a subprocess, and on
    the settings the test set): exit status, stdout and stderr."""
    from adapters.cli.main import main

    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
