"""The product's one clock (bot/clock.py): LEERCOACH_NOW and LEERCOACH_CLOCK_OFFSET, what
they refuse, the parts that follow it (engine, ticks, stored rows, subprocesses), and a guard
that keeps it the only place that reads the time."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import clock
from bot.config import Settings
from bot.runtime import open_runtime
from bot.storage.models import utcnow
from scheduler.ticks import TickReport, Ticks
from tests.rigs.cli import clean_env, run
from tests.rigs.clocks import PINNED_NOW, with_clock

ROOT = Path(__file__).resolve().parents[2]
NOW, OFFSET = clock.NOW_VARIABLE, clock.OFFSET_VARIABLE
MONDAY = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


class FakeTime:
    """The real clock and the monotonic timer, both moved by the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
        self.seconds = 1000.0
        monkeypatch.setattr(clock, "_real_now", lambda: self.real)
        monkeypatch.setattr(clock, "_monotonic", lambda: self.seconds)

    def pass_(self, seconds: float) -> None:
        self.real += timedelta(seconds=seconds)
        self.seconds += seconds


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    return FakeTime(monkeypatch)


# -- reading the environment -----------------------------------------------------------------


def test_without_settings_the_clock_is_the_real_one(fake_time: FakeTime) -> None:
    clock.configure({})
    assert clock.now() == fake_time.real
    fake_time.pass_(90)
    assert clock.now() == fake_time.real
    assert clock.now().tzinfo is UTC


def test_leercoach_now_starts_the_clock_there_and_it_runs_on(fake_time: FakeTime) -> None:
    clock.configure({NOW: "2026-11-23T15:30:00Z"})
    assert clock.now() == MONDAY
    fake_time.pass_(61)
    assert clock.now() == MONDAY + timedelta(seconds=61)  # a server still sees time pass
    assert clock.now().utcoffset() == timedelta(0)


def test_leercoach_now_in_another_zone_or_without_one(fake_time: FakeTime) -> None:
    clock.configure({NOW: "2026-11-23T16:30:00+01:00"})
    assert clock.now() == MONDAY and clock.now().tzinfo is UTC
    clock.configure({NOW: "2026-11-23T15:30"})  # no zone: UTC, as `tick --now` reads it
    assert clock.now() == MONDAY


def test_the_offset_shifts_the_real_clock(fake_time: FakeTime) -> None:
    clock.configure({OFFSET: "+365d"})
    assert clock.now() == fake_time.real + timedelta(days=365)
    fake_time.pass_(30)
    assert clock.now() == fake_time.real + timedelta(days=365)


def test_the_offset_shifts_a_set_clock_too(fake_time: FakeTime) -> None:
    clock.configure({NOW: "2026-11-23T15:30:00Z", OFFSET: "-1d2h"})
    assert clock.now() == MONDAY - timedelta(days=1, hours=2)


@pytest.mark.parametrize(("text", "shift"), [
    ("+365d", timedelta(days=365)), ("365d", timedelta(days=365)), ("-2h", timedelta(hours=-2)),
    ("+1d12h", timedelta(days=1, hours=12)), ("+90m", timedelta(minutes=90)),
    ("+2w", timedelta(weeks=2)), ("-30s", timedelta(seconds=-30)), (" +1D ", timedelta(days=1)),
])
def test_offsets_it_reads(text: str, shift: timedelta) -> None:
    assert clock.parse_offset(text) == shift


@pytest.mark.parametrize("text", ["365", "+365 days", "een jaar", "+-1d", "1.5d", "+d",
                                  "P1Y", "+1y"])
def test_offsets_it_refuses(text: str) -> None:
    with pytest.raises(clock.ClockSettingError, match="not a shift like"):
        clock.parse_offset(text)


@pytest.mark.parametrize(("parse", "text"), [
    (clock.parse_offset, "+9999999999d"), (clock.parse_offset, "99999999999999999999w"),
    (clock.parse_instant, "0001-01-01T00:00:00+01:00"), (clock.parse_instant, "2026-11-23T25:00"),
])
def test_values_beyond_what_a_date_can_hold_are_refused_not_crashed_on(
        parse: Callable[[str], object], text: str) -> None:
    with pytest.raises(clock.ClockSettingError):
        parse(text)


@pytest.mark.parametrize(("environ", "message"), [
    ({NOW: "gisteren"}, "LEERCOACH_NOW is not an ISO date and time: 'gisteren'"),
    ({NOW: "2026-13-01T00:00:00Z"}, "LEERCOACH_NOW is not an ISO date and time"),
    ({OFFSET: "een jaar"}, "LEERCOACH_CLOCK_OFFSET is not a shift like +365d"),
    ({NOW: "9999-12-31T23:00:00Z", OFFSET: "+1d"}, "leave the years a date can have"),
])
def test_unreadable_settings_are_refused_and_the_clock_is_kept(
        fake_time: FakeTime, environ: dict[str, str], message: str) -> None:
    clock.configure({NOW: "2026-11-23T15:30:00Z"})
    with pytest.raises(clock.ClockSettingError, match=re.escape(message)):
        clock.configure(environ)
    assert clock.now() == MONDAY


