"""The reply corpus (tests/data/corpus/*.yaml): realistic replies with their expected
reading, read by bot.core.interpretation, and the handled share per locale and per kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.date_phrases import DateProblem
from bot.core.interpretation.choices import read_choice
from bot.core.interpretation.clock import read_time
from bot.core.interpretation.dates import read_back_on
from bot.core.interpretation.intents import read_intent
from bot.core.interpretation.numbers import read_number
from bot.core.interpretation.outside import read_outside
from bot.core.interpretation.weekdays import read_weekdays
from bot.core.interpretation.yesno import read_yes_no
from bot.core.interpretation.zones import read_zone

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
THRESHOLD = 0.97
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Case:
    kind: str
    locale: str
    text: str
    expect: Any
    setup: tuple[tuple[str, Any], ...]

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.locale}-{self.text}"


@cache
def cases() -> tuple[Case, ...]:
    found: list[Case] = []
    for path in sorted(CORPUS.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        setup = tuple((k, tuple(v) if isinstance(v, list) else v)
                      for k, v in raw.items() if k not in ("kind", "cases"))
        for locale, text, expect in raw["cases"]:
            found.append(Case(raw["kind"], locale, str(text), expect, setup))
    return tuple(found)


def read(case: Case) -> Any:
    """What the layer reads from the case's text, in the form the corpus writes it."""
    setup = dict(case.setup)
    if case.kind == "yes_no":
        said = read_yes_no(case.text, case.locale)
        return None if said is None else said.value
    if case.kind == "scale":
        number = read_number(case.text, case.locale, setup["minimum"], setup["maximum"])
        return None if number is None else number.value
    if case.kind == "choice":
        options = list(setup["options"])
        choice = read_choice(case.text, case.locale, options)
        return None if choice is None else options[choice.value]
    if case.kind == "weekdays":
        days = read_weekdays(case.text, case.locale)
        return None if days is None else " ".join(DAYS[d] for d in days.value)
    if case.kind == "time":
        time = read_time(case.text, case.locale)
        return None if time is None else time.value
    if case.kind == "timezone":
        zone = read_zone(case.text, case.locale)
        return None if zone is None else _canonical(zone.value)
    if case.kind == "back_on":
        back = read_back_on(case.text, setup["today"])
        if isinstance(back, DateProblem):
            return "ask" if back.reason == "ambiguous" else None
        return back.value.isoformat()
    if case.kind == "intent":
        return read_intent(case.text, case.locale) or "answer"
    if case.kind == "outside":
        found = read_outside(case.text, case.locale)
        return f"wish:{found.command}" if found.kind == "wish" else found.kind
    raise ValueError(f"unknown corpus kind {case.kind!r}")


_LINKS = {"Asia/Calcutta": "Asia/Kolkata"}


def _canonical(zone: str) -> str:
    return _LINKS.get(zone, zone)


def handled(case: Case) -> bool:
    expect = case.expect
    if case.kind == "yes_no":  # 'none': no yes or no in it ('weet ik niet' is not a no)
        expect = None if expect == "none" else bool(expect)
    return bool(read(case) == expect)


@cache
def shares() -> dict[str, dict[str, tuple[int, int]]]:
    """(handled, total) per locale and per kind."""
    table: dict[str, dict[str, list[int]]] = {"locale": defaultdict(lambda: [0, 0]),
                                              "kind": defaultdict(lambda: [0, 0])}
    for case in cases():
        ok = handled(case)
        for axis, key in (("locale", case.locale), ("kind", case.kind)):
            table[axis][key][0] += ok
            table[axis][key][1] += 1
    return {axis: {k: (v[0], v[1]) for k, v in sorted(rows.items())}
            for axis, rows in table.items()}


def summary() -> list[str]:
    lines = ["reply corpus: handled share (target ≥ 97% per locale)"]
    for axis, rows in shares().items():
        for key, (ok, total) in rows.items():
            lines.append(f"  {axis:<6} {key:<9} {ok:>3}/{total:<3} {100 * ok / total:5.1f}%")
    return lines