def test_reading_the_same_settings_again_does_not_turn_the_clock_back(
        fake_time: FakeTime) -> None:
    clock.configure({NOW: "2026-11-23T15:30:00Z"})
    fake_time.pass_(120)
    clock.configure({NOW: "2026-11-23T15:30:00Z"})  # e.g. `main()` called in-process again
    assert clock.now() == MONDAY + timedelta(minutes=2)
    clock.configure({NOW: "2026-11-24T15:30:00Z"})  # other values: set anew
    assert clock.now() == MONDAY + timedelta(days=1)


def test_start_at_shows_that_instant_and_runs_on(fake_time: FakeTime) -> None:
    clock.configure({OFFSET: "+365d"})
    clock.start_at(MONDAY)  # what `tick --now` does: the moment given, no offset on top
    assert clock.now() == MONDAY
    fake_time.pass_(5)
    assert clock.now() == MONDAY + timedelta(seconds=5)
    with pytest.raises(ValueError, match="aware"):
        clock.start_at(datetime(2026, 11, 23, 15, 30))


def test_the_suite_runs_on_its_own_clock_unless_told_otherwise() -> None:
    """tests/rigs/clocks.py pins the suite (or follows LEERCOACH_NOW / the offset it was given):
    never the real date on its own."""
    import os

    chosen_outside = os.environ.get(NOW, "") != PINNED_NOW.isoformat()
    if chosen_outside:
        pytest.skip("the clock of this run was chosen from outside")
    assert clock.now() >= PINNED_NOW and clock.now().date() == PINNED_NOW.date()


def test_with_clock_hands_the_tests_moment_to_a_subprocess() -> None:
    env = with_clock({"PATH": "/bin", OFFSET: "+365d", NOW: "2020-01-01T00:00:00Z"}, MONDAY)
    assert env == {"PATH": "/bin", NOW: "2026-11-23T15:30:00+00:00"}
    shown = datetime.fromisoformat(with_clock({})[NOW])
    assert abs(shown - clock.now()) < timedelta(minutes=5)  # this process's clock, not 2020


# -- what follows the clock ------------------------------------------------------------------


def test_the_engine_the_ticks_and_stored_rows_follow_the_clock(
        fake_time: FakeTime, sqlite_url: str) -> None:
    clock.configure({NOW: "2026-11-23T15:30:00Z"})
    assert utcnow() == MONDAY  # every created_at default
    runtime = open_runtime(Settings(database_url=sqlite_url))
    try:
        assert runtime.engine.clock() == MONDAY
        fake_time.pass_(10)
        assert Ticks(runtime, {}).clock() == MONDAY + timedelta(seconds=10)
    finally:
        runtime.close()


def test_ticks_follow_an_engine_given_its_own_clock(sqlite_url: str) -> None:
    """`leercoach tick --now` and tests hand the engine a clock; the ticks and the outbox
    dispatch run on that one, not on another."""
    runtime = open_runtime(Settings(database_url=sqlite_url), clock=lambda: MONDAY)
    try:
        assert Ticks(runtime, {}).clock() == MONDAY
    finally:
        runtime.close()


# -- the command line: every process follows it ------------------------------------------------


@pytest.mark.slow
def test_a_subprocess_follows_leercoach_now_and_the_offset(tmp_path: Path) -> None:
    at = run(tmp_path, "tick", now=datetime(2031, 5, 5, 10, 0, tzinfo=UTC))
    assert at.returncode == 0, at.stderr
    assert "sweep at 2031-05-05T10:0" in at.stdout  # it runs on from there: seconds pass
    shifted = run(tmp_path, "tick", env=clean_env(
        now=datetime(2031, 5, 5, 10, 0, tzinfo=UTC), LEERCOACH_CLOCK_OFFSET="-1d"))
    assert shifted.returncode == 0, shifted.stderr
    assert "sweep at 2031-05-04T10:0" in shifted.stdout


@pytest.mark.parametrize(("name", "value", "message"), [
    (NOW, "gisteren", "LEERCOACH_NOW is not an ISO date and time: 'gisteren'"),
    (OFFSET, "een jaar", "LEERCOACH_CLOCK_OFFSET is not a shift like +365d, -2h or +1d12h"),
])
def test_an_unreadable_clock_setting_is_a_usage_error(
        tmp_path: Path, name: str, value: str, message: str) -> None:
    result = run(tmp_path, "outbox", "status", env=clean_env(**{name: value}))
    assert result.returncode == 2
    assert f"leercoach: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_tick_now_sets_the_clock_of_the_whole_command(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--now` and LEERCOACH_NOW agree: while `tick --now` runs, the product's clock (rows'
    created_at, anything that asks bot.clock) shows its moment, not another."""
    from adapters.cli.main import main

    seen: list[datetime] = []
    tick = Ticks.tick

    async def watched(self: Ticks, now: datetime | None = None) -> TickReport:
        seen.append(clock.now())
        return await tick(self, now)

    monkeypatch.setenv("LEERCOACH_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(Ticks, "tick", watched)
    assert main(["tick", "--now", "2026-11-23T15:30:00Z"]) == 0
    assert len(seen) == 1 and MONDAY <= seen[0] < MONDAY + timedelta(minutes=1), seen


# -- the guard: no other reading of the time --------------------------------------------------

PRODUCT = ("bot", "adapters", "scheduler")
CLOCK_MODULE = Path("bot/clock.py")
# time.time() measures a socket here, not a date: Slack's Socket Mode SDK stamps its last
# ping-pong with time.time(), and the watchdog compares with that.
REAL_TIME_ALLOWED = {Path("adapters/slack/socket_mode.py")}
DATE_METHODS = {"now", "utcnow", "today"}
TIME_FUNCTIONS = {"time", "time_ns"}
SQL_CLOCK = {"now", "current_timestamp", "localtimestamp", "current_date"}


class _TimeReads(ast.NodeVisitor):
    """Calls that read the time: datetime.now(), date.today(), datetime.utcnow(),
    time.time(), SQL's func.now() (the database server's clock), under any import name."""

    def __init__(self) -> None:
        self.modules = {"datetime"}  # names of the datetime module
        self.classes = {"datetime", "date"}  # names of datetime.datetime / datetime.date
        self.time_modules = {"time"}
        self.time_functions: set[str] = set()
        self.found: list[tuple[int, str]] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "datetime":
                self.modules.add(alias.asname or alias.name)
            elif alias.name == "time":
                self.time_modules.add(alias.asname or alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if node.module == "datetime" and alias.name in ("datetime", "date"):
                self.classes.add(alias.asname or alias.name)
            elif node.module == "time" and alias.name in TIME_FUNCTIONS:
                self.time_functions.add(alias.asname or alias.name)

    def visit_Call(self, node: ast.Call) -> None:
        if self._reads_time(node.func):
            self.found.append((node.lineno, f"{ast.unparse(node.func)}()"))
        self.generic_visit(node)

    def _reads_time(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.time_functions
        if not isinstance(func, ast.Attribute):
            return False
        owner = func.value
        if func.attr.lower() in SQL_CLOCK and ast.unparse(owner).endswith("func"):
            return True
        if func.attr in DATE_METHODS:
            if isinstance(owner, ast.Name):
                return owner.id in self.classes
            return (isinstance(owner, ast.Attribute) and owner.attr in ("datetime", "date")
                    and isinstance(owner.value, ast.Name) and owner.value.id in self.modules)
        if func.attr in TIME_FUNCTIONS:
            return isinstance(owner, ast.Name) and owner.id in self.time_modules
        return False


def _time_reads(source: str) -> list[tuple[int, str]]:
    reads = _TimeReads()
    reads.visit(ast.parse(source))
    return reads.found


def test_the_guard_finds_every_way_of_reading_the_time() -> None:
    source = "\n".join((
        "import datetime as dt", "import time as t", "from datetime import date as D",
        "from datetime import datetime", "from time import time as stamp",
        "from sqlalchemy import func",
        "dt.datetime.now()", "D.today()", "datetime.utcnow()", "t.time()", "stamp()",
        "func.now()", "datetime.now(UTC).date()",
        "datetime.fromisoformat('2026-01-01')", "t.monotonic()", "date(2026, 1, 1)",
    ))
    assert [line for line, _ in _time_reads(source)] == [7, 8, 9, 10, 11, 12, 13]


def test_the_product_reads_the_time_only_through_its_clock() -> None:
    found = {}
    for part in PRODUCT:
        for path in sorted((ROOT / part).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative == CLOCK_MODULE:
                continue
            reads = [(line, call) for line, call in _time_reads(path.read_text("utf-8"))
                     if not (relative in REAL_TIME_ALLOWED and call.endswith("time()"))]
            if reads:
                found[str(relative)] = reads
    assert found == {}, ("read the time with bot.clock.now() (or a clock passed in), not "
                         f"the system clock: {found}")


def test_ci_runs_the_date_sensitive_tests_a_year_ahead() -> None:
    """.ci/run names the files; a renamed or removed one would silently drop out."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    listed = re.search(r"^date_sensitive=\((.*?)\)$", ci, re.S | re.M)
    assert listed is not None
    files = listed.group(1).split()
    assert "tests/cli/test_scheduler_cli.py" in files
    assert [name for name in files if not (ROOT / name.split("::")[0]).is_file()] == []
    for node in (name for name in files if "::" in name):
        path, test = node.split("::")
        assert f"def {test}(" in (ROOT / path).read_text(encoding="utf-8"), node
    assert 'LEERCOACH_CLOCK_OFFSET=+365d .venv/bin/python -m pytest -q "${date_sensitive[@]}"' in ci
